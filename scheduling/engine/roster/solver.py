"""Solving a :class:`RosterProblem`: parameters, progress reporting, the result and repair."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from . import branching, columns, construction, neighbourhood
from .diagnosis import (
    explain_infeasibility,
    out_of_time_messages,
    precheck_messages,
    short_floor_messages,
)
from .model import RosterModel, build_model
from .problem import ProgressPoint, RosterProblem, RosterSolution
from .validation import validate

ProgressCallback = Callable[[ProgressPoint], None]


@dataclass
class SolveParameters:
    time_limit_seconds: float = 30.0
    workers: int = 2
    seed: int = 0
    # Seconds given to the diagnosis when the problem turns out infeasible.
    diagnosis_seconds: float = 10.0
    # Share of the time limit for the first whole-model solve; the rest goes to neighbourhood
    # search from its best roster (0 disables the neighbourhood search).
    first_solve_share: float = 0.15
    log: bool = False
    # From this many days on, a staff-by-staff roster is built first and given to the
    # whole-model search as its starting point: over a long period CP-SAT alone is slow to find
    # a first roster. (Up to 84 days the whole model and neighbourhood search do better, on
    # every Curtois-Qu instance up to 40,000 shift variables.)
    construct_from_days: int = 100
    # Share of the time limit the staff-by-staff construction may take at most.
    construct_share: float = 0.8
    # Below ``construct_from_days``, the share of the time limit for building and improving a
    # roster staff by staff before the whole model and neighbourhood search start from it:
    # CP-SAT's own first roster of a large team is far worse (0 builds none). The improvement
    # stops sooner once this share of the time limit passes without the roster getting better
    # by more than ``short_construct_min_gain`` of its objective (a small problem is then left
    # to the whole model, which may prove it optimal at once; a plateau to the neighbourhood
    # search, which leaves it sooner).
    short_construct_share: float = 0.25
    short_construct_patience: float = 0.05
    short_construct_min_gain: float = 0.01
    # From this many, the whole model is not built at all: its presolve alone would take most
    # of a minute; the roster is built and improved staff by staff for the whole time limit.
    staff_by_staff_only_from: int = 60_000
    # There, with hard coverage floors, the share of the time limit kept from the building for
    # re-solving everyone on the days whose floors it left short (see StaffByStaff.mend_floors).
    floor_mend_share: float = 0.2
    # With team-wide terms (fairness, soft minima) the objective does not split by member, so
    # there is no column generation and no staff-by-staff search alone; from this many shift
    # variables the staff-by-staff start is still built (its roster leaves those terms to the
    # whole model and neighbourhood search). Curtois-Qu instances with fairness on, 60 s:
    # Instance13 (120 staff) 2905-3225 against 37,013-46,558 from CP-SAT's own first roster,
    # Instance11 3444 against 3456; below it the start costs small teams more than it gives
    # (Instance4, 468: 1718-1722 against 1716-1718).
    team_terms_start_from_variables: int = 5_000
    # After a staff-by-staff start, the share of the time limit left to the whole-model search.
    whole_model_share: float = 0.25
    # Up to twelve weeks and this many shift variables, the start comes from column
    # generation over each member's whole rosters, for at most ``column_share`` of the time
    # limit (it stops sooner once its bound is proven). That bound is reported; a dive to one
    # column per member (at most ``dive_share``), then the whole model restricted to the
    # cells of the rosters mixed and dived (at most ``restricted_share``) give the start. A
    # round prices every member, and the rounds needed grow with the period, so the rounds'
    # time is limited too, by staff members times days squared: beyond it the bound is not
    # proven in the time. Curtois-Qu Instance18, 22 staff over 84 days, 155,232, and
    # Instance19, 40 over 84 days, 282,240, both gain from it even where the bound is not
    # proven: the dive's start is still better than a staff-by-staff one. ``column_share`` 0
    # disables it.
    columns_up_to_days: int = 84
    columns_up_to_variables: int = 20_000
    columns_up_to_staff_days_squared: int = 300_000
    column_share: float = 0.4
    # Below this many staff members times days squared, members are priced by CP-SAT alone,
    # from it on by the state program (CP-SAT where the program cannot prove its roster). On a
    # small problem CP-SAT's pricing is quick enough, and the rosters its search meets on the
    # way, all offered to the master, give the restricted search more cells to work with
    # (Curtois-Qu Instances 5 and 7, 12,544 and 15,680, were better so); on a larger one its
    # rounds are too slow (Instance12, 47,040: bound not proven in the time).
    program_pricing_from_staff_days_squared: int = 30_000
    dive_share: float = 0.15
    # Near-optimal rosters of the members priced by the program can widen the restricted
    # search. Off: since that search is the neighbourhood search, the wider cells cost
    # Curtois-Qu Instances 14 and 17 their proofs of optimality (1283-1287 and 5760 against
    # 1278 in 6.5 s and 5746 in 32 s), and Instance10 is proven optimal without them.
    near_optimal_share: float = 0.0
    restricted_share: float = 0.15
    # Of the restricted search's time, CP-SAT's share from the dive's roster (all of it where the
    # dive breaks a floor); the neighbourhood search within the same cells has the rest.
    restricted_cp_sat_share: float = 0.33
    # After a start from column generation the whole model only gets a moment: the
    # neighbourhood search improves such a start far more (Curtois-Qu Instance8 and 12).
    first_solve_share_after_columns: float = 0.02
    # After a start from column generation, a neighbourhood search that finds no better roster
    # for this share of the time limit starts again from a new restricted search (the dive's
    # roster re-solved within the same cells with another seed, for at most
    # ``restart_restricted_share`` by CP-SAT and as much again by the neighbourhood search
    # within the cells). Which roster the restricted search returns decides which plateau the
    # search ends on (Curtois-Qu Instance5: 1143 in two seeds of three, 1146 in the third),
    # so several tries reach the better one more often. 0 disables restarts.
    restart_stall_share: float = 0.1
    restart_restricted_share: float = 0.05
    # Where the generation converged, the first such stall hands over to branch and price
    # (``branching``) for at most this share of the time limit, from the best roster so far;
    # a search that sees its whole tree proves that roster optimal. 0 disables it. Each node
    # prices every member again, so beyond a size of staff members times days squared its
    # nodes come too slowly to pay: Curtois-Qu Instance18 (22 staff over 84 days, 155,232)
    # searched 37 nodes in 24 s, Instance16 (62,720) proved its optimum. With 40 % of the time
    # Instance7 ended at 1056-1059 (1056 in 2 of 7 runs), with 60 % 1056, 1056 and 1057.
    branch_share: float = 0.6
    branch_up_to_staff_days_squared: int = 100_000
    # Without a column-generation start, a neighbourhood search that finds no better roster
    # for this share of the time limit hands over to the whole model from its best roster for
    # twice as long, and the two take turns: the neighbourhoods find rosters but never raise
    # the bound, which with fairness on stays far below a roster already optimal unless the
    # whole model searches on. 0 disables it.
    proof_stall_share: float = 0.15


@dataclass
class _ColumnStart:
    """What column generation leaves for the searches: their start (None if none was found in
    time), the proven bound (None if none), the cells of the rosters the master mixed and the
    dive's, and the dive's roster (None where it breaks a hard coverage floor)."""

    start: neighbourhood.Incumbent | None
    bound: int | None
    cells: set | None = None
    dived: neighbourhood.Incumbent | None = None
    # The converged generation, for branch and price (None where it did not converge).
    generation: columns.ColumnGeneration | None = None


class _ProgressRecorder(cp_model.CpSolverSolutionCallback):
    """Records the best objective and bound each time a better roster is found."""

    def __init__(self, on_progress: ProgressCallback | None, started: float) -> None:
        """``started``: when the solve began, which every point's seconds count from."""
        super().__init__()
        self.on_progress = on_progress
        self.points: list[ProgressPoint] = []
        self.started = started
        # A bound proven before the search (column generation's); CP-SAT's may be lower.
        self.floor = 0.0

    def on_solution_callback(self) -> None:
        # A search started from a known roster may first report a worse one of its own: the
        # progress is the best roster over time.
        if self.points and self.ObjectiveValue() > self.points[-1].objective:
            return
        self.record(self.ObjectiveValue(), self.BestObjectiveBound())

    def record(self, objective: float, bound: float) -> None:
        bound = max(bound, self.floor)
        point = ProgressPoint(round(time.monotonic() - self.started, 3), objective, bound)
        self.points.append(point)
        if self.on_progress is not None:
            self.on_progress(point)

    def on_bound(self, bound: float) -> None:
        if self.points:
            self.record(self.points[-1].objective, bound)


