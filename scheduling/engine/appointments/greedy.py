"""Greedy baselines: each request in turn takes the earliest feasible slot, like a booking calendar.

Bookings in a session are placed back to back from its first 5-minute mark, so the earliest
free slot of a session is the end of what it already holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from .model import Assignment, Request, Session


def earliest_slot_schedule(
    sessions: Sequence[Session], requests_in_order: Iterable[Request]
) -> list[Assignment]:
    by_department: dict[str, list[Session]] = defaultdict(list)
    for session in sorted(sessions, key=lambda s: (s.date, s.start, s.session_id)):
        by_department[session.department_id].append(session)
    next_free = {session.session_id: session.first_start for session in sessions}
    assignments = []
    for request in requests_in_order:
        best: tuple | None = None
        for session in by_department.get(request.department_id, ()):
            if best is not None and session.date > best[0]:
                break  # sessions are in date order; nothing later can be earlier
            start = next_free[session.session_id]
            if not request.may_use(session) or start + request.booked_minutes > session.end:
                continue
            not_preferred = session.clinician_id != request.preferred_clinician_id
            key = (session.date, not_preferred, start, session.session_id)
            if best is None or key < best:
                best = (*key, session)
        if best is None:
            continue
        session = best[-1]
        start = next_free[session.session_id]
        next_free[session.session_id] = start + request.booked_minutes
        assignments.append(Assignment(request.request_id, session.session_id, start))
    return assignments


def first_come_first_served(
    sessions: Sequence[Session], requests: Sequence[Request]
) -> list[Assignment]:
    """Requests in arrival order (the order given), each taking the earliest feasible slot."""
    return earliest_slot_schedule(sessions, requests)


def deadline_order(requests: Iterable[Request]) -> list[Request]:
    return sorted(
        requests,
        key=lambda r: (r.deadline, -r.urgency, r.earliest_date, r.request_id),
    )


def deadline_first(sessions: Sequence[Session], requests: Sequence[Request]) -> list[Assignment]:
    """Requests by earliest date + max wait, most urgent first, each taking the earliest slot."""
    return earliest_slot_schedule(sessions, deadline_order(requests))


def day_by_day_density(
    sessions: Sequence[Session], requests: Sequence[Request]
) -> list[Assignment]:
    """A starting point for the solver, not a baseline: fill each day in turn, first with the
    requests whose deadline is that day or past, then by urgency weight per booked minute
    (shortest weighted processing time first, which minimises weighted waiting on one machine)."""
    by_day: dict = defaultdict(list)
    for session in sessions:
        by_day[session.date].append(session)
    next_free = {session.session_id: session.first_start for session in sessions}
    waiting = sorted(requests, key=lambda r: r.request_id)
    assignments = []
    for day in sorted(by_day):
        day_sessions = sorted(by_day[day], key=lambda s: (s.start, s.session_id))
        candidates = [r for r in waiting if r.earliest_date <= day]
        candidates.sort(
            key=lambda r: (r.deadline > day, -r.weight / r.booked_minutes, r.deadline, r.request_id)
        )
        placed = set()
        for request in candidates:
            usable = [
                s
                for s in day_sessions
                if request.may_use(s) and next_free[s.session_id] + request.booked_minutes <= s.end
            ]
            if not usable:
                continue
            usable.sort(
                key=lambda s: (
                    s.clinician_id != request.preferred_clinician_id,
                    -(s.end - next_free[s.session_id]),
                )
            )
            session = usable[0]
            start = next_free[session.session_id]
            next_free[session.session_id] = start + request.booked_minutes
            assignments.append(Assignment(request.request_id, session.session_id, start))
            placed.add(request.request_id)
        waiting = [r for r in waiting if r.request_id not in placed]
    return assignments
