"""The staff-by-staff search: built from the same model restricted to a few members."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from scheduling.engine.roster import curtois, neighbourhood, solve
from scheduling.engine.roster.construction import StaffByStaff, _Progress, _spans, _within_caps
from scheduling.engine.roster.diagnosis import short_floor_messages
from scheduling.engine.roster.model import build_model
from scheduling.engine.roster.solver import _best_roster

from .helpers import FAST, cover, problem, staff

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
    parameters = replace(FAST, construct_from_days=0, time_limit_seconds=4)
    solution = solve(curtois.to_problem(instance), parameters)
    assert solution.has_roster
    assert curtois.violations(instance, solution.assignments) == []
    assert curtois.penalty(instance, solution.assignments) == solution.objective
    assert solution.bound <= solution.objective


@pytest.mark.parametrize("team_terms", ["fairness", "soft minima"])
def test_a_team_wide_objective_from_the_size_limit_on_starts_from_a_staff_by_staff_roster(
    team_terms, monkeypatch
):
    """Fairness and soft minima do not split by member, yet a large team's roster still starts
    from a staff-by-staff one; its progress reports the whole objective, never the building's
    part of it."""
    instance = curtois.parse_file(TINY)
    base = curtois.to_problem(instance)
    if team_terms == "fairness":
        nights = [replace(t, is_night=t.code == "N") for t in base.shift_types]
        team_problem = replace(base, fairness_weight=5, shift_types=nights)
    else:
        team_problem = replace(base, staff=[replace(m, minima_soft=True) for m in base.staff])
    built: list[StaffByStaff] = []
    construct = StaffByStaff.construct

    def construct_and_count(self, *args, **kwargs):
        built.append(self)
        return construct(self, *args, **kwargs)

    monkeypatch.setattr(StaffByStaff, "construct", construct_and_count)
    progress = []
    parameters = replace(FAST, time_limit_seconds=3, team_terms_start_from_variables=0)
    solution = solve(team_problem, parameters, progress.append)
    assert len(built) == 1
    assert solution.has_roster
    assert sum(solution.penalties.values()) == solution.objective
    if team_terms == "fairness":  # (soft minima may leave a member short: the file's rule)
        assert curtois.violations(instance, solution.assignments) == []
    objectives = [point.objective for point in progress]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[-1] == solution.objective
    built.clear()
    below = replace(parameters, time_limit_seconds=1, team_terms_start_from_variables=10**9)
    assert solve(team_problem, below).has_roster
    assert built == []


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


def _with_floors(instance: curtois.CurtoisInstance, floor: int | None = None):
    """The instance's problem with a hard floor of ``floor`` on every coverage row (default:
    each row's own requirement)."""
    problem = curtois.to_problem(instance)
    problem.coverage = [
        replace(row, minimum=row.required if floor is None else floor) for row in problem.coverage
    ]
    return problem


def _short_floors(problem, roster: dict[tuple[str, int], str]) -> list:
    counts = Counter((day, code) for (_, day), code in roster.items())
    return [row for row in problem.coverage if counts[row.day, row.shift] < row.minimum]


def test_mending_refills_hard_floors_left_short_keeping_every_rule():
    """Every member's cells taken off four days leave their floors short and runs cut; the
    mending re-solves everyone around them until every floor holds, within every rule."""
    instance = _team_instance(staff=12, days=28)
    problem = _with_floors(instance)
    builder = StaffByStaff(problem, seed=2)
    assert builder.construct(time.monotonic() + 10, workers=2)
    assert builder.mend_floors(time.monotonic() + 10)  # (the building may leave some short)
    for staff_id in builder.members:
        builder._take(staff_id, range(9, 13))
    assert builder.short_floor_days() == {9, 10, 11, 12}
    assert builder.mend_floors(time.monotonic() + 10)
    assert builder.floors_met()
    assert _short_floors(problem, builder.roster) == []
    assert curtois.violations(instance, builder.roster) == []


def test_staff_by_staff_only_meets_hard_floors_the_building_leaves_short():
    """Twelve staff with every requirement a hard floor: members built one after another
    leave some floors short, which the solve mends instead of giving up."""
    instance = _team_instance(staff=12, days=28)
    problem = _with_floors(instance)
    parameters = replace(FAST, time_limit_seconds=6, workers=2, staff_by_staff_only_from=10)
    for seed in (0, 1):
        solution = solve(problem, replace(parameters, seed=seed))
        assert solution.status == "FEASIBLE", solution.explanation
        assert _short_floors(problem, solution.assignments) == []
        assert curtois.violations(instance, solution.assignments) == []