def solve(
    problem: RosterProblem,
    parameters: SolveParameters | None = None,
    on_progress: ProgressCallback | None = None,
    known_skills: set[str] | None = None,
) -> RosterSolution:
    """Validate, pre-check and solve; an infeasible problem comes back explained in words."""
    parameters = parameters or SolveParameters()
    validate(problem, known_skills)
    started = time.monotonic()
    early = precheck_messages(problem)
    if early:
        return RosterSolution(status="INFEASIBLE", explanation=early)
    splits = _objective_splits_by_member(problem)
    size = _shift_variables(problem)
    if splits and problem.previous is None and size > parameters.staff_by_staff_only_from:
        return _solve_staff_by_staff(problem, parameters, on_progress, started)
    roster_model = build_model(problem)
    recorder = _ProgressRecorder(on_progress, started)
    # The time limit is the search's: building the model in Python comes on top (it matters
    # only for the largest benchmark instances) and is included in ``wall_seconds``.
    search_started = time.monotonic()
    deadline = search_started + parameters.time_limit_seconds
    constructed = False
    handover = search_started + parameters.time_limit_seconds * parameters.first_solve_share
    start = None
    proven_bound = None
    column_start = None
    first_solve_share = parameters.first_solve_share
    if problem.previous is not None:
        start = _start_from_repaired_roster(roster_model, deadline, parameters, recorder)
    else:
        if splits and _columns_apply(problem, parameters, size):
            column_start = _start_from_columns(
                problem, roster_model, parameters, search_started, deadline, recorder
            )
            start, proven_bound = column_start.start, column_start.bound
            if start is not None:
                first_solve_share = parameters.first_solve_share_after_columns
        if start is None and (splits or size >= parameters.team_terms_start_from_variables):
            start = _start_staff_by_staff(
                problem, roster_model, parameters, time.monotonic(), deadline, recorder, splits
            )
    if start is not None:
        # A repair's start is the published roster mended: the neighbourhood search still
        # follows it, whatever the period.
        constructed = (
            problem.previous is None and problem.num_days >= parameters.construct_from_days
        )
        handover = time.monotonic() + parameters.time_limit_seconds * first_solve_share
    solver = _solver(parameters, max(0.1, deadline - time.monotonic()), recorder)
    use_neighbourhoods = (
        not constructed
        and parameters.first_solve_share < 1.0
        and len(roster_model.x) <= neighbourhood.MAX_VARIABLES
    )
    stopper = None
    if use_neighbourhoods:
        stopper = _stop_after_first_roster(solver, recorder, handover)
    status = solver.solve(roster_model.model, recorder)
    if stopper is not None:
        stopper.set()
    incumbent = _best_roster(solver, status, start)
    values = None
    bound = max(solver.best_objective_bound, proven_bound or 0)
    if incumbent is not None and status != cp_model.OPTIMAL:
        if use_neighbourhoods and time.monotonic() < deadline - 1.0 and incumbent.objective > bound:
            if column_start is not None and column_start.cells:
                incumbent, bound = _search_neighbourhoods(
                    roster_model, incumbent, deadline, parameters, recorder, bound, column_start
                )
            else:
                incumbent, bound = _search_then_prove(
                    roster_model, incumbent, deadline, parameters, recorder, bound
                )
        values = incumbent.values
        status = cp_model.FEASIBLE
    solution = _read_solution(roster_model, solver, status, values, bound)
    solution.progress = recorder.points
    if solution.status == "INFEASIBLE":
        solution.explanation = explain_infeasibility(problem, parameters.diagnosis_seconds)
    elif solution.status == "UNKNOWN":
        solution.explanation = out_of_time_messages(parameters.time_limit_seconds)
    solution.wall_seconds = round(time.monotonic() - started, 3)
    return solution


