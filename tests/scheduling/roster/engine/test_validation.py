from __future__ import annotations

import pytest

from scheduling.engine.roster import LockedCell, ProblemError, ShiftType, solve

from .helpers import DAY, FAST, cover, problem, staff


def errors_of(p) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        solve(p, FAST)
    return caught.value.errors


def test_no_staff():
    assert errors_of(problem([], coverage=cover([0]))) == [
        "No staff: add staff members before generating a roster."
    ]


def test_shift_type_nobody_can_work():
    theatre = ShiftType("T", 600, required_skills=frozenset({"THEATRE"}))
    p = problem([staff(skills=frozenset({"RN"}))], shifts=(DAY, theatre), coverage=cover([1], "T"))
    assert errors_of(p) == ["Shift type T: no staff member can work it (needs one of: THEATRE)."]


def test_contradictory_leave_and_locked_shift():
    p = problem([staff()], leave={("A", 2)}, locked=[LockedCell("A", 2, "D")])
    assert errors_of(p) == [
        "Locked cell A on 2026-12-09: contradicts approved leave on that day (locked to D)."
    ]


def test_coverage_row_for_an_unknown_skill_names_the_row():
    p = problem([staff(skills=frozenset({"RN"}))], coverage=cover([0]) + cover([1], skill="ICU"))
    assert errors_of(p) == ["Coverage row 2 (2026-12-08 D): unknown skill 'ICU'."]


def test_every_error_is_reported_not_only_the_first():
    p = problem([], coverage=cover([0], shift="X", skill="ICU"))
    assert len(errors_of(p)) == 3
