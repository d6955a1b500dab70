"""Compare first-come-first-served, deadline-first and the CP-SAT batch solver on one batch.

    .venv/bin/python bench/appointments_compare.py --sessions bench/out/appointments/sessions.csv \
        --requests bench/out/appointments/requests.csv --time-limit 60 --workers 2

Prints urgency-weighted waiting, breaches, unavoidable breaches (no session of the department
inside the request's window, whatever the method), unscheduled requests, preferred clinician
kept and wall-clock solve time for each method, after checking every schedule's hard rules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.engine.appointments import (  # noqa: E402
    SolverOptions,
    deadline_first,
    evaluate,
    first_come_first_served,
    solve,
    violations,
)
from scheduling.engine.appointments.csvio import read_requests, read_sessions  # noqa: E402
from scheduling.engine.appointments.daylevel import waiting_lower_bound  # noqa: E402
from scheduling.engine.appointments.evaluate import last_session_date  # noqa: E402


def unavoidable_breaches(sessions, requests) -> int:
    """Requests with no session they may use on or before their deadline, although their
    deadline falls inside the sessions' dates: breached by any method."""
    last = last_session_date(sessions)
    return sum(
        request.deadline <= last
        and not any(request.may_use(s) and s.date <= request.deadline for s in sessions)
        for request in requests
    )


def lower_bound(sessions, requests, seconds: float) -> tuple[int, int]:
    last = last_session_date(sessions)
    total_breaches = total_waiting = 0
    for department in sorted({r.department_id for r in requests}):
        breaches, waiting = waiting_lower_bound(
            [s for s in sessions if s.department_id == department],
            [r for r in requests if r.department_id == department],
            last,
            seconds,
        )
        total_breaches, total_waiting = total_breaches + breaches, total_waiting + waiting
    return total_breaches, total_waiting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=Path, required=True)
    parser.add_argument("--requests", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--bound-seconds",
        type=float,
        default=0.0,
        help="also prove a lower bound on waiting, this many seconds per department (0: skip)",
    )
    parser.add_argument(
        "--continuity-days",
        type=float,
        default=SolverOptions.continuity_days,
        help="urgency-weighted waiting days the solver trades to keep the preferred clinician",
    )
    args = parser.parse_args()
    with open(args.sessions, newline="") as handle:
        sessions = read_sessions(handle, str(args.sessions))
    with open(args.requests, newline="") as handle:
        requests = read_requests(handle, sessions, str(args.requests))
    print(
        f"{len(sessions)} sessions, {len(requests)} requests, "
        f"{len({s.clinician_id for s in sessions})} clinicians; "
        f"unavoidable breaches: {unavoidable_breaches(sessions, requests)}"
    )
    options = SolverOptions(
        time_limit_seconds=args.time_limit,
        workers=args.workers,
        random_seed=args.seed,
        continuity_days=args.continuity_days,
    )
    methods = {
        "first-come-first-served": lambda: first_come_first_served(sessions, requests),
        "deadline-first": lambda: deadline_first(sessions, requests),
        "CP-SAT": lambda: solve(sessions, requests, options).assignments,
    }
    rows = []
    for name, run in methods.items():
        started = time.monotonic()
        assignments = run()
        seconds = time.monotonic() - started
        problems = violations(sessions, requests, assignments)
        if problems:
            raise SystemExit(f"{name} broke hard rules: {problems[:5]}")
        metrics = evaluate(sessions, requests, assignments)
        rows.append((name, metrics, seconds))
    best_baseline = min(m.weighted_waiting for _, m, _ in rows[:2])
    header = (
        "| method | weighted waiting | vs better baseline | breaches | unscheduled "
        "| preferred kept | seconds |"
    )
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, metrics, seconds in rows:
        change = (metrics.weighted_waiting - best_baseline) / best_baseline
        print(
            f"| {name} | {metrics.weighted_waiting} | {change:+.1%} | {metrics.breaches} "
            f"| {metrics.unscheduled} | {metrics.preferred_kept}/{metrics.preferred_requested} "
            f"| {seconds:.1f} |"
        )
    if args.bound_seconds > 0:
        breaches, waiting = lower_bound(sessions, requests, args.bound_seconds)
        print(
            f"lower bound (day-level relaxation, {args.bound_seconds:g} s per department): "
            f"urgency-weighted breaches >= {breaches}, and with that many, "
            f"weighted waiting >= {waiting} ({(waiting - best_baseline) / best_baseline:+.1%})"
        )
    print(f"measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