def repair(
    problem: RosterProblem,
    published: dict[tuple[str, int], str],
    parameters: SolveParameters | None = None,
    on_progress: ProgressCallback | None = None,
    known_skills: set[str] | None = None,
) -> RosterSolution:
    """Re-solve starting from ``published``, penalising each changed cell; lists the changes."""
    problem.previous = dict(published)
    solution = solve(problem, parameters, on_progress, known_skills)
    if solution.has_roster:
        solution.changes = roster_changes(problem, published, solution.assignments)
    return solution


def roster_changes(
    problem: RosterProblem,
    before: dict[tuple[str, int], str],
    after: dict[tuple[str, int], str],
) -> list[tuple[str, int, str | None, str | None]]:
    changes = []
    for member in problem.staff:
        for day in range(problem.num_days):
            old, new = before.get((member.id, day)), after.get((member.id, day))
            if old != new:
                changes.append((member.id, day, old, new))
    return changes


def _start_from_repaired_roster(
    roster_model: RosterModel,
    deadline: float,
    parameters: SolveParameters,
    recorder: _ProgressRecorder,
) -> neighbourhood.Incumbent | None:
    """The published roster mended around the disturbed cells only, made the model's hint and
    the first point of progress (None if none was found in time).

    The published roster itself is usually infeasible after a change (new leave, a new lock);
    re-solving just the neighbourhood of the disturbance gives a complete, feasible and nearly
    unchanged roster for the whole-model search to start from, and the roster returned should
    that search find none of its own in time.
    """
    seconds = min(10.0, 0.3 * (deadline - time.monotonic()))
    repaired = neighbourhood.repair_previous(roster_model, seconds, parameters.workers)
    if repaired is not None:
        repaired.hint(roster_model.model)
        recorder.record(repaired.objective, 0.0)
    return repaired