def test_mended_spans_merge_what_overlaps_and_stay_within_the_longest():
    assert _spans({3, 5, 20}, 1, 28, 28) == [range(2, 7), range(19, 22)]
    assert _spans({0, 27}, 7, 28, 28) == [range(0, 8), range(20, 28)]
    assert _spans({3, 20}, 28, 28, 28) == [range(0, 28)]
    # Short days all over a year: pieces of at most the longest, covering every widened day.
    pieces = _spans(set(range(0, 364, 3)), 1, 364, 30)
    assert all(len(piece) <= 30 for piece in pieces)
    assert [day for piece in pieces for day in piece] == list(range(364))


def test_floors_left_short_are_named_when_no_roster_keeps_them():
    instance = _team_instance(staff=12, days=28)
    problem = _with_floors(instance)
    placed = [row.minimum for row in problem.coverage]
    short = [k for k, row in enumerate(problem.coverage) if row.day in (5, 6)]
    for index in short:
        placed[index] -= 1
    messages = short_floor_messages(problem, placed, most=3)
    assert f"left {len(short)} short" in messages[0]
    row = problem.coverage[short[0]]
    assert messages[1] == (
        f"{problem.day_label(5)} {row.shift}: at least {row.minimum} staff needed, "
        f"{row.minimum - 1} placed."
    )
    assert len(messages) == 1 + 3 + 1
    assert messages[-1] == f"... and {len(short) - 3} more."


def test_progress_counts_seconds_from_the_start_of_the_solve_building_included():
    """A roster built staff by staff reports its first point once it is built: the point's
    seconds must count the building too, as the job page shows them against the time limit."""
    problem = curtois.to_problem(_team_instance(staff=40, days=28))
    parameters = replace(FAST, time_limit_seconds=3, staff_by_staff_only_from=10)
    started = time.monotonic()
    reported: list[tuple[float, float]] = []  # (seconds since the call, seconds in the point)
    solve(problem, parameters, lambda p: reported.append((time.monotonic() - started, p.seconds)))
    first_seen = reported[0][0]
    assert first_seen > 0.05  # the building took a measurable time before the first point
    for seen, seconds in reported:  # (points keep their seconds to a millisecond)
        assert seen - 0.05 <= seconds <= seen + 0.001


def _team_instance(staff: int, days: int) -> curtois.CurtoisInstance:
    """``staff`` members on day and night shifts over ``days``, with monthly contracts."""
    members = "\n".join(
        f"S{k},D={days}|N={days // 4},{days * 330},{days * 200},5,2,2,{days // 14}"
        for k in range(staff)
    )
    cover = "\n".join(f"{d},D,{staff // 3},100,1\n{d},N,{staff // 8},100,1" for d in range(days))
    text = (
        f"SECTION_HORIZON\n{days}\n\nSECTION_SHIFTS\nD,480,\nN,480,D\n\n"
        f"SECTION_STAFF\n{members}\n\nSECTION_DAYS_OFF\n\nSECTION_SHIFT_ON_REQUESTS\n\n"
        f"SECTION_SHIFT_OFF_REQUESTS\n\nSECTION_COVER\n{cover}\n"
    )
    return curtois.parse_text(text, "team")


def _long_instance(days: int = 84, long_shifts: bool = False) -> curtois.CurtoisInstance:
    """Five staff over twelve weeks with tight yearly-style contracts, leave and requests;
    with ``long_shifts``, a 12-hour day shift too, each member allowed a few."""
    limits = f"D={days}|N={days // 7}" + (f"|L={days // 14}" if long_shifts else "")
    staff = "\n".join(
        f"{name},{limits},{days * 340},{days * 300},5,2,2,{days // 14}" for name in "ABCDE"
    )
    cover = "\n".join(f"{d},D,2,100,1\n{d},N,1,100,1" for d in range(days))
    if long_shifts:
        cover += "\n" + "\n".join(f"{d},L,1,100,1" for d in range(0, days, 3))
    long_shift = "\nL,720,D" if long_shifts else ""
    text = f"""SECTION_HORIZON
{days}

SECTION_SHIFTS
D,480,
N,480,D{long_shift}

SECTION_STAFF
{staff}

SECTION_DAYS_OFF
A,10,11,12,13
C,40,41,42

SECTION_SHIFT_ON_REQUESTS
B,20,N,3

SECTION_SHIFT_OFF_REQUESTS
D,30,D,2

SECTION_COVER
{cover}
"""
    return curtois.parse_text(text, "long")


