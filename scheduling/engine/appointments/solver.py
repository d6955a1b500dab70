"""The batch CP-SAT model that assigns pending requests to clinician sessions.

Formulation. Sessions never overlap for one clinician or one room (checked up front), and an
appointment's waiting cost depends only on its date and clinician, not on its time of day. So
the model assigns each request to a *session* (a bin with a capacity in minutes) and the
bookings inside each session are then laid back to back from its first 5-minute mark, which
keeps them inside the session's hours and free of overlaps. This replaces a start-time variable
per request and session with one Boolean per eligible pair. Departments share no session, so
each department is an independent model, solved in turn with a share of the time limit.

Objective, lexicographic through a large factor: first the urgency-weighted number of breaches
(so no avoidable breach remains), then urgency-weighted waiting days, plus ``continuity_days``
× weight when a request with a preferred clinician is seen by someone else.

Search, per department: the cheapest of two greedy schedules (deadline-first, day-by-day
density) seeds a day-level relaxation (see ``daylevel``), whose packed answer is the hint of
the exact model; sessions with equal capacity on one day whose clinician nobody asked for are
interchangeable, so their loads are ordered to cut symmetric search.

Overbooking (optional): each session gets a second lane of ``rate × capacity`` minutes (rate =
the department's learned no-show rate, capped), booked on top of the first lane; an overbooked
request is a double booking, expected to be absorbed by no-shows.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .daylevel import day_level_schedule
from .evaluate import last_session_date, waiting_days
from .greedy import day_by_day_density, deadline_first
from .model import SLOT_MINUTES, Assignment, Request, Session, SolveResult
from .validate import check_problem

ProgressCallback = Callable[[float, str, dict], None]

# Costs are in tenths of an urgency-weighted waiting day, so continuity can weigh a fraction of
# a day and an overbooking is a tie-breaker worth less than any day of waiting.
COST_SCALE = 10
OVERBOOK_PENALTY = 1
# Shares of a department's time for the day-level relaxation that finds the starting point
# and for packing its answer into sessions; the exact model has the rest.
RELAXATION_SHARE = 0.4
PACKING_SHARE = 0.3
# Below this the exact model cannot even load its hint on a busy machine: keep the start.
MIN_EXACT_SECONDS = 0.3


@dataclass
class SolverOptions:
    time_limit_seconds: float = 30.0
    workers: int = 2
    random_seed: int = 0
    continuity_days: float = 0.25
    overbooking_rates: dict[str, float] | None = None
    overbooking_cap: float = 0.15
    break_symmetry: bool = True


def breach_factor(
    requests: Sequence[Request], last_date, scale: int, continuity_days: float
) -> int:
    """The smallest breach penalty per unit of weight that outweighs all waiting and continuity
    costs together, so breaches come first. Kept small: large factors hurt the LP relaxation."""
    worst = sum(
        scale * r.weight * (waiting_days(r, None, last_date) + continuity_days + 1)
        for r in requests
    )
    return int(worst) + 1


def overbooking_minutes(session: Session, options: SolverOptions) -> int:
    if not options.overbooking_rates:
        return 0
    rate = min(options.overbooking_rates.get(session.department_id, 0.0), options.overbooking_cap)
    return int(max(rate, 0.0) * session.capacity) // SLOT_MINUTES * SLOT_MINUTES


def sequence(sessions: Sequence[Session], requests: Sequence[Request], chosen: dict) -> list:
    """Lay each session's bookings back to back, most urgent first, one lane at a time."""
    session_by_id = {session.session_id: session for session in sessions}
    request_by_id = {request.request_id: request for request in requests}
    lanes: dict[tuple[str, bool], list[Request]] = defaultdict(list)
    for request_id, (session_id, overbooked) in chosen.items():
        lanes[(session_id, overbooked)].append(request_by_id[request_id])
    assignments = []
    for (session_id, overbooked), booked in sorted(lanes.items()):
        start = session_by_id[session_id].first_start
        for request in sorted(booked, key=lambda r: (-r.urgency, r.request_id)):
            assignments.append(Assignment(request.request_id, session_id, start, overbooked))
            start += request.booked_minutes
    return assignments


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[float, float], None]):
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(self.ObjectiveValue(), self.BestObjectiveBound())