def _best_roster(
    solver: cp_model.CpSolver, status, start: neighbourhood.Incumbent | None
) -> neighbourhood.Incumbent | None:
    """The whole-model search's roster or the staff-by-staff start, whichever is better: the
    search may be stopped (or time out) before it has turned the start into a roster of its
    own."""
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start
    found = neighbourhood.Incumbent.of(solver)
    if start is not None and start.objective < found.objective:
        return start
    return found


def _shift_variables(problem: RosterProblem) -> int:
    """How many shift variables the whole model would have (leave days left out)."""
    shifts = problem.shift_types
    per_day = {m.id: sum(problem.may_work(m, t) for t in shifts) for m in problem.staff}
    leave = sum(per_day.get(staff_id, 0) for staff_id, _ in problem.leave)
    return problem.num_days * sum(per_day.values()) - leave


def _solve_staff_by_staff(
    problem: RosterProblem,
    parameters: SolveParameters,
    on_progress: ProgressCallback | None,
    started: float,
) -> RosterSolution:
    """The largest problems (a year, a hundred staff and more): the whole model would take most
    of the time limit to build and presolve, so the roster is built and improved a few staff
    members at a time with the same model restricted to them. The bound reported is the trivial
    one (0): no whole-model relaxation is solved."""
    deadline = time.monotonic() + parameters.time_limit_seconds
    builder = construction.StaffByStaff(problem, parameters.seed)
    mend_share = parameters.floor_mend_share if builder.has_floors else 0.0
    build_until = deadline - parameters.time_limit_seconds * mend_share
    if not builder.construct(build_until, parameters.workers):
        return _member_not_placed(problem, builder, parameters, started)
    if not builder.floors_met() and not builder.mend_floors(deadline):
        return _floors_left_short(problem, builder, started)
    recorder = _ProgressRecorder(on_progress, started)
    objective = builder.objective()
    recorder.record(objective, 0.0)

    def improved(by: float) -> None:
        nonlocal objective
        objective -= by
        recorder.record(objective, 0.0)

    # Every move keeps the floors: its restricted model holds them hard.
    builder.improve(deadline, on_improvement=improved, workers=parameters.workers)
    penalties = builder.penalties()
    return RosterSolution(
        status="FEASIBLE",
        assignments=dict(builder.roster),
        objective=float(sum(penalties.values())),
        bound=0.0,
        penalties=penalties,
        progress=recorder.points,
        wall_seconds=round(time.monotonic() - started, 3),
    )


