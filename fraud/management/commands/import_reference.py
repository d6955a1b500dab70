from django.core.management.base import BaseCommand, CommandError

from fraud import services
from fraud.engine.claims import ClaimsFileError
from hospops import audit


class Command(BaseCommand):
    help = (
        "Import a reference table: procedures (code,minutes), ptp "
        "(column1_code,column2_code,modifier_allowed) or mue (code,max_units)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(services.REFERENCE_HEADERS))
        parser.add_argument("file")

    def handle(self, *args, kind: str, file: str, **options) -> None:
        try:
            counts = services.import_reference(kind, file)
        except ClaimsFileError as error:
            raise CommandError(str(error)) from error
        except FileNotFoundError as error:
            raise CommandError(f"no such file: {file}") from error
        audit.record(
            None,
            audit.Action.IMPORT,
            object_type=f"fraud.reference.{kind}",
            summary=f"import_reference {kind}: {counts}",
        )
        self.stdout.write(self.style.SUCCESS(f"{kind}: {counts}"))