class DepartmentModel:
    """One department's assignment model."""

    def __init__(
        self,
        sessions: Sequence[Session],
        requests: Sequence[Request],
        last_date,
        options: SolverOptions,
    ):
        self.sessions, self.requests, self.options = list(sessions), list(requests), options
        self.model = cp_model.CpModel()
        self.regular: dict[tuple[str, str], cp_model.IntVar] = {}
        self.extra: dict[tuple[str, str], cp_model.IntVar] = {}
        self.offset = 0
        self.cost: dict[tuple[str, str], int] = {}
        self.unscheduled_cost: dict[str, int] = {}
        self.breach_factor = breach_factor(requests, last_date, COST_SCALE, options.continuity_days)
        self._build(last_date)

    def _assignment_cost(self, request: Request, session: Session, last_date) -> int:
        cost = COST_SCALE * request.weight * waiting_days(request, session.date, last_date)
        if (
            request.preferred_clinician_id
            and session.clinician_id != request.preferred_clinician_id
        ):
            cost += round(COST_SCALE * request.weight * self.options.continuity_days)
        if session.date > request.deadline:
            cost += request.weight * self.breach_factor
        return cost

    def _build(self, last_date) -> None:
        model, options = self.model, self.options
        extra_minutes = {s.session_id: overbooking_minutes(s, options) for s in self.sessions}
        regular_load: dict[str, list] = defaultdict(list)
        extra_load: dict[str, list] = defaultdict(list)
        objective = []
        for request in self.requests:
            unscheduled = COST_SCALE * request.weight * waiting_days(request, None, last_date)
            if last_date is not None and request.deadline <= last_date:
                unscheduled += request.weight * self.breach_factor
            self.offset += unscheduled
            self.unscheduled_cost[request.request_id] = unscheduled
            choices = []
            for session in self.sessions:
                if not request.may_use(session):
                    continue
                key = (request.request_id, session.session_id)
                self.cost[key] = self._assignment_cost(request, session, last_date)
                saving = self.cost[key] - unscheduled
                var = model.new_bool_var(f"x_{request.request_id}_{session.session_id}")
                self.regular[key] = var
                regular_load[session.session_id].append(request.booked_minutes * var)
                objective.append(saving * var)
                choices.append(var)
                if request.booked_minutes <= extra_minutes[session.session_id]:
                    var = model.new_bool_var(f"o_{request.request_id}_{session.session_id}")
                    self.extra[key] = var
                    extra_load[session.session_id].append(request.booked_minutes * var)
                    objective.append((saving + OVERBOOK_PENALTY) * var)
                    choices.append(var)
            if len(choices) > 1:
                model.add_at_most_one(choices)
        self.load = {}
        for session in self.sessions:
            sid = session.session_id
            if regular_load[sid]:
                self.load[sid] = sum(regular_load[sid])
                model.add(self.load[sid] <= session.capacity)
            if extra_load[sid]:
                model.add(sum(extra_load[sid]) <= extra_minutes[sid])
        model.minimize(sum(objective) + self.offset)
        if options.break_symmetry:
            self._break_symmetry()

    def interchangeable_classes(self) -> list[list[Session]]:
        """Sessions on one day with equal capacity and a clinician nobody asked for can swap
        their bookings without changing any cost."""
        preferred = {r.preferred_clinician_id for r in self.requests if r.preferred_clinician_id}
        classes: dict[tuple, list[Session]] = defaultdict(list)
        for session in self.sessions:
            if session.clinician_id not in preferred and session.session_id in self.load:
                key = (session.date, session.capacity, overbooking_minutes(session, self.options))
                classes[key].append(session)
        return [group for group in classes.values() if len(group) > 1]

    def _break_symmetry(self) -> None:
        self.classes = self.interchangeable_classes()
        for group in self.classes:
            group.sort(key=lambda s: s.session_id)
            for first, second in zip(group, group[1:], strict=False):
                self.model.add(self.load[first.session_id] >= self.load[second.session_id])

    def schedule_cost(self, assignments: Sequence[Assignment]) -> int:
        """The objective value of a schedule without overbooking (used to pick a hint)."""
        chosen = {a.request_id: a.session_id for a in assignments}
        return sum(
            self.cost[(rid, chosen[rid])] if rid in chosen else unscheduled
            for rid, unscheduled in self.unscheduled_cost.items()
        )

    def add_hint(self, assignments: Sequence[Assignment]) -> None:
        chosen = {a.request_id: a.session_id for a in assignments}
        if self.options.break_symmetry:
            chosen = self._reorder_for_symmetry(chosen)
        for (request_id, session_id), var in self.regular.items():
            self.model.add_hint(var, chosen.get(request_id) == session_id)
        for var in self.extra.values():
            self.model.add_hint(var, False)

    def _reorder_for_symmetry(self, chosen: dict[str, str]) -> dict[str, str]:
        """Relabel the hint's sessions inside each interchangeable class by decreasing load, so
        the hint satisfies the symmetry-breaking order."""
        minutes = {r.request_id: r.booked_minutes for r in self.requests}
        load: dict[str, int] = defaultdict(int)
        for request_id, session_id in chosen.items():
            load[session_id] += minutes[request_id]
        relabel = {}
        for group in self.classes:
            by_load = sorted(group, key=lambda s: (-load[s.session_id], s.session_id))
            for target, source in zip(group, by_load, strict=True):
                relabel[source.session_id] = target.session_id
        return {rid: relabel.get(sid, sid) for rid, sid in chosen.items()}

    def solution(self, solver: cp_model.CpSolver) -> dict[str, tuple[str, bool]]:
        chosen = {}
        for (request_id, session_id), var in self.regular.items():
            if solver.boolean_value(var):
                chosen[request_id] = (session_id, False)
        for (request_id, session_id), var in self.extra.items():
            if solver.boolean_value(var):
                chosen[request_id] = (session_id, True)
        return chosen