def test_year_long_patterns_kept_near_their_share_of_the_contract_keep_every_rule():
    instance = _long_instance(days=364, long_shifts=True)
    builder = StaffByStaff(curtois.to_problem(instance), seed=2)
    assert builder.p.num_days >= builder.pattern_band_from_days
    assert builder.construct(time.monotonic() + 20)
    assert curtois.violations(instance, builder.roster) == []
    built = builder.objective()
    for staff_id in builder.members:
        builder._pattern_move(staff_id, seconds=2.0)
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster) <= built


def test_long_periods_are_built_in_windows_that_keep_every_rule_across_their_edges():
    instance = _long_instance()
    builder = StaffByStaff(curtois.to_problem(instance), seed=5)
    windows = builder._windows()
    assert len(windows) == 3 and windows[0] == range(0, 28)
    # Each member built window by window, not over the whole period in one piece.
    for staff_id in builder.members:
        assert builder._build_in_windows(staff_id, windows, seconds=2.0)
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster)


def test_a_window_share_never_exceeds_what_is_left_of_a_limit():
    instance = _long_instance()
    builder = StaffByStaff(curtois.to_problem(instance), seed=5)
    member = builder.members["A"]
    builder._put("A", [(d, "D") for d in range(0, 26) if d % 7 < 5 and d not in range(10, 14)])
    window = range(28, 56)
    within = builder._member_within(member, window, builder._horizon(window))
    worked = builder._usage("A", lambda d: d < 28)
    context = builder._usage("A", lambda d: 21 <= d < 28)
    assert within.max_minutes - context.minutes <= member.max_minutes - worked.minutes
    assert within.min_minutes - context.minutes <= member.min_minutes - worked.minutes
    assert within.max_shifts_per_type["N"] <= member.max_shifts_per_type["N"]


def test_members_built_side_by_side_keep_every_rule_and_the_coverage_counts():
    instance = _long_instance()
    builder = StaffByStaff(curtois.to_problem(instance), seed=2)
    assert builder.construct(time.monotonic() + 30, workers=2)
    assert sorted({staff_id for staff_id, _ in builder.roster}) == list("ABCDE")
    assert curtois.violations(instance, builder.roster) == []
    # The shared coverage counts match the roster exactly: no update was lost between threads.
    worked = Counter((day, code) for (_, day), code in builder.roster.items())
    assert builder.placed == [worked[row.day, row.shift] for row in builder.p.coverage]
    assert builder.objective() == curtois.penalty(instance, builder.roster)


def test_members_planned_by_their_pattern_of_days_keep_every_rule():
    instance = _long_instance(long_shifts=True)
    builder = StaffByStaff(curtois.to_problem(instance), seed=4)
    for staff_id in builder.members:
        assert builder._build_by_pattern(staff_id, seconds=5.0)
    assert curtois.violations(instance, builder.roster) == []
    assert any(code == "L" for code in builder.roster.values())
    built = builder.objective()
    assert built == curtois.penalty(instance, builder.roster)
    # Re-planning members one at a time never makes the roster worse.
    for staff_id in builder.members:
        improved = builder._pattern_move(staff_id, seconds=5.0)
        assert improved >= 0
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster) <= built


def test_with_hard_coverage_floors_the_model_chooses_the_shifts_of_the_planned_days():
    instance = _long_instance(long_shifts=True)
    problem = curtois.to_problem(instance)
    floors = {(day, "D") for day in (3, 17, 40)}
    problem.coverage = [
        replace(row, minimum=1) if (row.day, row.shift) in floors else row
        for row in problem.coverage
    ]
    builder = StaffByStaff(problem, seed=6)
    for staff_id in builder.members:
        assert builder._build_by_pattern(staff_id, seconds=5.0)
    assert curtois.violations(instance, builder.roster) == []
    assert builder.floors_met()


def test_window_moves_keep_every_rule_across_their_edges_and_never_worsen():
    instance = _long_instance(long_shifts=True)
    builder = StaffByStaff(curtois.to_problem(instance), seed=7)
    assert builder.construct(time.monotonic() + 30)
    built = builder.objective()
    ids = list(builder.members)
    # A window inside the period, with placed weeks on both sides, then windows anywhere.
    assert builder._group_move(ids, seconds=2.0, days=range(28, 56)) >= 0
    assert curtois.violations(instance, builder.roster) == []
    for _ in range(12):
        group, days = builder._move_for("window", ids, group_size=2)
        assert len(days) == builder.window_days
        assert builder._group_move(group, seconds=1.0, days=days) >= 0
    assert curtois.violations(instance, builder.roster) == []
    worked = Counter((day, code) for (_, day), code in builder.roster.items())
    assert builder.placed == [worked[row.day, row.shift] for row in builder.p.coverage]
    assert builder.objective() == curtois.penalty(instance, builder.roster) <= built


