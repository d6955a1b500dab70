"""Solve one appointment batch from CSV files with the solver the app uses."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.engine import appointments as engine
from scheduling.engine.appointments.csvio import (
    CsvError,
    read_requests,
    read_sessions,
    write_appointments,
)


class Command(BaseCommand):
    help = (
        "Assign the requests of REQUESTS.csv to the sessions of SESSIONS.csv and write "
        "APPOINTMENTS.csv (request_id,session_id,start). "
        "Prints urgency-weighted waiting and breaches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sessions", type=Path, required=True, metavar="SESSIONS.csv")
        parser.add_argument("--requests", type=Path, required=True, metavar="REQUESTS.csv")
        parser.add_argument("--time-limit", type=float, required=True, metavar="SECONDS")
        parser.add_argument("--workers", type=int, default=2, metavar="N")
        parser.add_argument("--out", type=Path, required=True, metavar="APPOINTMENTS.csv")

    def handle(self, *args, **options) -> None:
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit must be a positive number of seconds")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        sessions, requests = self._read(options["sessions"], options["requests"])
        solver_options = engine.SolverOptions(
            time_limit_seconds=options["time_limit"], workers=options["workers"]
        )
        result = engine.solve(sessions, requests, solver_options)
        with open(options["out"], "w", newline="") as handle:
            write_appointments(handle, result.assignments)
        metrics = engine.evaluate(sessions, requests, result.assignments)
        self.stdout.write(
            f"{metrics.scheduled} of {len(requests)} requests scheduled "
            f"({result.status}, {result.wall_seconds:.1f} s); written to {options['out']}"
        )
        self.stdout.write(f"urgency-weighted waiting: {metrics.weighted_waiting}")
        self.stdout.write(f"breaches: {metrics.breaches}")

    def _read(self, sessions_path: Path, requests_path: Path):
        for path in (sessions_path, requests_path):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            with open(sessions_path, newline="", encoding="utf-8-sig") as handle:
                sessions = read_sessions(handle, str(sessions_path))
            with open(requests_path, newline="", encoding="utf-8-sig") as handle:
                requests = read_requests(handle, sessions, str(requests_path))
        except CsvError as error:
            raise CommandError(
                f"{error.filename}: {len(error.problems)} bad row(s)\n" + "\n".join(error.problems)
            ) from error
        except UnicodeDecodeError as error:
            raise CommandError(f"not a UTF-8 CSV file: {error}") from error
        return sessions, requests
