"""What the weekends alone allow on the Curtois–Qu instances, against the solver's rosters.

Usage: .venv/bin/python bench/roster_weekends.py [--time-limit 30] [--solve 60] [--workers 2]
       [--only 19 20 21]
For each instance: the persons its weekends ask for, the most its members' weekend limits allow
(every weekend worked whole), the fewest persons short that the pairs of shifts a weekend
allows leave (see ``short_by_pairs``), and the fewest persons short that CP-SAT finds in
``--time-limit`` seconds (0 leaves it out), with its bound, given the weekend days alone and
every rule that concerns them alone: one shift a day, the shift types each member may work,
leave, the successions from Saturday to Sunday, and the weekend, shift-type and minutes maxima
(weekday work only tightens these). A roster of the whole period can leave no fewer short on
weekends. With ``--solve S``, the solver's roster at S seconds (seed 0) too: persons short on
weekends and on weekdays, and the weekends worked on one day only.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from ortools.graph.python import max_flow
from ortools.sat.python import cp_model

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.roster_curtois import INSTANCES  # noqa: E402
from scheduling.engine.roster import RosterProblem, SolveParameters, curtois, solve  # noqa: E402
from scheduling.engine.roster.model import build_model  # noqa: E402

Cell = tuple[str, int, str]  # staff id, day, shift code


def weekend_days(problem: RosterProblem) -> set[int]:
    return {day for days in problem.weekends() for day in days}


def weekend_cells(problem: RosterProblem) -> list[Cell]:
    """The shift variables of the roster model that fall on a weekend day."""
    days = weekend_days(problem)
    return [key for key in build_model(problem).x if key[1] in days]


def weekends_alone(problem: RosterProblem, seconds: float, workers: int) -> tuple[int, int, float]:
    """The fewest persons short on weekends found, CP-SAT's bound on them, and the seconds."""
    model = cp_model.CpModel()
    x = {key: model.new_bool_var(f"x{key}") for key in weekend_cells(problem)}
    by_member: dict[str, list[Cell]] = {member.id: [] for member in problem.staff}
    for key in x:
        by_member[key[0]].append(key)
    shifts = problem.shift_by_code()
    for member in problem.staff:
        _member_rules(model, x, member, by_member[member.id], problem, shifts)
    working: dict[tuple[int, str], list] = {}
    for (_, day, code), var in x.items():
        working.setdefault((day, code), []).append(var)
    days = weekend_days(problem)
    short = []
    for row in (row for row in problem.coverage if row.day in days):
        missing = model.new_int_var(0, row.required, f"short{row.day}{row.shift}")
        model.add(sum(working.get((row.day, row.shift), [])) + missing >= row.required)
        short.append(missing)
    model.minimize(sum(short))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    started = time.monotonic()
    solver.solve(model)
    return (
        round(solver.objective_value),
        round(solver.best_objective_bound),
        time.monotonic() - started,
    )


def _member_rules(model, x, member, cells: list[Cell], problem: RosterProblem, shifts) -> None:
    by_day: dict[int, list] = {}
    for key in cells:
        by_day.setdefault(key[1], []).append(x[key])
    for variables in by_day.values():
        model.add(sum(variables) <= 1)
    for saturday, sunday in (days for days in problem.weekends() if len(days) == 2):
        for shift in problem.shift_types:
            for successor in shift.forbidden_successors:
                first = x.get((member.id, saturday, shift.code))
                second = x.get((member.id, sunday, successor))
                if first is not None and second is not None:
                    model.add(first + second <= 1)
    if member.max_weekends is not None:
        worked = []
        for days in problem.weekends():
            variables = [var for day in days for var in by_day.get(day, [])]
            if variables:
                any_worked = model.new_bool_var(f"weekend{member.id}{days[0]}")
                model.add_max_equality(any_worked, variables)
                worked.append(any_worked)
        model.add(sum(worked) <= member.max_weekends)
    for code, limit in member.max_shifts_per_type.items():
        model.add(sum(x[key] for key in cells if key[2] == code) <= limit)
    if member.max_minutes is not None:
        minutes = sum(shifts[key[2]].length_minutes * x[key] for key in cells)
        model.add(minutes <= member.max_minutes)