def test_a_group_still_in_the_roster_is_solved_against_the_same_coverage_as_one_taken_out():
    instance = _long_instance()
    builder = StaffByStaff(curtois.to_problem(instance), seed=4)
    assert builder.construct(time.monotonic() + 30)
    group, days = ["A", "C"], range(28, 56)
    placed, _ = builder._restricted(group, days, exact=True)
    for staff_id in group:
        builder._take(staff_id, days)
    taken, _ = builder._restricted(group, days, exact=True)
    assert placed.coverage == taken.coverage
    # Everyone else placed is counted: the rows ask the group for less than the problem's.
    start = (taken.start_date - builder.p.start_date).days
    original = {(row.day, row.shift, row.skill): row.required for row in builder.p.coverage}
    assert any(
        row.required < original[row.day + start, row.shift, row.skill] for row in taken.coverage
    )


def test_moves_solved_side_by_side_keep_every_rule_and_the_coverage_counts():
    instance = _long_instance(long_shifts=True)
    builder = StaffByStaff(curtois.to_problem(instance), seed=2)
    assert builder.construct(time.monotonic() + 30, workers=2)
    built = builder.objective()
    improvements = []
    moves = builder.improve(time.monotonic() + 6, on_improvement=improvements.append, workers=2)
    assert moves == len(improvements) > 0
    assert curtois.violations(instance, builder.roster) == []
    worked = Counter((day, code) for (_, day), code in builder.roster.items())
    assert builder.placed == [worked[row.day, row.shift] for row in builder.p.coverage]
    assert builder.objective() == curtois.penalty(instance, builder.roster)
    assert builder.objective() == pytest.approx(built - sum(improvements))


def test_threads_with_nobody_left_to_move_wait_for_the_others():
    two = problem([staff("A"), staff("B")], days=14, coverage=cover(range(14), required=1))
    builder = StaffByStaff(two, seed=1)
    assert builder.construct(time.monotonic() + 10)
    built = builder.objective()
    # Three threads, two members: a group move holds both, and the others find nobody free.
    builder.improve(time.monotonic() + 1.0, workers=3)
    assert builder.objective() <= built
    worked = Counter(day for _, day in builder.roster)
    assert builder.placed == [worked[row.day] for row in two.coverage]


def test_an_exact_window_may_use_all_that_the_rest_of_the_period_leaves():
    instance = _long_instance()
    builder = StaffByStaff(curtois.to_problem(instance), seed=5)
    member = builder.members["B"]
    builder._put("B", [(d, "D") for d in range(84) if d % 7 < 4])
    window = range(28, 56)
    horizon = builder._horizon(window, exact=True)
    assert horizon == range(28 - builder.context_days, 56 + builder.context_days)
    within = builder._member_within(member, window, horizon, exact=True)
    outside = builder._usage("B", lambda d: d not in horizon)
    assert within.max_minutes == member.max_minutes - outside.minutes
    assert within.min_minutes == member.min_minutes - outside.minutes
    assert within.max_shifts_per_type["D"] == member.max_shifts_per_type["D"] - outside.shifts["D"]


def test_a_pattern_plans_no_more_of_a_length_than_its_shift_types_allow():
    values = [[10.0, 12.0], [10.0, 30.0], [10.0, -math.inf], [10.0, 20.0], [10.0, 11.0]]
    kept = _within_caps(values, [None, 2])
    assert [day for day, row in enumerate(kept) if math.isfinite(row[1])] == [1, 3]
    assert [row[0] for row in kept] == [10.0] * 5
    assert _within_caps(values, [None, 4]) == values


def test_a_long_period_is_built_by_patterns_within_the_rules():
    instance = _long_instance(long_shifts=True)
    builder = StaffByStaff(curtois.to_problem(instance), seed=8)
    windows_built = []
    builder._build_in_windows = lambda *args: windows_built.append(args) or False
    assert builder.construct(time.monotonic() + 30, workers=2)
    assert sorted({staff_id for staff_id, _ in builder.roster}) == list("ABCDE")
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster)
    assert windows_built == []  # every member's pattern was found


