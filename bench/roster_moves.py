"""Seconds per one-member move of the staff-by-staff search on the year-long Curtois–Qu instances.

Usage: .venv/bin/python bench/roster_moves.py [--moves 40] [--only 22 23 24]
Each instance's roster is built staff by staff (as the solver builds it, 2 workers), then
``--moves`` pattern moves and as many shifts moves re-plan its first members in turn, and the
mean seconds per move of each kind is printed with the objective before and after.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.roster_curtois import INSTANCES  # noqa: E402
from scheduling.engine.roster import construction, curtois  # noqa: E402


def seconds_per_move(builder: construction.StaffByStaff, kind: str, moves: int) -> float:
    members = list(builder.members)
    started = time.monotonic()
    for position in range(moves):
        staff_id = members[position % len(members)]
        if kind == "pattern":
            builder._pattern_move(staff_id, seconds=2.0)
        else:
            builder._shifts_move(staff_id)
    return (time.monotonic() - started) / moves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--only", type=int, nargs="*", default=[22, 23, 24])
    args = parser.parse_args()
    print("| instance | objective built | pattern move s | shifts move s | objective after |")
    print("|---|---:|---:|---:|---:|")
    for number in args.only:
        problem = curtois.to_problem(curtois.parse_file(INSTANCES / f"Instance{number}.txt"))
        builder = construction.StaffByStaff(problem, seed=0)
        builder.construct(time.monotonic() + 60, workers=2)
        built = builder.objective()
        builder._pattern_move(next(iter(builder.members)), seconds=2.0)  # compiled before the clock
        pattern = seconds_per_move(builder, "pattern", args.moves)
        shifts = seconds_per_move(builder, "shifts", args.moves)
        after = builder.objective()
        print(f"| Instance{number} | {built:.0f} | {pattern:.3f} | {shifts:.4f} | {after:.0f} |")


if __name__ == "__main__":
    main()