def roster_figures(problem: RosterProblem, seconds: float, workers: int) -> tuple[int, int, int]:
    """The solver's roster at ``seconds``: persons short on weekends and on weekdays, and the
    weekends its members work on one day only."""
    solution = solve(problem, SolveParameters(time_limit_seconds=seconds, workers=workers))
    placed = Counter((day, code) for (_, day), code in solution.assignments.items())
    days = weekend_days(problem)
    short = Counter()
    for row in problem.coverage:
        short[row.day in days] += max(0, row.required - placed[row.day, row.shift])
    half = sum(
        sum((member.id, day) in solution.assignments for day in weekend) == 1
        for member in problem.staff
        for weekend in problem.weekends()
        if len(weekend) == 2
    )
    return short[True], short[False], half


def weekend_capacity(problem: RosterProblem) -> int:
    """The most weekend shifts the members' weekend limits allow, every weekend worked whole
    where leave lets it."""
    total = 0
    for member in problem.staff:
        free = _free_days(problem, member)
        limit = member.max_weekends if member.max_weekends is not None else len(free)
        total += sum(sorted(free, reverse=True)[:limit])
    return total


def _free_days(problem: RosterProblem, member) -> list[int]:
    """The member's days not on leave, weekend by weekend."""
    return [
        sum((member.id, day) not in problem.leave for day in days) for days in problem.weekends()
    ]


def short_by_pairs(problem: RosterProblem) -> int:
    """The fewest persons short on weekends in any roster, counted by pairs. A member's weekend
    covers two persons only when its Sunday shift may follow its Saturday one: each weekend
    holds at most as many such pairs as a maximum flow from Saturday's cover to Sunday's over
    the successions allowed, and the weekends the members may work (their limits, leave
    aside) cap pairs and single days together. (Cover rows are summed by day and shift, as
    in the Curtois-Qu instances, which name no skills.)"""
    asked: Counter = Counter()
    for row in problem.coverage:
        asked[row.day, row.shift] += row.required
    forbidden = problem.forbidden_pairs()
    codes = [shift.code for shift in problem.shift_types]
    weekends = problem.weekends()
    demand = sum(asked[day, code] for days in weekends for day in days for code in codes)
    pairs = sum(_most_pairs(asked, days, codes, forbidden) for days in weekends if len(days) == 2)
    units = 0
    for member in problem.staff:
        free = sum(days > 0 for days in _free_days(problem, member))
        limit = member.max_weekends if member.max_weekends is not None else free
        units += min(limit, free)
    whole = min(pairs, units)
    return demand - 2 * whole - min(units - whole, demand - 2 * whole)


def _most_pairs(asked: Counter, weekend: list[int], codes: list[str], forbidden) -> int:
    saturday, sunday = weekend
    flow = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    first = {code: 2 + k for k, code in enumerate(codes)}
    second = {code: 2 + len(codes) + k for k, code in enumerate(codes)}
    for code in codes:
        flow.add_arc_with_capacity(source, first[code], asked[saturday, code])
        flow.add_arc_with_capacity(second[code], sink, asked[sunday, code])
        for successor in codes:
            if (code, successor) not in forbidden:
                flow.add_arc_with_capacity(first[code], second[successor], asked[saturday, code])
    flow.solve(source, sink)
    return flow.optimal_flow()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30)
    parser.add_argument("--solve", type=float, default=0, metavar="SECONDS")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", type=int, nargs="*", default=[19, 20, 21])
    args = parser.parse_args()
    header = (
        "| instance | weekend persons asked | weekend limits allow | fewest short, by pairs "
        "| fewest short, weekends alone | bound | s |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if args.solve:
        header += " roster: short on weekends | on weekdays | one-day weekends |"
        rule += "---:|---:|---:|"
    print(header)
    print(rule)
    for number in args.only:
        problem = curtois.to_problem(curtois.parse_file(INSTANCES / f"Instance{number}.txt"))
        days = weekend_days(problem)
        asked = sum(row.required for row in problem.coverage if row.day in days)
        alone = "| – | – | – |"
        if args.time_limit > 0:
            found, bound, seconds = weekends_alone(problem, args.time_limit, args.workers)
            alone = f"| {found} | {bound} | {seconds:.1f} |"
        line = (
            f"| Instance{number} | {asked} | {weekend_capacity(problem)} "
            f"| {short_by_pairs(problem)} {alone}"
        )
        if args.solve:
            line += " {} | {} | {} |".format(*roster_figures(problem, args.solve, args.workers))
        print(line, flush=True)


if __name__ == "__main__":
    main()
