"""Import clinician sessions and appointment requests from the batch CSV formats."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hospops import audit
from hospops.models import Facility
from scheduling.appointment_services import import_batch
from scheduling.engine.appointments.csvio import CsvError


class Command(BaseCommand):
    help = (
        "Import SESSIONS.csv and REQUESTS.csv (the solve_appointments formats; department_id = "
        "department code) into the app, all or nothing. Patient references are pseudonymised."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sessions", type=Path, required=True, metavar="SESSIONS.csv")
        parser.add_argument("--requests", type=Path, required=True, metavar="REQUESTS.csv")
        parser.add_argument("--facility", metavar="CODE", help="facility of the departments")

    def handle(self, *args, **options) -> None:
        facility = None
        if options["facility"]:
            facility = Facility.objects.filter(code=options["facility"]).first()
            if facility is None:
                raise CommandError(f"unknown facility {options['facility']!r}")
        for path in (options["sessions"], options["requests"]):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            with (
                open(options["sessions"], newline="", encoding="utf-8-sig") as sessions,
                open(options["requests"], newline="", encoding="utf-8-sig") as requests,
            ):
                counts = import_batch(
                    sessions,
                    requests,
                    facility=facility,
                    sessions_name=str(options["sessions"]),
                    requests_name=str(options["requests"]),
                )
        except CsvError as error:
            raise CommandError(
                f"{error.filename}: {len(error.problems)} bad row(s), nothing imported\n"
                + "\n".join(error.problems)
            ) from error
        audit.record(
            None,
            audit.Action.IMPORT,
            object_type="scheduling.AppointmentRequest",
            summary=f"{counts['sessions']} sessions and {counts['requests']} requests imported",
        )
        self.stdout.write(
            f"imported {counts['sessions']} sessions and {counts['requests']} requests"
        )