def test_a_shifts_move_turns_surplus_shifts_into_missing_ones_within_the_minutes():
    text = """SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,480,D
L,720,

SECTION_STAFF
A,D=7|N=7|L=7,10000,2160,5,1,1,2
B,D=7|N=7|L=7,10000,0,5,1,1,2

SECTION_DAYS_OFF

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
0,D,1,100,1
1,D,1,100,1
2,D,1,100,1
0,N,1,100,1
1,N,1,100,1
2,N,1,100,1
"""
    instance = curtois.parse_text(text, "surplus")
    builder = StaffByStaff(curtois.to_problem(instance), seed=1)
    builder._put("A", [(0, "D"), (1, "D"), (2, "D"), (4, "L")])
    builder._put("B", [(0, "D"), (1, "D"), (2, "D")])
    before = curtois.penalty(instance, builder.roster)
    # Each of A's surplus day shifts (1 over) becomes a missing night shift (100 under); the
    # 12-hour shift on day 4 stays, as A's 2,160 minutes at least require.
    assert builder._shifts_move("A") == 3 * 101
    assert sorted(builder.days_of["A"]) == [(0, "N"), (1, "N"), (2, "N"), (4, "L")]
    assert curtois.violations(instance, builder.roster) == []
    assert curtois.penalty(instance, builder.roster) == before - 303
    # Nothing is left to gain: the move keeps the roster as it is.
    assert builder._shifts_move("A") == 0
    assert curtois.penalty(instance, builder.roster) == before - 303


def test_later_pattern_rounds_value_days_at_what_their_shifts_could_get():
    # N is wanted every day but cannot follow itself; M, as long, and the shorter E are not
    # wanted at all. The first pattern works every day (each long day valued as an N), so the
    # shifts alternate N and an unwanted M; valued at what they got, the M days are better off.
    cover = "\n".join(f"{day},N,1,100,1\n{day},M,0,100,1\n{day},E,0,100,1" for day in range(14))
    text = f"""SECTION_HORIZON
14

SECTION_SHIFTS
N,720,N
M,720,
E,480,

SECTION_STAFF
A,N=14|M=14|E=14,20000,0,14,1,1,2

SECTION_DAYS_OFF

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
{cover}
"""
    builder = StaffByStaff(curtois.to_problem(curtois.parse_text(text, "rounds")), seed=2)
    once = builder._plan_by_pattern("A", seconds=5.0, rounds=1)
    assert once is not None and once[0] == 7 * 100 + 7
    again = builder._plan_by_pattern("A", seconds=5.0, rounds=3)
    assert again is not None and again[0] == 7 * 100
    assert {code for _, code in again[1]} == {"N"} and len(again[1]) == 7


def test_improvement_stops_after_a_spell_without_enough_gain():
    instance = curtois.parse_file(TINY)
    builder = StaffByStaff(curtois.to_problem(instance), seed=3)
    assert builder.construct(time.monotonic() + 10)
    started = time.monotonic()
    # No move can gain more than the whole objective: the search stops after its patience,
    # long before the deadline, and leaves a roster no worse than it found.
    built = builder.objective()
    builder.improve(started + 30, patience=0.5, min_gain=1.0)
    assert time.monotonic() - started < 15
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster) <= built


def test_a_whole_model_search_stopped_before_a_roster_of_its_own_keeps_the_start():
    instance = curtois.parse_file(TINY)
    tiny = curtois.to_problem(instance)
    roster_model = build_model(tiny)
    builder = StaffByStaff(tiny, seed=3)
    assert builder.construct(time.monotonic() + 10)
    start = neighbourhood.complete(roster_model, builder.roster, 5)
    assert start.objective == builder.objective()

    stopped = cp_model.CpSolver()
    stopped.parameters.stop_after_presolve = True
    status = stopped.solve(roster_model.model)
    assert status == cp_model.UNKNOWN
    assert _best_roster(stopped, status, start) is start
    assert _best_roster(stopped, status, None) is None

    finished = cp_model.CpSolver()
    status = finished.solve(roster_model.model)
    best = _best_roster(finished, status, start)
    assert best.objective == finished.objective_value <= start.objective