def _member_not_placed(
    problem: RosterProblem,
    builder: construction.StaffByStaff,
    parameters: SolveParameters,
    started: float,
) -> RosterSolution:
    """The building could not place a member. Where the member's own rules cannot hold (its
    leave and locks against its contract), they are named, as the whole model's diagnosis
    would; otherwise the time ran out."""
    for staff_id in builder.unplaced:
        own = problem.of_member(builder.members[staff_id])
        if _proven_infeasible(own, parameters.diagnosis_seconds / 2):
            return RosterSolution(
                status="INFEASIBLE",
                explanation=explain_infeasibility(own, parameters.diagnosis_seconds),
                wall_seconds=round(time.monotonic() - started, 3),
            )
    return RosterSolution(
        status="UNKNOWN",
        explanation=out_of_time_messages(parameters.time_limit_seconds),
        wall_seconds=round(time.monotonic() - started, 3),
    )


def _proven_infeasible(problem: RosterProblem, seconds: float) -> bool:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    return solver.solve(build_model(problem).model) == cp_model.INFEASIBLE


def _floors_left_short(
    problem: RosterProblem, builder: construction.StaffByStaff, started: float
) -> RosterSolution:
    """No roster keeping every hard coverage floor was found in the time: the floors the best
    attempt left short, in words, so that the scheduler can give more time or relax them."""
    return RosterSolution(
        status="UNKNOWN",
        explanation=short_floor_messages(problem, builder.placed),
        wall_seconds=round(time.monotonic() - started, 3),
    )


def _objective_splits_by_member(problem: RosterProblem) -> bool:
    """Apart from coverage, every term of the objective is one member's: no team-wide
    fairness and no soft contract minima. Column generation and the staff-by-staff search
    alone need it; a staff-by-staff start does not, since the whole model it hints and the
    neighbourhood search after it weigh every term."""
    return problem.fairness_weight <= 0 and not any(m.minima_soft for m in problem.staff)


def _staff_days_squared(problem: RosterProblem) -> int:
    """Staff members times days squared: how a column generation round's time grows."""
    return len(problem.staff) * problem.num_days**2


def _columns_apply(problem: RosterProblem, parameters: SolveParameters, size: int) -> bool:
    """Column generation's size limits (it also needs the objective to split by member)."""
    return (
        parameters.column_share > 0
        and problem.num_days <= parameters.columns_up_to_days
        and size <= parameters.columns_up_to_variables
        and _staff_days_squared(problem) <= parameters.columns_up_to_staff_days_squared
    )


def _start_from_columns(
    problem: RosterProblem,
    roster_model: RosterModel,
    parameters: SolveParameters,
    started: float,
    deadline: float,
    recorder: _ProgressRecorder,
) -> _ColumnStart:
    """Column generation's proven bound (None if none) and a start made the model's hint (None
    if none was found in time): the roster of its dive, bettered by the search restricted
    to the cells of the rosters the master mixes, near-optimal ones and the dive's.

    The bound also becomes a constraint on the objective: a search that reaches it stops,
    proven optimal.
    """
    limit = parameters.time_limit_seconds
    program = _staff_days_squared(problem) >= parameters.program_pricing_from_staff_days_squared
    generation = columns.ColumnGeneration(problem, parameters.workers, program)
    result = generation.bound(started + limit * parameters.column_share)
    if result is None:
        return _ColumnStart(None, None)
    bound = result.integer_bound()
    if bound is not None:
        roster_model.model.add(roster_model.total_objective() >= bound)
        recorder.floor = bound
    near = generation.near_optimal(
        time.monotonic() + limit * parameters.near_optimal_share, parameters.seed
    )
    dived = generation.dive(min(deadline, time.monotonic() + limit * parameters.dive_share))
    # None where the dive's roster breaks a hard coverage floor (its columns keep every
    # member's own rules).
    start = neighbourhood.complete(roster_model, dived, max(1.0, deadline - time.monotonic()))
    cells = result.support | near | {(sid, day, code) for (sid, day), code in dived.items()}
    converged = generation if generation.converged else None
    column_start = _ColumnStart(None, bound, cells, start, converged)
    if start is not None:
        start.hint(roster_model.model)  # the restricted search's clone starts from it too
    seconds = min(limit * parameters.restricted_share, deadline - time.monotonic())
    if seconds > 0:
        ends = time.monotonic() + seconds
        within = columns.solve_within(
            roster_model,
            cells,
            seconds if start is None else seconds * parameters.restricted_cp_sat_share,
            parameters.workers,
            parameters.seed,
        )
        if within is not None and (start is None or within.objective < start.objective):
            start = within
            start.hint(roster_model.model)
        if start is not None and time.monotonic() < ends and start.objective > (bound or 0):
            start = columns.improve_within(
                roster_model,
                cells,
                start,
                ends,
                parameters.workers,
                parameters.seed,
                lambda better: recorder.record(better.objective, 0.0),
                bound,
            )
            start.hint(roster_model.model)
    if start is not None:
        recorder.record(start.objective, 0.0)
    column_start.start = start
    return column_start


