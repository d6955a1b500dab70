"""Problem checks shared by the CSV reader, the Django services and the solver."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from .model import SLOT_MINUTES, Request, Session, format_time


class ProblemError(ValueError):
    """The batch cannot be solved as given; ``problems`` lists every reason in words."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def session_problems(sessions: Sequence[Session]) -> dict[str, list[str]]:
    """Problems per session id: empty or inverted hours, and sessions that overlap in time
    for the same clinician or the same room (appointments in them could then overlap)."""
    problems: dict[str, list[str]] = defaultdict(list)
    for session in sessions:
        if session.capacity < SLOT_MINUTES:
            problems[session.session_id].append(
                f"end {format_time(session.end)} leaves no 5-minute slot after "
                f"start {format_time(session.start)}"
            )
    for attribute, label in (("clinician_id", "clinician"), ("room_id", "room")):
        groups: dict[tuple, list[Session]] = defaultdict(list)
        for session in sessions:
            groups[(getattr(session, attribute), session.date)].append(session)
        for (owner, day), group in groups.items():
            group.sort(key=lambda s: (s.start, s.end))
            latest = group[0]
            for session in group[1:]:
                if session.start < latest.end:
                    problems[session.session_id].append(
                        f"overlaps session {latest.session_id} of {label} {owner} on {day}"
                    )
                if session.end > latest.end:
                    latest = session
    return problems


def request_problems(
    sessions: Sequence[Session],
    requests: Sequence[Request],
    department_names: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Problems per request id: a request longer than every session of its department
    (named by ``department_names`` when given, else by its id)."""
    names = department_names or {}
    longest: dict[str, int] = defaultdict(int)
    for session in sessions:
        longest[session.department_id] = max(longest[session.department_id], session.capacity)
    problems = {}
    for request in requests:
        available = longest.get(request.department_id)
        if available is not None and request.booked_minutes > available:
            problems[request.request_id] = (
                f"duration_minutes {request.duration_minutes} is longer than every session of "
                f"department {names.get(request.department_id, request.department_id)} "
                f"(longest {available} minutes)"
            )
    return problems


def check_problem(sessions: Sequence[Session], requests: Sequence[Request]) -> None:
    """Raise :class:`ProblemError` naming every session and request the solver cannot take."""
    messages = [
        f"session {session_id}: {problem}"
        for session_id, problems in session_problems(sessions).items()
        for problem in problems
    ]
    messages += [
        f"request {request_id}: {problem}"
        for request_id, problem in request_problems(sessions, requests).items()
    ]
    if messages:
        raise ProblemError(messages)
