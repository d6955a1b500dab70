"""Seconds per call of the pattern-of-days program on the year-long Curtois–Qu instances.

Usage: .venv/bin/python bench/roster_patterns.py [--members 8] [--repeat 3] [--only 22 23 24]
The first members of each instance are planned by their pattern of days as the staff-by-staff
construction plans them; the program's inputs from those plans are then solved again
``--repeat`` times, and the mean seconds per call is printed with a digest of the patterns
found (equal digests: equal patterns).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.roster_curtois import INSTANCES  # noqa: E402
from scheduling.engine.roster import construction, curtois  # noqa: E402
from scheduling.engine.roster.patterns import best_pattern  # noqa: E402


def recorded_inputs(number: int, members: int) -> list[tuple]:
    """The program's inputs while the first ``members`` members are planned."""
    problem = curtois.to_problem(curtois.parse_file(INSTANCES / f"Instance{number}.txt"))
    builder = construction.StaffByStaff(problem, seed=0)
    inputs: list[tuple] = []

    def recording(rules, values, sizes, follows=None):
        inputs.append((rules, [list(row) for row in values], list(sizes), follows))
        return best_pattern(rules, values, sizes, follows)

    construction.best_pattern = recording
    try:
        for staff_id in list(builder.members)[:members]:
            builder._build_by_pattern(staff_id, seconds=1.0)
    finally:
        construction.best_pattern = best_pattern
    return inputs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", type=int, nargs="*", default=[22, 23, 24])
    args = parser.parse_args()
    print("| instance | calls | seconds per call | patterns digest |")
    print("|---|---:|---:|---|")
    for number in args.only:
        inputs = recorded_inputs(number, args.members)
        best_pattern(*inputs[0])  # compiled (or loaded from Numba's cache) before the clock
        started = time.monotonic()
        for _ in range(args.repeat):
            found = [best_pattern(*call) for call in inputs]
        each = (time.monotonic() - started) / (args.repeat * len(inputs))
        digest = hashlib.sha256(repr(found).encode()).hexdigest()[:12]
        print(f"| Instance{number} | {len(inputs)} | {each:.3f} | {digest} |")


if __name__ == "__main__":
    main()