def _search_neighbourhoods(
    roster_model: RosterModel,
    incumbent: neighbourhood.Incumbent,
    deadline: float,
    parameters: SolveParameters,
    recorder: _ProgressRecorder,
    bound: float,
    restart: _ColumnStart,
) -> tuple[neighbourhood.Incumbent, float]:
    """The neighbourhood search from ``incumbent`` (after the column-generation start
    ``restart``) until ``deadline``: the best roster found and the bound (``bound``, raised
    by branch and price, or the roster's objective where it proved it).

    A search that stalls for ``restart_stall_share`` of the time limit hands over to branch
    and price the first time (where the generation converged), and otherwise starts again
    from a new restricted search, with another seed each time, while time is left for one;
    then the best roster is searched on until the deadline. (Without a column-generation
    start, see ``_search_then_prove``.)
    """
    limit = parameters.time_limit_seconds
    stall = parameters.restart_stall_share * limit
    best = incumbent

    def report(better: neighbourhood.Incumbent) -> None:
        if better.objective < best.objective:
            recorder.record(better.objective, bound)

    start, attempt = incumbent, 0
    while True:
        seed = parameters.seed + 1000 * attempt
        found = neighbourhood.improve(
            roster_model,
            start,
            deadline,
            parameters.workers,
            seed,
            report,
            floor=bound,
            stall_seconds=stall or None,
        )
        best = min(best, found, key=lambda roster: roster.objective)
        attempt += 1
        if not stall or best.objective <= bound:
            return best, bound
        if restart.generation is not None and _branching_applies(roster_model, parameters):
            branched = _branch_and_price(
                restart.generation, roster_model, best, deadline, parameters, recorder, bound
            )
            restart.generation = None  # its pricers and master now keep the last node's decisions
            best = start = branched.incumbent
            if branched.proven:
                recorder.record(best.objective, best.objective)
                return best, best.objective
            if branched.bound > bound:
                bound = branched.bound
                recorder.record(best.objective, bound)
            continue
        seconds = min(
            parameters.restart_restricted_share * limit, (deadline - time.monotonic()) / 3
        )
        if seconds < 1.0:
            # No time for another restricted search: the best roster is searched on until the
            # deadline instead.
            start, stall = best, None
            continue
        start = _restricted_again(roster_model, restart, seconds, parameters.workers, seed + 1000)
        if start is None:
            start = best
        elif start.objective < best.objective:
            best = start
            recorder.record(best.objective, bound)


