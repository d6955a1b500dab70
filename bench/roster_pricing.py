"""Seconds of column generation's pricing on the Curtois–Qu instances, at fixed rewards.

Usage: .venv/bin/python bench/roster_pricing.py [--rounds 4] [--only 8 13 15]
Every member of each instance is priced once per round by the state program, each round at the
opening rewards of the master scaled at random per coverage row (the same on every run), so two
versions of the program can be timed on the same calls. The total of the lower bounds is printed
beside the seconds: equal totals, equal answers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.roster_curtois import INSTANCES  # noqa: E402
from scheduling.engine.roster import curtois  # noqa: E402
from scheduling.engine.roster.columns import ColumnGeneration  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--only", type=int, nargs="*", default=[8, 13, 15])
    args = parser.parse_args()
    print("| instance | staff | pricings | seconds | ms per pricing | total of lower bounds |")
    print("|---|---:|---:|---:|---:|---:|")
    for number in args.only:
        problem = curtois.to_problem(curtois.parse_file(INSTANCES / f"Instance{number}.txt"))
        generation = ColumnGeneration(problem, workers=1)
        pricers = list(generation.pricers.values())
        opening = np.array(generation.master.opening_duals())
        rng = np.random.default_rng(0)
        rounds = [list(opening * rng.uniform(-0.2, 1.0, opening.size)) for _ in range(args.rounds)]
        pricers[0].price(rounds[0], time.monotonic() + 60)  # compiled or loaded from the cache
        started = time.perf_counter()
        prices = [
            pricer.price(duals, time.monotonic() + 60) for duals in rounds for pricer in pricers
        ]
        seconds = time.perf_counter() - started
        total = sum(price.lower for price in prices if price is not None)
        print(
            f"| Instance{number} | {len(pricers)} | {len(prices)} | {seconds:.2f} "
            f"| {1000 * seconds / len(prices):.2f} | {total:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
