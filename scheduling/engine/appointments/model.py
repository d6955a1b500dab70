"""Plain data types of the appointment problem. Times are minutes after midnight."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SLOT_MINUTES = 5
URGENCY_WEIGHTS = {1: 1, 2: 2, 3: 4, 4: 8}


def round_up_to_slot(minutes: int) -> int:
    """Appointments start on 5-minute marks, so every booking occupies whole marks."""
    return -(-minutes // SLOT_MINUTES) * SLOT_MINUTES


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Session:
    session_id: str
    clinician_id: str
    room_id: str
    department_id: str
    date: dt.date
    start: int
    end: int

    @property
    def first_start(self) -> int:
        """The first 5-minute mark inside the session."""
        return round_up_to_slot(self.start)

    @property
    def capacity(self) -> int:
        """Bookable minutes when appointments are placed back to back from the first mark."""
        return max(0, self.end - self.first_start)


@dataclass(frozen=True)
class Request:
    request_id: str
    patient_ref: str
    department_id: str
    duration_minutes: int
    urgency: int
    max_wait_days: int
    earliest_date: dt.date
    preferred_clinician_id: str | None = None
    unavailable_dates: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def weight(self) -> int:
        return URGENCY_WEIGHTS[self.urgency]

    @property
    def deadline(self) -> dt.date:
        return self.earliest_date + dt.timedelta(days=self.max_wait_days)

    @property
    def booked_minutes(self) -> int:
        """Minutes the request takes from a session: its duration up to the next 5-minute mark."""
        return round_up_to_slot(self.duration_minutes)

    def may_use(self, session: Session) -> bool:
        """Department, earliest date, unavailable dates and length: the per-session hard rules."""
        return (
            session.department_id == self.department_id
            and session.date >= self.earliest_date
            and session.date not in self.unavailable_dates
            and self.booked_minutes <= session.capacity
        )


@dataclass(frozen=True)
class Assignment:
    request_id: str
    session_id: str
    start: int
    overbooked: bool = False

    def end(self, request: Request) -> int:
        return self.start + request.duration_minutes


@dataclass
class SolveResult:
    assignments: list[Assignment]
    status: str
    objective: float | None = None
    bound: float | None = None
    wall_seconds: float = 0.0
    statistics: dict = field(default_factory=dict)