def test_each_kind_of_move_is_tried_once_and_then_gets_time_by_its_gain_per_second():
    builder = StaffByStaff(curtois.to_problem(curtois.parse_file(TINY)), seed=4)
    kinds = ["group", "pattern", "shifts"]
    gains: dict[str, float] = {}
    durations: dict[str, float] = {}
    for _ in kinds:
        kind = builder._next_kind(kinds, gains, durations)
        assert kind not in durations
        gains[kind], durations[kind] = 0.0, 1.0
    # A second a move for nothing; 1000 a second in tenths of a second; 500 in hundredths.
    gains.update(group=0.0, pattern=100.0, shifts=5.0)
    durations.update(group=1.0, pattern=0.1, shifts=0.01)
    seconds = Counter()
    for _ in range(20_000):
        kind = builder._next_kind(kinds, gains, durations)
        seconds[kind] += durations[kind]
    total = sum(seconds.values())
    assert seconds["pattern"] / seconds["shifts"] == pytest.approx(2.0, rel=0.1)
    # The kind that gains nothing keeps a twentieth of the best rate: 50 of 1550 seconds.
    assert 0.02 < seconds["group"] / total < 0.05


def test_members_still_to_be_placed_at_the_deadline_are_placed_by_their_pattern():
    """A roster a little late rather than none: the deadline has passed before the first."""
    instance = curtois.parse_file(TINY)
    builder = StaffByStaff(curtois.to_problem(instance), seed=2)
    assert builder.construct(time.monotonic() - 1)
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster)


def test_members_who_cannot_meet_every_short_floor_are_still_built_by_their_pattern(
    monkeypatch,
):
    """Early in the building every floor is short and no member can work all of them: each
    pattern then sets them aside, valuing them above all else, instead of the member falling
    through to window and whole-period models."""
    instance = _long_instance()
    builder = StaffByStaff(_with_floors(instance, floor=1), seed=1)
    assert builder._plan_by_pattern("A", seconds=5.0) is None  # a floor every day of 84

    def unexpected(*args, **kwargs):
        raise AssertionError("built by a model, not by its pattern")

    monkeypatch.setattr(StaffByStaff, "_build_in_windows", unexpected)
    monkeypatch.setattr(StaffByStaff, "_build_whole", unexpected)
    assert builder.construct(time.monotonic() + 30, workers=2)
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() == curtois.penalty(instance, builder.roster)


def test_members_placed_past_the_deadline_with_floors_are_planned_without_the_model(
    monkeypatch,
):
    instance = _long_instance()
    builder = StaffByStaff(_with_floors(instance, floor=1), seed=3)
    solved = []
    solve_restricted = StaffByStaff._solve
    monkeypatch.setattr(
        StaffByStaff,
        "_solve",
        lambda self, *args, **kwargs: (
            solved.append(args) or solve_restricted(self, *args, **kwargs)
        ),
    )
    assert builder.construct(time.monotonic() - 1)
    assert solved == []
    assert curtois.violations(instance, builder.roster) == []


def test_a_weekend_shift_left_short_goes_first_to_members_working_the_rest_of_that_weekend():
    # Two weeks from a Monday: days 5 and 6 are the first weekend, 12 and 13 the second.
    members = [staff(name) for name in "ABCD"] + [staff("E", skills={"ICU"})]
    rows = cover([6], required=3) + cover([2], required=2) + cover([13], required=1, skill="ICU")
    builder = StaffByStaff(problem(members, days=14, coverage=rows), seed=3)
    builder._put("A", [(5, "D")])  # Saturday only: its weekend is counted already
    builder._put("B", [(5, "D"), (6, "D")])  # the whole weekend
    builder._put("D", [(12, "D")])  # the other weekend
    ids = list(builder.members)
    sunday, tuesday, icu_sunday = builder.p.coverage
    assert builder._takers(sunday, ids) == ["A"]
    # Nobody works half of the second weekend: all who may work the row, by skill.
    assert builder._takers(icu_sunday, ids) == ["E"]
    assert builder._takers(tuesday, ids) == ids  # a weekday: anyone
    builder.short_window_share = 1.0
    for _ in range(5):
        group, days = builder._move_for("window", ids, group_size=2)
        assert len(group) == builder.window_group_size
        assert "A" in group or "E" in group  # a taker of one of the two short rows
        assert 6 in days or 13 in days


