from django.core.management.base import BaseCommand

from forecasting.imports import ITEMS_HEADER, import_items

from ._import import run_import


class Command(BaseCommand):
    help = f"Import supply items and stock on hand from a CSV with header {','.join(ITEMS_HEADER)}."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")

    def handle(self, *args, **options) -> None:
        run_import(self, options["file"], "items", import_items)
