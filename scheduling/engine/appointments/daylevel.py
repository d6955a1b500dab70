"""A day-level relaxation of the batch model, used to find a good starting schedule fast.

Waiting depends on the date only, so the relaxation chooses a day per request against each
day's total session minutes (one Boolean per request and day instead of per request and
session: about ten times fewer). Its answer is then packed into that day's sessions, largest
request first, the preferred clinician's session first; whatever does not fit stays unassigned
and the exact model takes it from there.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from .evaluate import waiting_days
from .model import Assignment, Request, Session

# The shortest time worth giving one day's exact packing.
MIN_PACKING_SECONDS = 0.1


class DayLevelModel:
    """One Boolean per (request, day) against each day's total session minutes."""

    def __init__(
        self,
        sessions: Sequence[Session],
        requests: Sequence[Request],
        last_date,
        breach_factor: int,
    ):
        self.requests, self.breach_factor = requests, breach_factor
        self.by_day: dict = defaultdict(list)
        for session in sessions:
            self.by_day[session.date].append(session)
        self.model = cp_model.CpModel()
        self.choice: dict[tuple[str, object], cp_model.IntVar] = {}
        load: dict = defaultdict(list)
        objective, offset = [], 0
        for request in requests:
            unscheduled = request.weight * waiting_days(request, None, last_date)
            if last_date is not None and request.deadline <= last_date:
                unscheduled += request.weight * breach_factor
            offset += unscheduled
            options = []
            for day, day_sessions in self.by_day.items():
                if not any(request.may_use(s) for s in day_sessions):
                    continue
                cost = request.weight * waiting_days(request, day, last_date)
                cost += request.weight * breach_factor * (day > request.deadline)
                var = self.model.new_bool_var("")
                self.choice[(request.request_id, day)] = var
                objective.append((cost - unscheduled) * var)
                load[day].append(request.booked_minutes * var)
                options.append(var)
            if len(options) > 1:
                self.model.add_at_most_one(options)
        for day, day_sessions in self.by_day.items():
            if load[day]:
                self.model.add(sum(load[day]) <= sum(s.capacity for s in day_sessions))
        self.model.minimize(sum(objective) + offset)

    def solve(
        self, time_limit: float, seed: int = 0, hint: Sequence[Assignment] = ()
    ) -> tuple[cp_model.CpSolver, int]:
        session_date = {s.session_id: s.date for day in self.by_day.values() for s in day}
        hinted_day = {a.request_id: session_date[a.session_id] for a in hint}
        if hint:
            for (request_id, day), var in self.choice.items():
                self.model.add_hint(var, hinted_day.get(request_id) == day)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, time_limit)
        # One LP-guided search with the full linear relaxation beats a portfolio here: the
        # model is a knapsack per day, where the LP both bounds and steers the search.
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = seed
        return solver, solver.solve(self.model)

    def chosen_days(self, solver: cp_model.CpSolver) -> dict[str, object]:
        return {rid: day for (rid, day), var in self.choice.items() if solver.boolean_value(var)}


def day_level_schedule(
    sessions: Sequence[Session],
    requests: Sequence[Request],
    last_date,
    *,
    breach_factor: int,
    hint: Sequence[Assignment],
    time_limit: float,
    packing_time_limit: float,
    seed: int = 0,
) -> list[list[Assignment]]:
    """Solve the relaxation from ``hint`` and pack its answer into sessions three ways."""
    relaxed = DayLevelModel(sessions, requests, last_date, breach_factor)
    solver, status = relaxed.solve(time_limit, seed, hint)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [list(hint)]
    chosen = relaxed.chosen_days(solver)
    packings = [
        pack_days(relaxed.by_day, requests, chosen, keep_room_for_preferred=keep)
        for keep in (True, False)
    ]
    per_day = packing_time_limit / max(1, len(relaxed.by_day))
    if per_day >= MIN_PACKING_SECONDS:  # below that, model overheads outrun the time limit
        packings.append(
            pack_days_exactly(relaxed.by_day, requests, chosen, time_limit_per_day=per_day)
        )
    return packings


def waiting_lower_bound(
    sessions: Sequence[Session], requests: Sequence[Request], last_date, time_limit: float
) -> tuple[int, int]:
    """(fewest urgency-weighted breaches, least urgency-weighted waiting of any schedule with
    that many) as proven by the relaxation within ``time_limit``: a yardstick for benchmarks."""
    factor = 1 + sum(r.weight * (waiting_days(r, None, last_date) + 1) for r in requests)
    relaxed = DayLevelModel(sessions, requests, last_date, factor)
    solver, status = relaxed.solve(time_limit)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0, 0
    breaches = int(solver.objective_value) // factor
    bound = math.ceil(solver.best_objective_bound)
    if bound < breaches * factor:  # fewer breaches not yet ruled out: no waiting bound
        return breaches, 0
    return breaches, bound - breaches * factor