def test_a_weekend_move_re_solves_every_member_over_a_weekend_and_the_days_around_it():
    instance = _long_instance()
    builder = StaffByStaff(curtois.to_problem(instance), seed=6)
    assert builder.construct(time.monotonic() + 30)
    ids = list(builder.members)
    # The weekend most worked, emptied: each of its shifts is short and those who worked it
    # have a weekend to spare.
    saturday, sunday = max(
        builder.weekends,
        key=lambda days: sum((staff_id, day) in builder.roster for staff_id in ids for day in days),
    )
    for staff_id in ids:
        builder._take(staff_id, range(saturday, sunday + 1))
    emptied = builder.objective()
    builder.short_window_share = 1.0
    for _ in range(5):
        group, days = builder._move_for("weekend", ids, group_size=2)
        weekend = [day for day in days if day in builder.weekend_of]
        assert group == [s for s in ids if _works_or_spares_a_weekend(builder, s, weekend)]
        assert len(weekend) == 2
        assert days == range(weekend[0] - 2, min(weekend[1] + 3, builder.p.num_days))
        assert any(
            builder.placed[i] < builder.p.coverage[i].required
            for d in weekend
            for i in builder.rows_on[d]
        )
    around = range(saturday - 2, min(sunday + 3, builder.p.num_days))
    gain = builder._group_move(ids, seconds=5.0, days=around)
    assert gain > 0
    assert builder.objective() == curtois.penalty(instance, builder.roster) == emptied - gain
    assert curtois.violations(instance, builder.roster) == []
    assert any((staff_id, day) in builder.roster for staff_id in ids for day in (saturday, sunday))


def test_a_weekend_move_leaves_out_members_at_their_weekend_limit_who_are_off_that_weekend():
    """They could change only a weekday or two around it: members who work the weekend, who
    have a weekend to spare or who have no limit are re-solved."""
    limited = {"max_weekends": 1}
    members = [staff(name, **limited) for name in "ABC"] + [staff("D")]
    rows = cover([12, 13], required=2)
    builder = StaffByStaff(problem(members, days=14, coverage=rows), seed=2)
    builder._put("A", [(5, "D"), (6, "D")])  # at its limit, on the first weekend
    builder._put("B", [(13, "D")])  # at its limit, on the second
    builder._put("D", [(5, "D"), (12, "D")])  # two weekends, no limit
    builder.short_window_share = 1.0
    group, days = builder._move_for("weekend", list(builder.members), group_size=2)
    assert days == range(10, 14)  # the second weekend, the one short: two days before it
    assert group == ["B", "C", "D"]
    assert builder._group_move(group, seconds=5.0, days=days) > 0
    assert builder.placed == [2, 2]
    assert builder.days_of["A"] == [(5, "D"), (6, "D")]


@pytest.mark.parametrize(
    ("by_model", "floors", "filled_by_model"),
    [(True, False, True), (False, False, False), (False, True, True)],
)
def test_sweeps_fill_a_pattern_the_shift_program_cannot_by_the_model_only_if_asked_or_with_floors(
    by_model, floors, filled_by_model
):
    """Without hard floors a sweep leaves such a member as it was (``sweep_by_model`` False);
    with them the program fills no pattern, so the model does. Either way the rules hold."""
    instance = _long_instance(long_shifts=not floors)
    problem = curtois.to_problem(instance)
    if floors:  # one member on every day shift
        problem.coverage = [replace(r, minimum=int(r.shift == "D")) for r in problem.coverage]
    builder = StaffByStaff(problem, seed=0)
    assert builder.construct(time.monotonic() + 20)
    built = builder.objective()
    by_pattern = []
    solve_restricted = builder._solve

    def recorded(*args, **kwargs):
        by_pattern.append(kwargs.get("pattern") is not None)
        return solve_restricted(*args, **kwargs)

    builder._solve = recorded
    builder.sweep_by_model = by_model
    builder._sweep(time.monotonic() + 30, sorted(builder.members), _Progress(0.0, 0.0, None), 1.0)
    assert any(by_pattern) == filled_by_model
    assert curtois.violations(instance, builder.roster) == []
    assert builder.objective() <= built
    if not floors:
        assert builder.objective() == curtois.penalty(instance, builder.roster)


def _works_or_spares_a_weekend(builder: StaffByStaff, staff_id: str, weekend: list[int]) -> bool:
    days = [day for day, _ in builder.days_of[staff_id]]
    worked = {builder.weekend_of[day] for day in days if day in builder.weekend_of}
    limit = builder.members[staff_id].max_weekends
    return any(day in weekend for day in days) or limit is None or len(worked) < limit


