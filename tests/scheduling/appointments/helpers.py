"""Tiny problem builders for the appointment engine tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scheduling.engine.appointments import Request, Session

MONDAY = dt.date(2027, 1, 4)


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def hhmm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def session(
    session_id: str,
    offset: int = 0,
    start: str = "09:00",
    end: str = "10:00",
    *,
    clinician: str | None = None,
    room: str | None = None,
    department: str = "CARD",
) -> Session:
    return Session(
        session_id,
        clinician or f"C-{session_id}",
        room or f"R-{session_id}",
        department,
        day(offset),
        hhmm(start),
        hhmm(end),
    )


def request(
    request_id: str,
    *,
    duration: int = 30,
    urgency: int = 1,
    max_wait: int = 30,
    earliest: int = 0,
    department: str = "CARD",
    preferred: str | None = None,
    unavailable: tuple[int, ...] = (),
) -> Request:
    return Request(
        request_id,
        f"ref-{request_id}",
        department,
        duration,
        urgency,
        max_wait,
        day(earliest),
        preferred,
        frozenset(day(offset) for offset in unavailable),
    )


REQUEST_HEADER = (
    "request_id,patient_ref,department_id,duration_minutes,urgency,max_wait_days,"
    "earliest_date,preferred_clinician_id,unavailable_dates"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path
