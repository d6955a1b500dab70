from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from scheduling.engine.roster import (
    LockedCell,
    ShiftType,
    SolveParameters,
    repair,
    solve,
)
from scheduling.engine.roster.model import build_model
from scheduling.engine.roster.neighbourhood import repair_previous

from .helpers import DAY, FAST, cover, problem, roster_of, solved, staff

CHRISTMAS_EVE_WEEK = dt.date(2026, 12, 21)  # a Monday; day 3 is 2026-12-24
NIGHT = ShiftType("N", 600, start_minute=21 * 60, name="night", is_night=True)


def icu_team(size: int):
    return [staff(f"S{i}", skills=frozenset({"ICU"})) for i in range(size)]


def test_too_few_skilled_staff_after_leave_is_explained_in_words():
    p = problem(
        icu_team(3),
        shifts=(NIGHT,),
        days=5,
        start_date=CHRISTMAS_EVE_WEEK,
        coverage=cover([3], "N", required=3, skill="ICU", minimum=3),
        leave={("S1", 3)},
    )
    solution = solve(p, FAST)
    assert solution.status == "INFEASIBLE"
    assert solution.explanation == [
        "2026-12-24 night: 3 ICU-skilled staff needed, 2 available after approved leave."
    ]


@pytest.mark.parametrize("only_from", [FAST.staff_by_staff_only_from, 0])
def test_conflicting_contract_and_locks_are_named(only_from):
    """On the whole model's path and on the staff-by-staff-only one (large problems), where
    the member cannot be built and its own rules are diagnosed."""
    # Four locked working days in a row against a contract of at most three.
    locks = [LockedCell("A", day, "D") for day in range(4)]
    p = problem([staff(max_consecutive_days=3), staff("B")], days=6, locked=locks)
    solution = solve(p, dataclasses.replace(FAST, staff_by_staff_only_from=only_from))
    assert solution.status == "INFEASIBLE"
    text = "\n".join(solution.explanation)
    assert "A: at most 3 consecutive working days" in text
    assert "A: locked to shift D on 2026-12-07" in text
    assert "B" not in text  # B plays no part in the conflict


def test_contract_minimum_out_of_reach_after_leave():
    p = problem([staff(min_minutes=5 * 480)], days=5, leave={("A", 0), ("A", 1)})
    solution = solve(p, FAST)
    assert solution.status == "INFEASIBLE"
    assert "only 24 h can be worked in 3 days" in solution.explanation[0]


def test_running_out_of_time_before_any_roster_is_said_in_words():
    """Two hundred staff, every requirement a hard floor and every contract a minimum: far
    more than the 0.1 s the search gets at least, so no roster is found and none is proven
    impossible (a longer limit finds one)."""
    contract = {
        "min_minutes": 12 * 480,
        "max_minutes": 20 * 480,
        "max_consecutive_days": 5,
        "min_consecutive_days": 2,
        "min_consecutive_days_off": 2,
        "max_weekends": 2,
        "max_shifts_per_type": {"N": 7},
    }
    team = [staff(f"S{i}", **contract) for i in range(200)]
    rows = cover(range(28), "D", required=66, minimum=66) + cover(
        range(28), "N", required=25, minimum=25
    )
    p = problem(team, shifts=(DAY, NIGHT), days=28, coverage=rows)
    solution = solve(p, dataclasses.replace(FAST, time_limit_seconds=0.001))
    assert solution.status == "UNKNOWN"
    assert solution.explanation == [
        "No roster was found within the time limit of 0.001 s, and no hard rule was proven to "
        "conflict: a longer time limit may find one."
    ]


def test_repair_changes_little_keeps_locks_and_lists_the_changes():
    team = [staff(x, max_consecutive_days=5) for x in "ABCD"]
    p = problem(team, days=14, coverage=cover(range(14), required=2))
    published = solved(p).assignments
    sick_day = 3
    sick = next(sid for (sid, day) in published if day == sick_day)
    kept = next((sid, day) for (sid, day) in published if sid != sick and day == 9)
    p.leave = {(sick, sick_day)}
    p.locked = [LockedCell(kept[0], kept[1], "D")]
    fixed = repair(p, published, SolveParameters(time_limit_seconds=5, workers=1, seed=2))
    assert fixed.has_roster
    assert (sick, sick_day) not in fixed.assignments
    assert fixed.assignments[kept] == "D"
    listed = {(sid, day) for sid, day, _, _ in fixed.changes}
    differing = {
        cell
        for cell in set(published) | set(fixed.assignments)
        if published.get(cell) != fixed.assignments.get(cell)
    }
    assert listed == differing
    assert (sick, sick_day, "D", None) in fixed.changes
    # A fresh solve could reshuffle the whole fortnight; the repair moves only a few cells.
    assert len(fixed.changes) <= 4
    assert fixed.penalties["coverage_under"] == 0


def test_a_repair_first_mends_only_the_members_whose_cells_can_no_longer_be_kept():
    """Freeing every member around the change at once made a sick call on a team of 120 a
    search too large for its seconds; the sick member alone usually suffices to start from,
    and the search after it may still hand the shift to someone else."""
    team = [staff(x, max_consecutive_days=5) for x in "ABCDEF"]
    p = problem(team, days=14, coverage=cover(range(14), required=2))
    published = solved(p).assignments
    sick, sick_day = next(cell for cell in sorted(published) if cell[1] == 6)
    p.leave = {(sick, sick_day)}
    p.previous = dict(published)
    roster_model = build_model(p)
    mended = repair_previous(roster_model, 5, 1)
    assert mended is not None
    roster = roster_of(roster_model, mended)
    assert (sick, sick_day) not in roster
    for member in "ABCDEF".replace(sick, ""):
        for day in range(14):
            assert roster.get((member, day)) == published.get((member, day))
    fixed = repair(p, published, SolveParameters(time_limit_seconds=5, workers=1, seed=2))
    assert fixed.penalties["coverage_under"] == 0  # someone took the shift in the search after


def test_a_sick_call_on_a_floor_frees_that_day_for_everyone_before_the_days_around_it():
    """A stays home on day 2, where A alone met the floor: someone else must take the shift,
    and nothing else moves, not even the shortfall left on day 3 (the search after may fill
    it; the mended start should differ from the published roster as little as it can)."""
    team = [staff(x, max_consecutive_days=5) for x in "ABCD"]
    floors = cover(range(7), required=1, minimum=1)
    floors[3] = dataclasses.replace(floors[3], required=2)
    p = problem(team, days=7, coverage=floors)
    published = {("A", day): "D" for day in range(5)} | {("B", 5): "D", ("B", 6): "D"}
    p.leave = {("A", 2)}
    p.previous = dict(published)
    roster_model = build_model(p)
    mended = repair_previous(roster_model, 5, 1)
    assert mended is not None
    roster = roster_of(roster_model, mended)
    assert ("A", 2) not in roster
    assert sum(1 for _, day in roster if day == 2) == 1
    others = {cell: code for cell, code in roster.items() if cell[1] != 2}
    assert others == {cell: code for cell, code in published.items() if cell[1] != 2}
