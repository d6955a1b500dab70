"""The staff-by-staff search: built from the same model restricted to a few members."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from scheduling.engine.roster import curtois, solve
from scheduling.engine.roster.construction import StaffByStaff

from .helpers import FAST

TINY = Path(__file__).resolve().parents[3] / "data" / "curtois_tiny.txt"


def test_construction_places_everyone_within_the_hard_rules_and_improving_never_worsens():
    instance = curtois.parse_file(TINY)
    builder = StaffByStaff(curtois.to_problem(instance), seed=3)
    assert builder.construct(time.monotonic() + 10)
    assert curtois.violations(instance, builder.roster) == []
    built = builder.objective()
    assert built == curtois.penalty(instance, builder.roster)
    builder.improve(time.monotonic() + 1.5)
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster) <= built


def test_solve_through_the_staff_by_staff_start_keeps_the_rules_and_the_objective():
    instance = curtois.parse_file(TINY)
    parameters = replace(FAST, construct_from_variables=0, time_limit_seconds=4)
    solution = solve(curtois.to_problem(instance), parameters)
    assert solution.has_roster
    assert curtois.violations(instance, solution.assignments) == []
    assert curtois.penalty(instance, solution.assignments) == solution.objective
    assert solution.bound <= solution.objective


def test_largest_problems_are_solved_staff_by_staff_only():
    instance = curtois.parse_file(TINY)
    progress = []
    solution = solve(
        curtois.to_problem(instance),
        replace(FAST, time_limit_seconds=2, staff_by_staff_only_from=10),
        progress.append,
    )
    assert solution.status == "FEASIBLE"
    assert curtois.violations(instance, solution.assignments) == []
    assert curtois.penalty(instance, solution.assignments) == solution.objective
    assert sum(solution.penalties.values()) == solution.objective
    assert progress and progress[-1].objective == solution.objective