def _search_then_prove(
    roster_model: RosterModel,
    incumbent: neighbourhood.Incumbent,
    deadline: float,
    parameters: SolveParameters,
    recorder: _ProgressRecorder,
    bound: float,
) -> tuple[neighbourhood.Incumbent, float]:
    """The neighbourhood search and the whole model in turn until ``deadline``: the search
    until it stalls for ``proof_stall_share`` of the time limit, then the whole model from its
    best roster for twice that, which may prove it optimal, raise the bound or find a better
    roster for the search to go on from. The best roster and the bound."""
    stall = parameters.proof_stall_share * parameters.time_limit_seconds or None
    best, attempt = incumbent, 0

    def report(better: neighbourhood.Incumbent) -> None:
        recorder.record(better.objective, bound)

    while True:
        best = neighbourhood.improve(
            roster_model,
            best,
            deadline,
            parameters.workers,
            parameters.seed + 1000 * attempt,
            report,
            floor=bound,
            stall_seconds=stall,
        )
        attempt += 1
        if best.objective <= bound or stall is None or time.monotonic() >= deadline - 1.0:
            return best, bound
        best.hint(roster_model.model)
        solver = _solver(parameters, min(2 * stall, deadline - time.monotonic()), recorder)
        status = solver.solve(roster_model.model, recorder)
        bound = max(bound, solver.best_objective_bound)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = min(best, neighbourhood.Incumbent.of(solver), key=lambda r: r.objective)
        if best.objective <= bound or time.monotonic() >= deadline - 1.0:
            return best, bound


def _branching_applies(roster_model: RosterModel, parameters: SolveParameters) -> bool:
    size = _staff_days_squared(roster_model.problem)
    return parameters.branch_share > 0 and size <= parameters.branch_up_to_staff_days_squared


def _branch_and_price(
    generation: columns.ColumnGeneration,
    roster_model: RosterModel,
    incumbent: neighbourhood.Incumbent,
    deadline: float,
    parameters: SolveParameters,
    recorder: _ProgressRecorder,
    bound: float,
) -> branching.BranchResult:
    """Branch and price from ``incumbent`` for at most ``branch_share`` of the time limit."""
    until = min(
        deadline, time.monotonic() + parameters.branch_share * parameters.time_limit_seconds
    )
    search = branching.BranchAndPrice(generation, roster_model, parameters.seed)
    return search.search(
        incumbent, until, lambda better: recorder.record(better.objective, bound), bound
    )


def _restricted_again(
    roster_model: RosterModel,
    restart: _ColumnStart,
    seconds: float,
    workers: int,
    seed: int,
) -> neighbourhood.Incumbent | None:
    """The restricted search of the column start again with ``seed``: CP-SAT from the dive's
    roster within the start's cells for ``seconds``, then the neighbourhood search within them
    for as long. None if CP-SAT found no roster there."""
    if restart.dived is not None:
        restart.dived.hint(roster_model.model)
    within = columns.solve_within(roster_model, restart.cells, seconds, workers, seed)
    if within is None:
        return None
    return columns.improve_within(
        roster_model,
        restart.cells,
        within,
        time.monotonic() + seconds,
        workers,
        seed,
        lambda better: None,
        restart.bound,
    )


def _start_staff_by_staff(
    problem: RosterProblem,
    roster_model: RosterModel,
    parameters: SolveParameters,
    started: float,
    deadline: float,
    recorder: _ProgressRecorder,
    report: bool = True,
) -> neighbourhood.Incumbent | None:
    """A roster built and improved staff by staff, also made the whole model's hint: over a
    long period until ``whole_model_share`` of the time limit is left, else for
    ``short_construct_share`` of it. None if no complete roster came of it.

    ``report`` False keeps the building's objective out of the progress, since it leaves out
    the team-wide terms (fairness, soft minima): only the finished roster's is reported, in
    full."""
    limit = parameters.time_limit_seconds
    patience = None
    if problem.num_days >= parameters.construct_from_days:
        build_until = started + limit * parameters.construct_share
        improve_until = deadline - limit * parameters.whole_model_share
    else:
        build_until = improve_until = started + limit * parameters.short_construct_share
        patience = limit * parameters.short_construct_patience
    if build_until <= started:
        return None
    built = _construct(
        problem, parameters, build_until, improve_until, recorder if report else None, patience
    )
    if built is None:
        return None
    seconds = max(1.0, deadline - time.monotonic())
    start = neighbourhood.complete(roster_model, built.roster, seconds)
    short_days = built.short_floor_days()
    if start is None and short_days:
        start = _mend_floors(roster_model, built.roster, short_days, deadline, parameters)
    if start is None:
        return None
    if not report:
        recorder.record(start.objective, 0.0)
    start.hint(roster_model.model)
    return start