def pack_days(
    by_day: dict,
    requests: Sequence[Request],
    chosen_day: dict,
    also: Sequence[Request] = (),
    *,
    keep_room_for_preferred: bool = True,
) -> list[Assignment]:
    """Pack each day's requests into its sessions back to back, largest first; a request that
    does not fit its day takes the earliest session with room left on another day.

    For continuity, a request prefers its preferred clinician's session, and (with
    ``keep_room_for_preferred``) others avoid filling a session that requests still to be
    placed that day have asked for; that can cost a fit, so callers try both.
    """
    next_free = {s.session_id: s.first_start for day in by_day.values() for s in day}
    assignments: list[Assignment] = []
    left_over: list[Request] = list(also)
    asked_for: dict[tuple, int] = defaultdict(int)  # (clinician, day) -> minutes still to place
    for request in requests:
        day = chosen_day.get(request.request_id)
        if day is not None and request.preferred_clinician_id:
            asked_for[(request.preferred_clinician_id, day)] += request.booked_minutes

    def crowds_out(request: Request, session: Session) -> bool:
        if not keep_room_for_preferred or session.clinician_id == request.preferred_clinician_id:
            return False
        room_after = session.end - next_free[session.session_id] - request.booked_minutes
        return asked_for[(session.clinician_id, session.date)] > room_after

    def place(request: Request, sessions: Sequence[Session]) -> bool:
        fitting = [
            s
            for s in sessions
            if request.may_use(s) and next_free[s.session_id] + request.booked_minutes <= s.end
        ]
        if not fitting:
            return False
        session = min(
            fitting,
            key=lambda s: (
                s.date,
                s.clinician_id != request.preferred_clinician_id,
                crowds_out(request, s),
                s.end - next_free[s.session_id],
                s.session_id,
            ),
        )
        start = next_free[session.session_id]
        assignments.append(Assignment(request.request_id, session.session_id, start))
        next_free[session.session_id] = start + request.booked_minutes
        if request.preferred_clinician_id:
            key = (request.preferred_clinician_id, chosen_day.get(request.request_id))
            asked_for[key] = max(0, asked_for[key] - request.booked_minutes)
        return True

    for request in sorted(requests, key=lambda r: (-r.booked_minutes, -r.weight, r.request_id)):
        day = chosen_day.get(request.request_id)
        if day is not None and not place(request, by_day[day]):
            left_over.append(request)
    everything = [s for day in sorted(by_day) for s in by_day[day]]
    for request in sorted(left_over, key=lambda r: (r.deadline, -r.weight, r.request_id)):
        place(request, everything)
    return assignments


def pack_days_exactly(
    by_day: dict,
    requests: Sequence[Request],
    chosen_day: dict,
    *,
    time_limit_per_day: float = 0.5,
) -> list[Assignment]:
    """Pack each day's requests into its sessions with a small CP-SAT bin packing per day:
    first place as much urgency weight as fits, then keep as many preferred clinicians as
    possible. Requests that still do not fit take the earliest session with room elsewhere."""
    next_free = {s.session_id: s.first_start for day in by_day.values() for s in day}
    assignments: list[Assignment] = []
    left_over: list[Request] = []
    chosen_requests: dict = defaultdict(list)
    for request in requests:
        if request.request_id in chosen_day:
            chosen_requests[chosen_day[request.request_id]].append(request)
    for day, day_requests in sorted(chosen_requests.items()):
        placed = _pack_one_day(by_day[day], day_requests, time_limit_per_day)
        for request in day_requests:
            session_id = placed.get(request.request_id)
            if session_id is None:
                left_over.append(request)
                continue
            assignments.append(Assignment(request.request_id, session_id, next_free[session_id]))
            next_free[session_id] += request.booked_minutes
    everything = [s for day in sorted(by_day) for s in by_day[day]]
    for request in sorted(left_over, key=lambda r: (r.deadline, -r.weight, r.request_id)):
        fitting = [
            s
            for s in everything
            if request.may_use(s) and next_free[s.session_id] + request.booked_minutes <= s.end
        ]
        if fitting:
            session = min(
                fitting,
                key=lambda s: (s.date, s.clinician_id != request.preferred_clinician_id),
            )
            start = next_free[session.session_id]
            assignments.append(Assignment(request.request_id, session.session_id, start))
            next_free[session.session_id] = start + request.booked_minutes
    return assignments


def _pack_one_day(
    sessions: Sequence[Session], requests: Sequence[Request], time_limit: float
) -> dict[str, str]:
    model = cp_model.CpModel()
    place: dict[tuple[str, str], cp_model.IntVar] = {}
    load: dict[str, list] = defaultdict(list)
    value = []
    # Placing a request outweighs every continuity gain of the day together.
    fit_value = 2 * sum(r.weight for r in requests) + 1
    for request in requests:
        options = []
        for session in sessions:
            if not request.may_use(session):
                continue
            var = model.new_bool_var("")
            place[(request.request_id, session.session_id)] = var
            load[session.session_id].append(request.booked_minutes * var)
            kept = session.clinician_id == request.preferred_clinician_id
            value.append(request.weight * (fit_value + kept) * var)
            options.append(var)
        if options:
            model.add_at_most_one(options)
    for session in sessions:
        if load[session.session_id]:
            model.add(sum(load[session.session_id]) <= session.capacity)
    model.maximize(sum(value))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    return {rid: sid for (rid, sid), var in place.items() if solver.boolean_value(var)}
