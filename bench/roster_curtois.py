"""Solve the Curtois–Qu instances with `solve_roster` and print objective vs best known.

Usage: .venv/bin/python bench/roster_curtois.py [--time-limit 60] [--workers 2] [--only 1 2 3]
Each instance runs in its own `manage.py solve_roster` process; the objective printed there is
re-checked here by the independent evaluator reading the CSV.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduling.engine.roster import curtois  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "scheduling"
INSTANCES = DATA / "curtois_qu_instances1_24" / "txt"


def best_known() -> dict[str, int]:
    with open(DATA / "best_known.csv", newline="") as handle:
        return {row["instance"]: int(row["best_known_objective"]) for row in csv.DictReader(handle)}


def run(number: int, args: argparse.Namespace, out_dir: Path) -> dict:
    path = INSTANCES / f"Instance{number}.txt"
    out = out_dir / f"Instance{number}.csv"
    started = time.monotonic()
    command = [sys.executable, str(ROOT / "manage.py"), "solve_roster", "--curtois", str(path)]
    command += ["--time-limit", str(args.time_limit), "--workers", str(args.workers)]
    command += ["--seed", str(args.seed), "--out", str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - started
    if completed.returncode != 0:
        return {"instance": f"Instance{number}", "error": completed.stderr.strip()[-300:]}
    instance = curtois.parse_file(path)
    roster = curtois.read_roster_csv(out)
    printed = int(re.search(r"objective=(\d+)", completed.stdout).group(1))
    bound = re.search(r"bound=(\d+)", completed.stdout).group(1)
    return {
        "instance": f"Instance{number}",
        "days": instance.days,
        "objective": curtois.penalty(instance, roster),
        "printed": printed,
        "bound": int(bound),
        "hard_violations": len(curtois.violations(instance, roster)),
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", type=int, nargs="*", default=list(range(1, 25)))
    parser.add_argument("--out-dir", default=str(ROOT / "bench" / "out" / "curtois"))
    args = parser.parse_args()
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    known = best_known()
    print(
        "| instance | days | objective | best known | gap | lower bound | hard violations | wall s |"  # noqa: E501
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for number in args.only:
        row = run(number, args, out_dir)
        if "error" in row:
            print(f"| {row['instance']} | error: {row['error']} |", flush=True)
            continue
        best = known[row["instance"]]
        gap = 100 * (row["objective"] - best) / best
        assert row["objective"] == row["printed"], "evaluator and command disagree"
        print(
            f"| {row['instance']} | {row['days']} | {row['objective']} | {best} | {gap:.2f}% "
            f"| {row['bound']} | {row['hard_violations']} | {row['wall']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