def _mend_floors(
    roster_model: RosterModel,
    roster: dict[tuple[str, int], str],
    short_days: set[int],
    deadline: float,
    parameters: SolveParameters,
) -> neighbourhood.Incumbent | None:
    """A built roster re-solved for everyone on the days whose hard coverage floors it leaves
    short (the construction sets a floor aside where the members placed before left it out of
    reach), then with each margin of ``construction.FLOOR_MARGINS`` either side, the rest kept
    as built; None if that finds no roster in a fifth of the time left."""
    seconds = 0.2 * (deadline - time.monotonic())
    margins = construction.FLOOR_MARGINS
    return neighbourhood.mend(
        roster_model, roster, set(), short_days, margins, seconds, parameters.workers
    )


def _construct(
    problem: RosterProblem,
    parameters: SolveParameters,
    build_until: float,
    improve_until: float,
    recorder: _ProgressRecorder | None,
    patience: float | None = None,
) -> construction.StaffByStaff | None:
    """A roster built staff by staff until ``build_until`` at the latest, then improved a few
    members at a time until ``improve_until`` (or ``patience`` seconds without a better one);
    each better objective goes to ``recorder`` if given."""
    builder = construction.StaffByStaff(problem, parameters.seed)
    if not builder.construct(build_until, parameters.workers):
        return None
    objective = builder.objective()
    if recorder is not None:
        recorder.record(objective, 0.0)

    def improved(by: float) -> None:
        nonlocal objective
        objective -= by
        if recorder is not None:
            recorder.record(objective, 0.0)

    min_gain = parameters.short_construct_min_gain if patience is not None else 0.0
    builder.improve(
        improve_until,
        on_improvement=improved,
        patience=patience,
        min_gain=min_gain,
        workers=parameters.workers,
    )
    return builder


def _stop_after_first_roster(
    solver: cp_model.CpSolver, recorder: _ProgressRecorder, handover: float
) -> threading.Event:
    """Stop the whole-model search at ``handover`` if a roster is known by then (its own or the
    staff-by-staff start), else at its first.

    The neighbourhood search then takes over for the rest of the time limit.
    """
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.1):
            if recorder.points and time.monotonic() >= handover:
                solver.stop_search()
                return

    threading.Thread(target=watch, daemon=True).start()
    return finished


def _solver(
    parameters: SolveParameters, seconds: float, recorder: _ProgressRecorder
) -> cp_model.CpSolver:
    """A whole-model solver for ``seconds``, its bound improvements going to ``recorder``."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.best_bound_callback = recorder.on_bound
    solver.parameters.num_workers = max(1, parameters.workers)
    solver.parameters.random_seed = parameters.seed
    solver.parameters.log_search_progress = parameters.log
    return solver


def _read_solution(
    roster_model: RosterModel,
    solver: cp_model.CpSolver,
    status,
    values: list[int] | None = None,
    bound: float = 0.0,
) -> RosterSolution:
    """The roster from the solver, or from ``values`` (a better neighbourhood-search roster),
    with ``bound``: the better of the solver's and column generation's."""
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RosterSolution(status=name)
    if values is None:
        values = list(solver.response_proto.solution)

    def value_of(expr) -> int:
        return int(_evaluate(expr, values))

    assignments = {
        (staff_id, day): code
        for (staff_id, day, code), var in roster_model.x.items()
        if values[var.Index()]
    }
    penalties = {
        part: value_of(roster_model.objective_expr(part)) for part in roster_model.objective_parts
    }
    objective = float(sum(penalties.values()))
    bound = min(bound, objective)
    if objective <= bound:
        name = "OPTIMAL"
    return RosterSolution(
        status=name, assignments=assignments, objective=objective, bound=bound, penalties=penalties
    )


def _evaluate(expr, values: list[int]) -> int:
    """Value of a linear expression under a full assignment of the model's variables."""
    if isinstance(expr, int):
        return expr
    flat = cp_model.FlatIntExpr(expr)
    total = sum(c * values[v.index] for v, c in zip(flat.vars, flat.coeffs, strict=True))
    return total + flat.offset