@dataclass
class DepartmentOutcome:
    chosen: dict[str, tuple[str, bool]]
    status: str
    objective: float
    bound: float | None


def starting_schedule(
    built: DepartmentModel, last_date, options: SolverOptions, budget: float
) -> list[Assignment]:
    """The cheapest of the deadline-first greedy, the day-by-day density greedy and the packed
    day-level relaxation (which starts from the better greedy)."""
    sessions, requests = built.sessions, built.requests
    candidates = [deadline_first(sessions, requests), day_by_day_density(sessions, requests)]
    best = min(candidates, key=built.schedule_cost)
    packed = day_level_schedule(
        sessions,
        requests,
        last_date,
        breach_factor=breach_factor(requests, last_date, 1, 0),
        hint=best,
        time_limit=RELAXATION_SHARE * budget,
        packing_time_limit=PACKING_SHARE * budget,
        seed=options.random_seed,
    )
    return min([best, *packed], key=built.schedule_cost)


def solve_department(
    sessions: Sequence[Session],
    requests: Sequence[Request],
    last_date,
    options: SolverOptions,
    budget: float,
    report: Callable[[float, float, float], None],
) -> DepartmentOutcome:
    started = time.monotonic()
    built = DepartmentModel(sessions, requests, last_date, options)
    hint = starting_schedule(built, last_date, options, budget)
    remaining = budget - (time.monotonic() - started)
    if remaining < MIN_EXACT_SECONDS:  # no time left worth loading the exact model for
        chosen = {a.request_id: (a.session_id, False) for a in hint}
        return DepartmentOutcome(chosen, "START_ONLY", built.schedule_cost(hint), None)
    built.add_hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = remaining
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.random_seed
    status = solver.solve(
        built.model,
        _Progress(lambda value, bound: report(value, bound, time.monotonic() - started)),
    )
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return DepartmentOutcome(
            built.solution(solver),
            solver.status_name(status),
            solver.objective_value,
            solver.best_objective_bound,
        )
    # No solution in time: keep the starting schedule, which is always valid.
    chosen = {a.request_id: (a.session_id, False) for a in hint}
    return DepartmentOutcome(chosen, "START_ONLY", built.schedule_cost(hint), None)


def solve(
    sessions: Sequence[Session],
    requests: Sequence[Request],
    options: SolverOptions | None = None,
    progress: ProgressCallback | None = None,
) -> SolveResult:
    """Assign requests to sessions; raises ``ProblemError`` for a batch that cannot be taken."""
    options = options or SolverOptions()
    check_problem(sessions, requests)
    started = time.monotonic()
    last_date = last_session_date(sessions)
    sessions_by_department: dict[str, list[Session]] = defaultdict(list)
    requests_by_department: dict[str, list[Request]] = defaultdict(list)
    for session in sessions:
        sessions_by_department[session.department_id].append(session)
    for request in requests:
        requests_by_department[request.department_id].append(request)
    # Time is shared in proportion to each department's number of request-session pairs.
    sizes = {
        d: len(requests_by_department[d]) * len(sessions_by_department[d])
        for d in sorted(requests_by_department)
    }
    total_size, done_size = sum(sizes.values()) or 1, 0
    chosen: dict[str, tuple[str, bool]] = {}
    objective: float = 0.0
    bound: float | None = 0.0
    statuses: dict[str, str] = {}
    for department, size in sizes.items():
        if size == 0:
            statuses[department] = "NO_SESSIONS"
            continue
        remaining = max(0.1, options.time_limit_seconds - (time.monotonic() - started))
        budget = remaining * size / (total_size - done_size)

        def report(value, best_bound, elapsed, d=department, s=size, b=budget, before=done_size):
            if progress is not None:
                fraction = (before + s * min(1.0, elapsed / b)) / total_size
                message = f"department {d}: objective {value:.0f}, bound {best_bound:.0f}"
                progress(fraction, message, {"department": d, "objective": value})

        outcome = solve_department(
            sessions_by_department[department],
            requests_by_department[department],
            last_date,
            options,
            budget,
            report,
        )
        chosen.update(outcome.chosen)
        statuses[department] = outcome.status
        objective += outcome.objective
        # Without a proven bound for one department there is none for the batch.
        bound = None if bound is None or outcome.bound is None else bound + outcome.bound
        done_size += size
        if progress is not None:
            message = f"department {department}: {outcome.status.lower()}"
            progress(done_size / total_size, message, {"department": department})
    assignments = sequence(sessions, requests, chosen)
    overall = (
        "OPTIMAL" if all(s in ("OPTIMAL", "NO_SESSIONS") for s in statuses.values()) else "FEASIBLE"
    )
    if progress is not None:
        progress(1.0, f"solved: {overall}", {"objective": objective, "bound": bound})
    return SolveResult(
        assignments=assignments,
        status=overall,
        objective=objective,
        bound=bound,
        wall_seconds=time.monotonic() - started,
        statistics={"departments": statuses},
    )
