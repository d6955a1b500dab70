from django.core.management.base import BaseCommand, CommandError

from fraud import services


class Command(BaseCommand):
    help = "Score new and changed claims now (the nightly step, run on its own)."

    def handle(self, *args, **options) -> None:
        job = services.run_scoring()
        if job.error:
            raise CommandError(job.error)
        self.stdout.write(self.style.SUCCESS(f"score_claims: {job.counts}"))
