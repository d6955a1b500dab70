from __future__ import annotations

import datetime as dt
from collections import Counter

from scheduling.engine.roster import (
    CoverageRequirement,
    RosterProblem,
    ShiftType,
    SolveParameters,
    StaffMember,
    solve,
)

MONDAY = dt.date(2026, 12, 7)
DAY = ShiftType("D", 480, start_minute=8 * 60, name="Day")
NIGHT = ShiftType("N", 600, start_minute=21 * 60, forbidden_successors=("D",), is_night=True)
FAST = SolveParameters(time_limit_seconds=5, workers=1, seed=1, diagnosis_seconds=5)


def cover(days, shift="D", required=1, **kwargs) -> list[CoverageRequirement]:
    return [CoverageRequirement(day=d, shift=shift, required=required, **kwargs) for d in days]


def problem(staff, shifts=(DAY,), days=7, **kwargs) -> RosterProblem:
    return RosterProblem(
        start_date=kwargs.pop("start_date", MONDAY),
        num_days=days,
        staff=list(staff),
        shift_types=list(shifts),
        **kwargs,
    )


def staff(identifier="A", **kwargs) -> StaffMember:
    return StaffMember(id=identifier, **kwargs)


def solved(p: RosterProblem):
    solution = solve(p, FAST)
    assert solution.status == "OPTIMAL", solution.explanation
    return solution


def worked_days(solution, staff_id="A") -> list[int]:
    return sorted(day for (sid, day) in solution.assignments if sid == staff_id)


def longest_run(days: list[int]) -> int:
    best = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day == previous + 1 else 1
        best, previous = max(best, run), day
    return best


def shifts_per_day(solution) -> Counter:
    return Counter(day for (_, day) in solution.assignments)


def roster_of(roster_model, incumbent) -> dict[tuple[str, int], str]:
    """The cells an incumbent of ``roster_model`` works: (staff id, day) -> shift code."""
    return {
        (staff_id, day): code
        for (staff_id, day, code), var in roster_model.x.items()
        if incumbent.values[var.Index()]
    }
