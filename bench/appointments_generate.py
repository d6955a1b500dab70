"""Generate a realistic outpatient batch in the solve_appointments CSV formats.

Two weeks of weekday clinics for ``--clinicians`` clinicians over six departments (a morning
or an afternoon session on about three weekdays in five, each room shared by a morning and an
afternoon clinician) and ``--requests`` requests: a referral backlog plus new referrals arriving
through the fortnight, of mixed urgency (1 routine … 4 urgent), some with a preferred clinician
or dates they cannot come; about 117% of the session minutes are asked for. REQUESTS.csv
lists requests in referral order, which first-come-first-served follows.

    .venv/bin/python bench/appointments_generate.py --out bench/out/appointments --seed 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.engine.appointments.csvio import write_requests, write_sessions  # noqa: E402
from scheduling.engine.appointments.model import Request, Session  # noqa: E402

DEPARTMENTS = ("CARD", "ORTH", "PAED", "ONC", "RAD", "MED")
MORNING, AFTERNOON = (9 * 60, 12 * 60 + 30), (13 * 60 + 30, 17 * 60)
DURATIONS, DURATION_SHARES = (10, 15, 20, 30, 45, 60, 90), (0.2, 0.2, 0.15, 0.2, 0.1, 0.1, 0.05)
URGENCY_SHARES = (0.55, 0.25, 0.13, 0.07)
MAX_WAIT = {1: 42, 2: 21, 3: 10, 4: 3}
# Routine referrals are booked ahead of their earliest date, urgent ones the day they arrive.
REFERRAL_LEAD = {1: 14, 2: 7, 3: 2, 4: 0}


def generate(
    clinicians: int, requests: int, seed: int, start: dt.date, days_on: float = 0.6
) -> tuple[list[Session], list[Request]]:
    rng = np.random.default_rng(seed)
    days = [start + dt.timedelta(days=i) for i in range(14)]
    weekdays = [day for day in days if day.weekday() < 5]
    sessions = []
    for index in range(clinicians):
        department = DEPARTMENTS[index % len(DEPARTMENTS)]
        position = index // len(DEPARTMENTS)
        hours = MORNING if position % 2 == 0 else AFTERNOON
        room = f"{department}-R{position // 2 + 1}"
        for day in weekdays:
            if rng.random() < days_on:
                sessions.append(
                    Session(
                        f"S{len(sessions) + 1:05d}",
                        f"C{index + 1:03d}",
                        room,
                        department,
                        day,
                        *hours,
                    )
                )
    clinicians_of = {
        d: sorted({s.clinician_id for s in sessions if s.department_id == d}) for d in DEPARTMENTS
    }
    generated = []
    for number in range(requests):
        department = DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))]
        level = int(rng.choice([1, 2, 3, 4], p=URGENCY_SHARES))
        backlog = rng.random() < 0.25
        offset = -int(rng.integers(1, 8)) if backlog else int(rng.integers(0, 14))
        earliest = start + dt.timedelta(days=offset)
        if earliest.weekday() >= 5:
            earliest += dt.timedelta(days=7 - earliest.weekday())
        preferred = None
        if clinicians_of[department] and rng.random() < 0.3:
            preferred = str(rng.choice(clinicians_of[department]))
        unavailable = frozenset()
        if rng.random() < 0.2:
            count = int(rng.integers(1, 4))
            unavailable = frozenset(
                weekdays[int(i)] for i in rng.choice(len(weekdays), size=count, replace=False)
            )
        referral = earliest - dt.timedelta(days=int(rng.integers(0, REFERRAL_LEAD[level] + 1)))
        generated.append(
            (
                referral,
                rng.random(),
                Request(
                    f"R{number + 1:05d}",
                    f"P{int(rng.integers(10**6, 10**7))}",
                    department,
                    int(rng.choice(DURATIONS, p=DURATION_SHARES)),
                    level,
                    MAX_WAIT[level],
                    earliest,
                    preferred,
                    unavailable,
                ),
            )
        )
    generated.sort(key=lambda item: (item[0], item[1]))
    return sessions, [item[2] for item in generated]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinicians", type=int, default=40)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2027, 1, 4))
    parser.add_argument(
        "--days-on", type=float, default=0.6, help="share of weekdays each clinician holds a clinic"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/out/appointments"))
    args = parser.parse_args()
    sessions, requests = generate(
        args.clinicians, args.requests, args.seed, args.start, args.days_on
    )
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "sessions.csv", "w", newline="") as handle:
        write_sessions(handle, sessions)
    with open(args.out / "requests.csv", "w", newline="") as handle:
        write_requests(handle, requests)
    capacity = sum(s.capacity for s in sessions)
    demand = sum(r.booked_minutes for r in requests)
    print(
        f"{len(sessions)} sessions ({capacity} minutes), {len(requests)} requests "
        f"({demand} minutes, load {demand / capacity:.0%}) written to {args.out}"
    )


if __name__ == "__main__":
    main()
