"""Each hard rule on a tiny instance where it binds: the roster respects it, and the same
instance without the rule gets a roster that breaks it."""

from __future__ import annotations

import dataclasses

from scheduling.engine.roster import LockedCell, ShiftPreference, ShiftType
from scheduling.engine.roster.model import build_model

from .helpers import DAY, NIGHT, cover, longest_run, problem, solved, staff, worked_days


def test_one_shift_a_day_even_when_two_are_short():
    p = problem([staff()], shifts=(DAY, NIGHT), days=1, coverage=cover([0]) + cover([0], "N"))
    solution = solved(p)
    assert len(solution.assignments) == 1
    assert solution.penalties["coverage_under"] == 100


def test_skills_keep_unskilled_staff_off_a_skilled_shift():
    icu_day = ShiftType("D", 480, required_skills=frozenset({"ICU"}))
    team = [staff("A", skills=frozenset({"RN"})), staff("B", skills=frozenset({"ICU"}))]
    p = problem(team, shifts=(icu_day,), days=1, coverage=cover([0], required=2))
    assert solved(p).assignments == {("B", 0): "D"}
    p.shift_types = [DAY]
    assert solved(p).assignments == {("A", 0): "D", ("B", 0): "D"}


def test_approved_leave_is_never_worked():
    p = problem([staff()], days=3, coverage=cover(range(3)), leave={("A", 1)})
    assert worked_days(solved(p)) == [0, 2]
    p.leave = set()
    assert worked_days(solved(p)) == [0, 1, 2]


def test_forbidden_successor_is_not_worked_the_next_day():
    p = problem([staff()], shifts=(DAY, NIGHT), days=2, coverage=cover([0], "N") + cover([1]))
    solution = solved(p)
    assert len(solution.assignments) == 1
    free = dataclasses.replace(NIGHT, forbidden_successors=())
    p.shift_types = [DAY, free]
    assert solved(p).assignments == {("A", 0): "N", ("A", 1): "D"}


def test_minimum_rest_between_a_late_and_an_early_shift():
    late = ShiftType("L", 480, start_minute=14 * 60, min_rest_minutes=11 * 60)  # ends 22:00
    early = ShiftType("E", 480, start_minute=6 * 60)  # 8 h later
    p = problem([staff()], shifts=(late, early), days=2, coverage=cover([0], "L") + cover([1], "E"))
    assert len(solved(p).assignments) == 1
    p.shift_types = [dataclasses.replace(late, min_rest_minutes=8 * 60), early]
    assert len(solved(p).assignments) == 2


def test_max_consecutive_working_days():
    p = problem([staff(max_consecutive_days=2)], days=5, coverage=cover(range(5)))
    days = worked_days(solved(p))
    assert longest_run(days) == 2 and len(days) == 4
    p.staff = [staff()]
    assert longest_run(worked_days(solved(p))) == 5


def test_min_consecutive_working_days_inside_the_period():
    # Only day 2 needs someone; a lone working day between days off is too short.
    p = problem([staff(min_consecutive_days=2)], days=5, coverage=cover([2]))
    days = worked_days(solved(p))
    assert 2 in days and longest_run(days) >= 2
    p.staff = [staff()]
    assert worked_days(solved(p)) == [2]


def test_min_consecutive_days_off_inside_the_period():
    wanted = [0, 1, 3, 4]
    p = problem([staff(min_consecutive_days_off=2)], days=5, coverage=cover(wanted))
    days = worked_days(solved(p))
    # A single day off between working days is too short: day 2 is worked (one over cover).
    assert days == [0, 1, 2, 3, 4]
    p.staff = [staff()]
    assert worked_days(solved(p)) == wanted


def test_max_minutes_of_the_contract():
    p = problem([staff(max_minutes=2 * 480)], days=4, coverage=cover(range(4)))
    assert len(worked_days(solved(p))) == 2
    p.staff = [staff()]
    assert len(worked_days(solved(p))) == 4


def test_max_shifts_of_one_type():
    p = problem([staff(max_shifts_per_type={"D": 1})], days=3, coverage=cover(range(3)))
    assert len(worked_days(solved(p))) == 1
    p.staff = [staff()]
    assert len(worked_days(solved(p))) == 3


def test_min_minutes_of_the_contract_when_hard():
    p = problem([staff(min_minutes=3 * 480)], days=4, coverage=cover([0]))
    assert len(worked_days(solved(p))) == 3
    p.staff = [staff()]
    assert worked_days(solved(p)) == [0]


def test_max_working_weekends():
    weekend_days = [5, 6, 12, 13]
    p = problem([staff(max_weekends=1)], days=14, coverage=cover(weekend_days))
    worked = worked_days(solved(p))
    assert worked in ([5, 6], [12, 13])
    p.staff = [staff()]
    assert worked_days(solved(p)) == weekend_days


def test_locked_cells_hold_against_the_objective():
    p = problem([staff()], days=2, coverage=cover(range(2)), locked=[LockedCell("A", 0, None)])
    assert worked_days(solved(p)) == [1]
    p.locked = [LockedCell("A", 1, "D")]
    p.coverage = []
    assert worked_days(solved(p)) == [1]


def test_hard_minimum_coverage_beats_a_preference():
    avoid = [ShiftPreference("A", 0, "D", wants=False, weight=1000)]
    p = problem([staff()], days=1, coverage=cover([0], minimum=1), preferences=avoid)
    assert worked_days(solved(p)) == [0]
    p.coverage = cover([0])
    assert worked_days(solved(p)) == []


def test_fairness_spreads_nights_evenly():
    # Four nights to cover; two nurses; A would rather work them all (wishes worth 1 each).
    team = [staff("A"), staff("B")]
    wishes = [ShiftPreference("A", day, "N", wants=True, weight=1) for day in range(4)]
    night = ShiftType("N", 600, is_night=True)
    p = problem(team, shifts=(night,), days=4, coverage=cover(range(4), "N"), preferences=wishes)
    unfair = solved(p)
    assert sorted(unfair.assignments) == [("A", day) for day in range(4)]
    p.fairness_weight = 10
    fair = solved(p)
    assert sum(1 for sid, _ in fair.assignments if sid == "A") == 2
    assert fair.penalties["fairness"] == 0


def test_fairness_adds_terms_in_proportion_to_the_shifts_not_the_team_squared():
    """The team total is one variable: written out in each member's constraints, a team of
    120 over four weeks had 1.8 million terms and took tens of seconds to presolve."""
    night = ShiftType("N", 600, is_night=True)
    team = [staff(f"S{k}") for k in range(30)]
    p = problem(team, shifts=(DAY, night), days=28, coverage=cover(range(28), "N"))
    without = _linear_terms(build_model(p))
    p.fairness_weight = 5
    fair = build_model(p)
    # Two deviation constraints per member and count, plus each count's total once.
    assert _linear_terms(fair) - without <= 3 * len(fair.x) + 10 * len(team)


def _linear_terms(roster_model) -> int:
    return sum(len(c.linear.vars) for c in roster_model.model.proto.constraints)


def test_soft_contract_minimum_is_paid_not_forced():
    p = problem([staff(min_minutes=3 * 480, minima_soft=True, minimum_weight=1)], days=4)
    # Extra days are expensive (over cover 100 each); the minimum is only worth 1 per hour.
    p.coverage = cover([0]) + cover([1, 2, 3], required=0, over_weight=100)
    solution = solved(p)
    assert worked_days(solution) == [0]
    assert solution.penalties["minima"] == 16  # 960 minutes short, in started hours
