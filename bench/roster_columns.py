"""Column generation alone on the Curtois–Qu instances: rounds, seconds and the bound proven.

Usage: .venv/bin/python bench/roster_columns.py [--time-limit 30] [--workers 2] [--only 1 2 3]
Each instance gets ``--time-limit`` seconds at most; the bound printed is the one the solver
reports (rounded up), next to the master's optimum and the best known value.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.roster_curtois import INSTANCES, best_known  # noqa: E402
from scheduling.engine.roster import curtois  # noqa: E402
from scheduling.engine.roster.columns import ColumnGeneration  # noqa: E402
from scheduling.engine.roster.solver import _shift_variables  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", type=int, nargs="*", default=list(range(1, 14)))
    args = parser.parse_args()
    known = best_known()
    print(
        "| instance | staff | shift variables | rounds | seconds | master optimum | bound "
        "| best known | proven |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for number in args.only:
        name = f"Instance{number}"
        problem = curtois.to_problem(curtois.parse_file(INSTANCES / f"{name}.txt"))
        started = time.monotonic()
        result = ColumnGeneration(problem, args.workers).bound(started + args.time_limit)
        seconds = time.monotonic() - started
        if result is None:
            print(f"| {name} | no bound: a member's opening roster was not found in time |")
            continue
        bound = result.integer_bound()
        print(
            f"| {name} | {len(problem.staff)} | {_shift_variables(problem)} | {result.rounds} "
            f"| {seconds:.1f} | {result.lp_objective:.1f} | {bound if bound is not None else '-'} "
            f"| {known[name]} | {'yes' if result.converged else 'no'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
