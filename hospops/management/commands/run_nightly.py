import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from hospops import pipeline
from hospops.models import JobRun
from hospops.tasks import execute_nightly


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, got {value!r}") from exc


class Command(BaseCommand):
    help = "Run the nightly pipeline in-process, or dispatch it to the Celery workers (--async)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", type=parse_date, help="night to process (default today)")
        parser.add_argument(
            "--async", dest="dispatch", action="store_true", help="send to the workers and return"
        )

    def handle(self, *args, date: dt.date | None, dispatch: bool, **options) -> None:
        parent = pipeline.create_run(date)
        if dispatch:
            execute_nightly.apply_async(args=[parent.pk], queue="default")
            self.stdout.write(f"Dispatched nightly run #{parent.pk} for {parent.run_date}.")
            return
        parent = pipeline.execute(parent.pk)
        for step in parent.steps.order_by("id"):
            line = f"  {step.name:<24} {step.status:<10} {step.counts}"
            self.stdout.write(line + (f"  error: {step.error}" if step.error else ""))
        self.stdout.write(f"Nightly run #{parent.pk} for {parent.run_date}: {parent.status}.")
        if parent.status == JobRun.Status.FAILED:
            raise CommandError("one or more steps failed; see the runs page")
