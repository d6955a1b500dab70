"""Reading and writing the batch CSV formats, with row-numbered messages for bad input.

Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO, TypeVar

from .model import Assignment, Request, Session, format_time
from .validate import request_problems, session_problems

SESSION_HEADER = ["session_id", "clinician_id", "room_id", "department_id", "date", "start", "end"]
REQUEST_HEADER = [
    "request_id",
    "patient_ref",
    "department_id",
    "duration_minutes",
    "urgency",
    "max_wait_days",
    "earliest_date",
    "preferred_clinician_id",
    "unavailable_dates",
]
APPOINTMENT_HEADER = ["request_id", "session_id", "start"]

T = TypeVar("T")


class CsvError(ValueError):
    """Every problem found in one file, each naming its row and field."""

    def __init__(self, filename: str, problems: Sequence[str]):
        self.filename, self.problems = filename, list(problems)
        super().__init__(f"{filename}: " + "; ".join(self.problems))


def parse_time(text: str) -> int:
    hours, minutes = text.strip().split(":")
    if len(minutes) != 2 or not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60):
        raise ValueError
    value = int(hours) * 60 + int(minutes)
    if value > 24 * 60:
        raise ValueError
    return value


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def _required(row: dict, name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise ValueError("is empty")
    return value


class _RowReader:
    """Collects field errors of one row so a row reports all of its problems at once."""

    def __init__(self, row: dict, number: int, problems: list[str]):
        self.row, self.number, self.problems = row, number, problems
        self.ok = True

    def field(self, name: str, convert: Callable[[str], T], expected: str) -> T | None:
        try:
            text = _required(self.row, name)
        except ValueError:
            self.fail(name, "is empty")
            return None
        try:
            return convert(text)
        except ValueError:
            self.fail(name, f"{text!r} is not {expected}")
            return None

    def fail(self, name: str, problem: str) -> None:
        self.ok = False
        self.problems.append(f"row {self.number}, {name}: {problem}")


def _rows(handle: TextIO, header: list[str], filename: str) -> Iterable[tuple[int, dict]]:
    reader = csv.DictReader(handle)
    found = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in header if name not in found]
    if missing:
        raise CsvError(
            filename,
            [f"row 1: header is missing {', '.join(missing)} (expected {','.join(header)})"],
        )
    reader.fieldnames = found
    for number, row in enumerate(reader, start=2):
        if None in row:
            yield number, {**row, "__extra__": True}
        else:
            yield number, row


def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError
    return value


def urgency(text: str) -> int:
    value = int(text)
    if value not in (1, 2, 3, 4):
        raise ValueError
    return value


def read_sessions(handle: TextIO, filename: str = "sessions") -> list[Session]:
    problems: list[str] = []
    sessions: list[Session] = []
    rows: dict[str, int] = {}
    for number, row in _rows(handle, SESSION_HEADER, filename):
        reader = _RowReader(row, number, problems)
        if row.get("__extra__"):
            reader.fail("row", "has more fields than the header")
            continue
        session_id = reader.field("session_id", str, "an id")
        values = {
            "clinician_id": reader.field("clinician_id", str, "an id"),
            "room_id": reader.field("room_id", str, "an id"),
            "department_id": reader.field("department_id", str, "an id"),
            "date": reader.field("date", parse_date, "an ISO date (YYYY-MM-DD)"),
            "start": reader.field("start", parse_time, "a time HH:MM"),
            "end": reader.field("end", parse_time, "a time HH:MM"),
        }
        if session_id is not None and session_id in rows:
            reader.fail("session_id", f"{session_id} repeats row {rows[session_id]}")
        if reader.ok and values["end"] <= values["start"]:
            reader.fail("end", "is not after start")
        if reader.ok:
            rows[session_id] = number
            sessions.append(Session(session_id=session_id, **values))
    for session_id, session_issues in session_problems(sessions).items():
        problems += [f"row {rows[session_id]}, session {session_id}: {p}" for p in session_issues]
    if problems:
        raise CsvError(filename, sorted(problems, key=_row_number))
    return sessions


def _unavailable(text: str) -> frozenset[dt.date]:
    return frozenset(parse_date(part) for part in text.split("|") if part.strip())


def read_requests(
    handle: TextIO, sessions: Sequence[Session], filename: str = "requests"
) -> list[Request]:
    """Read requests; a request longer than every session of its department is an error."""
    problems: list[str] = []
    requests: list[Request] = []
    rows: dict[str, int] = {}
    for number, row in _rows(handle, REQUEST_HEADER, filename):
        reader = _RowReader(row, number, problems)
        if row.get("__extra__"):
            reader.fail("row", "has more fields than the header")
            continue
        request_id = reader.field("request_id", str, "an id")
        values = {
            "patient_ref": reader.field("patient_ref", str, "a reference"),
            "department_id": reader.field("department_id", str, "an id"),
            "duration_minutes": reader.field(
                "duration_minutes", positive_int, "a positive integer"
            ),
            "urgency": reader.field("urgency", urgency, "an urgency 1 to 4"),
            "max_wait_days": reader.field(
                "max_wait_days", non_negative_int, "a whole number of days"
            ),
            "earliest_date": reader.field("earliest_date", parse_date, "an ISO date (YYYY-MM-DD)"),
        }
        values["preferred_clinician_id"] = (row.get("preferred_clinician_id") or "").strip() or None
        unavailable_text = (row.get("unavailable_dates") or "").strip()
        try:
            values["unavailable_dates"] = _unavailable(unavailable_text)
        except ValueError:
            reader.fail(
                "unavailable_dates", f"{unavailable_text!r} is not ISO dates separated by |"
            )
        if request_id is not None and request_id in rows:
            reader.fail("request_id", f"{request_id} repeats row {rows[request_id]}")
        if reader.ok:
            rows[request_id] = number
            requests.append(Request(request_id=request_id, **values))
    for request_id, problem in request_problems(sessions, requests).items():
        problems.append(f"row {rows[request_id]}, request {request_id}: {problem}")
    if problems:
        raise CsvError(filename, sorted(problems, key=_row_number))
    return requests


def _row_number(message: str) -> int:
    return int(message.split(",")[0].split()[1])


def write_sessions(handle: TextIO, sessions: Iterable[Session]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(SESSION_HEADER)
    for s in sessions:
        writer.writerow(
            [
                s.session_id,
                s.clinician_id,
                s.room_id,
                s.department_id,
                s.date.isoformat(),
                format_time(s.start),
                format_time(s.end),
            ]
        )


def write_requests(handle: TextIO, requests: Iterable[Request]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(REQUEST_HEADER)
    for r in requests:
        writer.writerow(
            [
                r.request_id,
                r.patient_ref,
                r.department_id,
                r.duration_minutes,
                r.urgency,
                r.max_wait_days,
                r.earliest_date.isoformat(),
                r.preferred_clinician_id or "",
                "|".join(d.isoformat() for d in sorted(r.unavailable_dates)),
            ]
        )


def write_appointments(handle: TextIO, assignments: Iterable[Assignment]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(APPOINTMENT_HEADER)
    for a in sorted(assignments, key=lambda a: (a.session_id, a.start, a.request_id)):
        writer.writerow([a.request_id, a.session_id, format_time(a.start)])


def read_appointments(handle: TextIO) -> list[tuple[str, str, int]]:
    reader = csv.DictReader(handle)
    return [(r["request_id"], r["session_id"], parse_time(r["start"])) for r in reader]


def sessions_from_text(text: str) -> list[Session]:
    return read_sessions(io.StringIO(text))