def test_shifts_sweeps_follow_the_pattern_sweeps():
    """Once the pattern sweeps end, sweeps of shifts moves re-choose every member's shifts on
    the days it works; the rules and the objective hold throughout."""
    instance = _long_instance(days=168, long_shifts=True)
    builder = StaffByStaff(curtois.to_problem(instance), seed=4)
    assert builder.construct(time.monotonic() + 20)
    made: list[tuple[str, str, float]] = []
    for kind in ("pattern", "shifts"):
        move = getattr(builder, f"_{kind}_move")

        def counted(staff_id: str, *args, kind: str = kind, move=move) -> float:
            made.append((kind, staff_id, move(staff_id, *args)))
            return made[-1][2]

        setattr(builder, f"_{kind}_move", counted)
    ids = sorted(builder.members)
    objective = builder.objective()
    builder._sweep(time.monotonic() + 60, ids, _Progress(0.0, 0.0, None), 1.0)

    kinds = [kind for kind, _, _ in made]
    first_shifts = kinds.index("shifts")
    assert set(kinds[:first_shifts]) == {"pattern"} and set(kinds[first_shifts:]) == {"shifts"}
    assert sorted(staff_id for _, staff_id, _ in made[first_shifts:]) == ids
    assert builder.objective() == objective - sum(by for _, _, by in made)
    assert builder.objective() == curtois.penalty(instance, builder.roster)
    assert curtois.violations(instance, builder.roster) == []


def test_shifts_sweeps_go_on_while_a_sweep_gains_more_than_their_share():
    """Every member on the early shift alone, though the cover asks for as many late ones: each
    member's shifts move takes late shifts where the members before it left them short, sweep
    after sweep while one gains more than ``shifts_sweep_min_gain`` of the objective."""
    members = "\n".join(f"S{k},E=28|L=28,{28 * 480},{10 * 480},5,1,1,4" for k in range(6))
    cover = "\n".join(f"{d},E,2,100,1\n{d},L,2,100,1" for d in range(28))
    instance = curtois.parse_text(
        f"SECTION_HORIZON\n28\n\nSECTION_SHIFTS\nE,480,\nL,480,\n\nSECTION_STAFF\n{members}\n\n"
        f"SECTION_DAYS_OFF\n\nSECTION_SHIFT_ON_REQUESTS\n\nSECTION_SHIFT_OFF_REQUESTS\n\n"
        f"SECTION_COVER\n{cover}\n",
        "early",
    )
    builder = StaffByStaff(curtois.to_problem(instance), seed=1)
    assert builder.construct(time.monotonic() + 10)
    for staff_id in builder.members:
        days = builder._take(staff_id, range(28))
        builder._put(staff_id, [(day, "E") for day, _ in days])
    ids = sorted(builder.members)
    objective = builder.objective()
    gains: list[float] = []
    move = builder._shifts_move
    builder._shifts_move = lambda staff_id: gains.append(move(staff_id)) or gains[-1]
    assert builder._sweeps_of(
        builder._shifts_move, time.monotonic() + 60, ids, _Progress(0.0, 0.0, None), 0.01
    )

    sweeps = [gains[k : k + len(ids)] for k in range(0, len(gains), len(ids))]
    assert len(sweeps) >= 2
    for k, sweep in enumerate(sweeps):
        assert len(sweep) == len(ids)
        assert (sum(sweep) <= 0.01 * objective) == (k == len(sweeps) - 1)
        objective -= sum(sweep)
    assert builder.objective() == objective == curtois.penalty(instance, builder.roster)
    assert curtois.violations(instance, builder.roster) == []


def test_sweeps_plan_every_member_again_while_a_sweep_gains_enough():
    """Each sweep plans every member once by its pattern against the whole roster; sweeps go on
    while one gains more than ``sweep_min_gain`` of the objective, so only the last gains less."""
    instance = _team_instance(20, 56)
    builder = StaffByStaff(curtois.to_problem(instance), seed=5)
    assert builder.construct(time.monotonic() + 10)
    objective = builder.objective()
    made: list[tuple[str, float]] = []
    planned = builder._pattern_move

    def counted(staff_id: str, seconds: float, by_model: bool = True) -> float:
        made.append((staff_id, planned(staff_id, seconds, by_model)))
        return made[-1][1]

    builder._pattern_move = counted
    builder.sweep_min_gain = 0.01
    ids = sorted(builder.members)
    builder._sweep(time.monotonic() + 60, ids, _Progress(0.0, 0.0, None), 1.0)

    sweeps = [made[k : k + len(ids)] for k in range(0, len(made), len(ids))]
    assert len(sweeps) >= 2
    for k, sweep in enumerate(sweeps):
        assert sorted(staff_id for staff_id, _ in sweep) == ids
        gained = sum(by for _, by in sweep)
        assert (gained <= 0.01 * objective) == (k == len(sweeps) - 1)
        objective -= gained
    assert builder.objective() == objective == curtois.penalty(instance, builder.roster)
    assert curtois.violations(instance, builder.roster) == []
