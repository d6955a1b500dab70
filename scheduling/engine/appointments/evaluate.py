"""Urgency-weighted waiting, breaches and hard-rule checks: one definition for every method.

* Waiting of a scheduled request: weight × (appointment date − earliest date) in days.
* Waiting of an unscheduled request: weight × (day after the last session − earliest date).
* Breach: scheduled after earliest date + max wait days, or left unscheduled although that
  deadline falls on or before the last session date (its whole window was bookable).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .model import SLOT_MINUTES, Assignment, Request, Session


@dataclass
class Metrics:
    weighted_waiting: int = 0
    breaches: int = 0
    scheduled: int = 0
    unscheduled: int = 0
    overbooked: int = 0
    preferred_requested: int = 0
    preferred_kept: int = 0
    waiting_by_urgency: dict[int, int] = field(default_factory=dict)
    breaches_by_urgency: dict[int, int] = field(default_factory=dict)


def last_session_date(sessions: Iterable[Session]) -> dt.date | None:
    return max((session.date for session in sessions), default=None)


def waiting_days(request: Request, date: dt.date | None, last_date: dt.date | None) -> int:
    """Days waited: to the appointment, or to the day after the last session when unscheduled."""
    if date is None:
        if last_date is None:
            return 0
        date = last_date + dt.timedelta(days=1)
    return max(0, (date - request.earliest_date).days)


def is_breach(request: Request, date: dt.date | None, last_date: dt.date | None) -> bool:
    if date is not None:
        return date > request.deadline
    return last_date is not None and request.deadline <= last_date


def evaluate(
    sessions: Sequence[Session], requests: Sequence[Request], assignments: Iterable[Assignment]
) -> Metrics:
    session_by_id = {session.session_id: session for session in sessions}
    assignment_by_request = {assignment.request_id: assignment for assignment in assignments}
    last_date = last_session_date(sessions)
    metrics = Metrics()
    for request in requests:
        assignment = assignment_by_request.get(request.request_id)
        session = session_by_id[assignment.session_id] if assignment else None
        date = session.date if session else None
        waited = request.weight * waiting_days(request, date, last_date)
        breached = is_breach(request, date, last_date)
        metrics.weighted_waiting += waited
        metrics.breaches += breached
        metrics.waiting_by_urgency[request.urgency] = (
            metrics.waiting_by_urgency.get(request.urgency, 0) + waited
        )
        metrics.breaches_by_urgency[request.urgency] = (
            metrics.breaches_by_urgency.get(request.urgency, 0) + breached
        )
        if session is None:
            metrics.unscheduled += 1
        else:
            metrics.scheduled += 1
            metrics.overbooked += assignment.overbooked
        if request.preferred_clinician_id:
            metrics.preferred_requested += 1
            metrics.preferred_kept += bool(
                session and session.clinician_id == request.preferred_clinician_id
            )
    return metrics


def _overlaps(booked: list[tuple[int, int, str]], what: str, day: dt.date) -> list[str]:
    problems = []
    booked.sort()
    latest_end, latest_id = -1, ""
    for start, end, request_id in booked:
        if start < latest_end:
            problems.append(f"{what} on {day}: requests {latest_id} and {request_id} overlap")
        if end > latest_end:
            latest_end, latest_id = end, request_id
    return problems


def violations(
    sessions: Sequence[Session],
    requests: Sequence[Request],
    assignments: Sequence[Assignment],
    *,
    overbooking_allowed: bool = False,
) -> list[str]:
    """Every hard rule a schedule breaks, in words; an empty list means the schedule is valid.

    Overbooked appointments are double bookings: they may overlap regular ones, never each other.
    """
    session_by_id = {session.session_id: session for session in sessions}
    request_by_id = {request.request_id: request for request in requests}
    problems: list[str] = []
    seen: set[str] = set()
    by_clinician: dict[tuple, list] = defaultdict(list)
    by_room: dict[tuple, list] = defaultdict(list)
    for assignment in assignments:
        request = request_by_id.get(assignment.request_id)
        session = session_by_id.get(assignment.session_id)
        if request is None or session is None:
            problems.append(f"unknown request or session in {assignment}")
            continue
        name = f"request {request.request_id} in session {session.session_id}"
        if request.request_id in seen:
            problems.append(f"request {request.request_id} is scheduled twice")
        seen.add(request.request_id)
        if session.department_id != request.department_id:
            problems.append(f"{name}: department differs")
        if session.date < request.earliest_date:
            problems.append(f"{name}: before the earliest date")
        if session.date in request.unavailable_dates:
            problems.append(f"{name}: on a date the patient cannot come")
        if assignment.start % SLOT_MINUTES:
            problems.append(f"{name}: start is not on a 5-minute mark")
        end = assignment.end(request)
        if assignment.start < session.start or end > session.end:
            problems.append(f"{name}: outside the session's hours")
        if assignment.overbooked and not overbooking_allowed:
            problems.append(f"{name}: overbooked although overbooking is off")
        lane = (assignment.overbooked,)
        booked = (assignment.start, end, request.request_id)
        by_clinician[(session.clinician_id, session.date, *lane)].append(booked)
        by_room[(session.room_id, session.date, *lane)].append(booked)
    for (clinician, day, _lane), booked in by_clinician.items():
        problems += _overlaps(booked, f"clinician {clinician}", day)
    for (room, day, _lane), booked in by_room.items():
        problems += _overlaps(booked, f"room {room}", day)
    return problems
