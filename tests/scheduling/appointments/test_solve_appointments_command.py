"""The solve_appointments command: exact headers, printed figures, and every bad-input case."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .helpers import REQUEST_HEADER, write

SESSIONS = """session_id,clinician_id,room_id,department_id,date,start,end
S1,C1,R1,CARD,2027-01-04,09:00,10:00
S2,C2,R1,CARD,2027-01-04,10:00,11:00
S3,C3,R2,ORTH,2027-01-05,09:00,09:45
"""
REQUESTS = f"""{REQUEST_HEADER}
Q1,p1,CARD,30,4,1,2027-01-04,C2,
Q2,p2,CARD,30,1,30,2027-01-04,,2027-01-05|2027-01-06
Q3,p3,ORTH,45,2,10,2027-01-01,,
Q4,p4,ORTH,40,1,30,2027-01-06,,
"""


def run(tmp_path: Path, sessions: str = SESSIONS, requests: str = REQUESTS) -> tuple[str, Path]:
    out = tmp_path / "appointments.csv"
    stdout = StringIO()
    call_command(
        "solve_appointments",
        "--sessions", str(write(tmp_path, "sessions.csv", sessions)),
        "--requests", str(write(tmp_path, "requests.csv", requests)),
        "--time-limit", "5",
        "--workers", "1",
        "--out", str(out),
        stdout=stdout,
    )  # fmt: skip
    return stdout.getvalue(), out


def test_writes_one_row_per_scheduled_request_and_prints_both_figures(tmp_path):
    output, out = run(tmp_path)
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["request_id", "session_id", "start"]
    booked = {row[0]: (row[1], row[2]) for row in rows[1:]}
    # Q4's earliest date is after the last session: it stays unscheduled and has no row.
    assert booked == {"Q1": ("S2", "10:00"), "Q2": ("S1", "09:00"), "Q3": ("S3", "09:00")}
    # Waiting: Q3 urgency 2 waits 4 days (8); Q4 waits to the day after the last session (0).
    assert "urgency-weighted waiting: 8" in output
    assert "breaches: 0" in output


def test_request_longer_than_every_session_names_the_row_and_request(tmp_path):
    requests = REQUESTS + "Q5,p5,CARD,75,1,30,2027-01-04,,\n"
    with pytest.raises(CommandError) as error:
        run(tmp_path, requests=requests)
    assert (
        "row 6, request Q5: duration_minutes 75 is longer than every session of department "
        "CARD (longest 60 minutes)" in str(error.value)
    )


def test_every_malformed_session_row_is_reported(tmp_path):
    sessions = SESSIONS + (
        "S4,C4,R9,CARD,2027-13-01,09:00,10:00\n"
        "S5,C5,R9,CARD,2027-01-04,9h,10:00\n"
        "S6,C6,R9,CARD,2027-01-04,11:00,10:00\n"
        "S1,C7,R8,CARD,2027-01-04,09:00,10:00\n"
        "S7,C1,R7,CARD,2027-01-04,09:30,12:00\n"
        "S8,,R6,CARD,2027-01-04,09:00,10:00\n"
    )
    with pytest.raises(CommandError) as error:
        run(tmp_path, sessions=sessions)
    message = str(error.value)
    assert "6 bad row(s)" in message
    for expected in [
        "row 5, date: '2027-13-01' is not an ISO date (YYYY-MM-DD)",
        "row 6, start: '9h' is not a time HH:MM",
        "row 7, end: is not after start",
        "row 8, session_id: S1 repeats row 2",
        "row 9, session S7: overlaps session S1 of clinician C1 on 2027-01-04",
        "row 10, clinician_id: is empty",
    ]:
        assert expected in message


def test_every_malformed_request_row_is_reported(tmp_path):
    requests = REQUESTS + (
        "Q5,p5,CARD,0,1,30,2027-01-04,,\n"
        "Q6,p6,CARD,30,7,30,2027-01-04,,\n"
        "Q7,p7,CARD,30,1,-2,2027-01-04,,\n"
        "Q8,p8,CARD,30,1,30,04/01/2027,,\n"
        "Q9,p9,CARD,30,1,30,2027-01-04,,2027-01-05|soon\n"
        "Q10,p10,CARD,30,1,30,2027-01-04,,,extra\n"
    )
    with pytest.raises(CommandError) as error:
        run(tmp_path, requests=requests)
    message = str(error.value)
    for expected in [
        "row 6, duration_minutes: '0' is not a positive integer",
        "row 7, urgency: '7' is not an urgency 1 to 4",
        "row 8, max_wait_days: '-2' is not a whole number of days",
        "row 9, earliest_date: '04/01/2027' is not an ISO date",
        "row 10, unavailable_dates: '2027-01-05|soon' is not ISO dates separated by |",
        "row 11, row: has more fields than the header",
    ]:
        assert expected in message


def test_missing_header_column_is_named(tmp_path):
    with pytest.raises(CommandError, match="row 1: header is missing room_id"):
        run(tmp_path, sessions=SESSIONS.replace("room_id", "room"))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "solve_appointments",
            "--sessions", str(tmp_path / "nope.csv"),
            "--requests", str(tmp_path / "nope2.csv"),
            "--time-limit", "1",
            "--out", str(tmp_path / "out.csv"),
        )  # fmt: skip


def test_header_only_files_solve_to_an_empty_schedule(tmp_path):
    output, out = run(tmp_path, sessions=SESSIONS.splitlines()[0], requests=REQUEST_HEADER)
    assert out.read_text() == "request_id,session_id,start\n"
    assert "urgency-weighted waiting: 0" in output and "breaches: 0" in output
