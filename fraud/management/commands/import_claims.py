from django.core.management.base import BaseCommand, CommandError

from fraud import services
from fraud.engine.claims import ClaimsFileError
from hospops import audit


class Command(BaseCommand):
    help = "Import a claim-line CSV (one row per claim line); all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV with the claims header")

    def handle(self, *args, file: str, **options) -> None:
        try:
            result = services.import_claims(file)
        except ClaimsFileError as error:
            raise CommandError(str(error)) from error
        except FileNotFoundError as error:
            raise CommandError(f"no such file: {file}") from error
        audit.record(
            None,
            audit.Action.IMPORT,
            object_type="fraud.Claim",
            summary=f"import_claims: {result.as_counts()}",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.lines} lines: {result.claims_created} new claims, "
                f"{result.claims_updated} changed, {result.claims_unchanged} unchanged"
            )
        )
