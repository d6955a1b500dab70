import csv

from django.core.management.base import BaseCommand

from fraud import selectors
from fraud.engine.scoring import reasons_text
from hospops import audit


class Command(BaseCommand):
    help = "Write claim_id,risk_score,reasons for every scored claim, highest risk first."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, help="output CSV path")

    def handle(self, *args, out: str, **options) -> None:
        count = 0
        with open(out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["claim_id", "risk_score", "reasons"])
            for claim_id, risk, reasons in selectors.scores_for_export():
                writer.writerow([claim_id, f"{risk:.6f}", reasons_text(reasons)])
                count += 1
        audit.record(
            None,
            audit.Action.EXPORT,
            object_type="fraud.ClaimScore",
            summary=f"export_flags: {count} scored claims",
        )
        self.stdout.write(self.style.SUCCESS(f"{count} scored claims written to {out}"))
