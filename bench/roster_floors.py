"""Curtois–Qu instances with hard coverage floors added: does every solve path still return a
roster that keeps them, and at what objective?

Usage: .venv/bin/python bench/roster_floors.py [--time-limit 60] [--workers 2] [--seed 0]
       [--floor 1] [--from-required 3] [--only 13 21 23 24]
Every coverage row asking for ``--from-required`` staff or more gets a hard floor of ``--floor``
(the benchmark files have none: shortfalls there are only penalised). Each instance is solved by
``solver.solve`` in this process; a roster is checked by the instance's own evaluator (hard
rules and objective) and for its floors; the status, objective, floors left short and wall
seconds are printed, with the first line of the explanation where no roster came back.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.roster_curtois import INSTANCES  # noqa: E402
from scheduling.engine.roster import SolveParameters, curtois, solve  # noqa: E402


def with_floors(problem, floor: int, from_required: int):
    """``problem`` with a hard floor of ``floor`` on every row asking for ``from_required`` or
    more (never above the row's own requirement)."""
    problem.coverage = [
        replace(row, minimum=min(floor, row.required)) if row.required >= from_required else row
        for row in problem.coverage
    ]
    return problem


def floors_short(problem, roster: dict[tuple[str, int], str]) -> int:
    counts = Counter((day, code) for (_, day), code in roster.items())
    return sum(counts[row.day, row.shift] < row.minimum for row in problem.coverage)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--floor", type=int, default=1)
    parser.add_argument("--from-required", type=int, default=3)
    parser.add_argument("--only", type=int, nargs="*", default=[13, 21, 23, 24])
    args = parser.parse_args()
    parameters = SolveParameters(
        time_limit_seconds=args.time_limit, workers=args.workers, seed=args.seed
    )
    print(
        "| instance | floors | status | objective | hard violations | floors short | wall s "
        "| explanation |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---|")
    for number in args.only:
        instance = curtois.parse_file(INSTANCES / f"Instance{number}.txt")
        problem = with_floors(curtois.to_problem(instance), args.floor, args.from_required)
        floors = sum(row.minimum > 0 for row in problem.coverage)
        started = time.monotonic()
        solution = solve(problem, parameters)
        wall = time.monotonic() - started
        if solution.has_roster:
            roster = solution.assignments
            objective = curtois.penalty(instance, roster)
            assert objective == solution.objective, "evaluator and solver disagree"
            checks = (
                f"{len(curtois.violations(instance, roster))} | {floors_short(problem, roster)}"
            )
            print(
                f"| Instance{number} | {floors} | {solution.status} | {objective} | {checks} "
                f"| {wall:.1f} | |",
                flush=True,
            )
        else:
            reason = (solution.explanation or [""])[0]
            print(
                f"| Instance{number} | {floors} | {solution.status} | | | | {wall:.1f} "
                f"| {reason} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
