from django.core.management.base import BaseCommand

from forecasting.imports import USAGE_HEADER, import_supply_usage

from ._import import run_import


class Command(BaseCommand):
    help = f"Import daily supply usage from a CSV with header {','.join(USAGE_HEADER)}."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")

    def handle(self, *args, **options) -> None:
        run_import(self, options["file"], "usage", import_supply_usage)
