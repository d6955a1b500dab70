"""The neighbourhood search: rounds re-solve a clone of the model from the incumbent."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ortools.sat.python import cp_model

from scheduling.engine.roster import curtois, neighbourhood
from scheduling.engine.roster.construction import StaffByStaff
from scheduling.engine.roster.model import build_model
from scheduling.engine.roster.solver import SolveParameters, _ProgressRecorder, _search_then_prove

from .helpers import cover, problem, roster_of, staff

TINY = Path(__file__).resolve().parents[3] / "data" / "curtois_tiny.txt"


def _hinted_model_and_start():
    """The model of the tiny instance hinted with a staff-by-staff roster, as the solver leaves
    it before its whole-model search, and that roster as an incumbent."""
    instance = curtois.parse_file(TINY)
    problem = curtois.to_problem(instance)
    builder = StaffByStaff(problem, seed=1)
    assert builder.construct(time.monotonic() + 10)
    roster_model = build_model(problem)
    start = neighbourhood.complete(roster_model, builder.roster, 5.0)
    assert start is not None
    hint = roster_model.model.proto.solution_hint
    hint.vars.extend(range(len(start.values)))
    hint.values.extend(start.values)
    return instance, roster_model, start


def test_a_round_on_a_hinted_model_solves_and_never_worsens_the_incumbent():
    _, roster_model, start = _hinted_model_and_start()
    free = {var.Index() for (staff_id, _, _), var in roster_model.x.items() if staff_id in "AB"}
    cells = [var.Index() for var in roster_model.x.values()]
    status, result = neighbourhood._solve_neighbourhood(roster_model, start, free, cells, 5.0, 1, 0)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert result.objective <= start.objective


def test_the_search_keeps_every_rule_and_reports_only_better_rosters():
    instance, roster_model, start = _hinted_model_and_start()
    reported = []
    best = neighbourhood.improve(
        roster_model, start, time.monotonic() + 3, 1, 0, lambda better: reported.append(better)
    )
    assert best.objective <= start.objective
    # CP-SAT reports objectives as floats (200.99999999999997 for 201).
    objectives = [round(start.objective)] + [round(better.objective) for better in reported]
    assert objectives == sorted(objectives, reverse=True)
    assert len(set(objectives)) == len(objectives)
    roster = {
        (staff_id, day): code
        for (staff_id, day, code), var in roster_model.x.items()
        if best.values[var.Index()]
    }
    assert curtois.violations(instance, roster) == []
    assert curtois.penalty(instance, roster) == round(best.objective)


def test_a_search_that_finds_nothing_better_stops_once_it_has_stalled():
    _, roster_model, _ = _hinted_model_and_start()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 2
    assert solver.solve(roster_model.model) == cp_model.OPTIMAL
    optimum = neighbourhood.Incumbent.of(solver)
    began = time.monotonic()
    # No floor: only the stall can end the search before its deadline a minute away.
    best = neighbourhood.improve(
        roster_model, optimum, began + 60, 2, 0, lambda _: None, stall_seconds=1.0
    )
    assert best.objective == optimum.objective
    assert time.monotonic() - began < 20


def test_the_kind_of_round_that_improves_gets_the_larger_share():
    _, roster_model, start = _hinted_model_and_start()
    search = neighbourhood._Search(roster_model, start, time.monotonic(), 0, lambda _: None, 0)
    rng = random.Random(0)
    before = Counter(search._kind(rng) for _ in range(2000))
    assert before.most_common(1)[0][0] == "staff"  # the largest weight before any round
    search.rounds.update({"staff": 30, "days": 30, "block": 30, "short": 30})
    search.improving_rounds.update({"days": 12})
    after = Counter(search._kind(rng) for _ in range(2000))
    # days: 3 * 13/31 against staff 5 * 1/31, short 3 * 1/31 and block 2 * 1/31: 80 %.
    assert 0.75 < after["days"] / 2000 < 0.85
    assert after["staff"] > after["block"] > 0


def test_a_shortfall_round_frees_the_short_day_and_the_whole_period_of_members_who_could_fill_it():
    _, roster_model, start = _hinted_model_and_start()
    search = neighbourhood._Search(roster_model, start, time.monotonic(), 0, lambda _: None, 0)
    short = {(row.day, row.shift) for row in search._short_rows()}
    assert short  # the tiny instance's start leaves some shift short
    free = search._around_shortfall(len(search.staff_ids), random.Random(0))

    def could_fill(sid: str, day: int, code: str) -> bool:
        index = search.x.get((sid, day, code))
        return index is not None and not start.values[index]

    def frees_around(day: int, code: str) -> bool:
        """The day for everyone, the whole period of exactly the members who could fill it."""
        return set(search.cells_by_day[day]) <= free and all(
            (set(search.cells_by_staff[sid]) <= free) is could_fill(sid, day, code)
            for sid in search.staff_ids
        )

    assert any(frees_around(day, code) for day, code in short)
    assert len(free) < len(search.all_cells)  # members already on that shift keep their roster


def test_a_shortfall_round_takes_members_below_their_limit_for_the_short_shift_first():
    _, roster_model, start = _hinted_model_and_start()
    search = neighbourhood._Search(roster_model, start, time.monotonic(), 0, lambda _: None, 0)
    row, *_ = search._short_rows()
    search._short_rows = lambda: [row]
    able = [sid for sid in search.staff_ids if search._could_fill(sid, row)]
    assert len(able) >= 2
    at_limit = able[0]
    # As if its limit for that type were used up:
    search.members[at_limit] = replace(search.members[at_limit], max_shifts_per_type={row.shift: 0})
    for seed in range(20):
        free = search._around_shortfall(len(able) - 1, random.Random(seed))
        assert not set(search.cells_by_staff[at_limit]) <= free


def test_a_shortfall_round_frees_only_members_with_the_short_rows_skill():
    """Three ICU nurses are needed each day and one ward nurse is around: the ward nurse can
    never fill the ICU row, so a shortfall round leaves its roster alone."""
    nurses = [
        staff("A", skills=frozenset({"ICU"})),
        staff("B"),
        staff("C", skills=frozenset({"ICU"})),
    ]
    roster_problem = problem(nurses, days=7, coverage=cover(range(7), required=3, skill="ICU"))
    roster_model = build_model(roster_problem)
    start = neighbourhood.complete(roster_model, {}, 5.0)  # nobody works: every row short
    assert start is not None
    search = neighbourhood._Search(roster_model, start, time.monotonic(), 0, lambda _: None, 0)
    for seed in range(10):
        free = search._around_shortfall(3, random.Random(seed))
        kept_of_b = {i for i in search.cells_by_staff["B"] if i not in free}
        assert set(search.cells_by_staff["A"]) | set(search.cells_by_staff["C"]) <= free
        assert len(kept_of_b) == 6  # only the short day itself is freed for B


def test_mending_a_roster_that_breaks_a_floor_changes_only_the_days_it_frees():
    """A staff-by-staff roster may leave a hard coverage floor short; mending frees everyone on
    that day only, and keeps the rest of the roster as it was."""
    team = [staff(x, max_consecutive_days=5) for x in "ABCD"]
    floors = cover(range(7), required=2, minimum=1)
    p = problem(team, days=7, coverage=floors)
    roster_model = build_model(p)
    # B and C cover every day but day 3, where nobody works: the floor there is broken.
    roster = {(sid, day): "D" for sid in "BC" for day in (0, 1, 2, 4, 5, 6)}
    assert neighbourhood.complete(roster_model, roster, 5.0) is None
    mended = neighbourhood.mend(roster_model, roster, set(), {3}, (0, 1, 7), 5.0, 1)
    assert mended is not None
    after = roster_of(roster_model, mended)
    assert sum(1 for _, day in after if day == 3) >= 1
    assert {cell: code for cell, code in after.items() if cell[1] != 3} == roster


def test_a_stalled_search_hands_over_to_the_whole_model_which_proves_the_roster_optimal():
    """The neighbourhoods never raise the bound: without the whole model after them, the
    search returned the bound it was given (here 0) however good its roster."""
    _, roster_model, start = _hinted_model_and_start()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 2
    assert solver.solve(build_model(roster_model.problem).model) == cp_model.OPTIMAL
    optimum = round(solver.objective_value)
    parameters = SolveParameters(time_limit_seconds=60, workers=2, proof_stall_share=1 / 60)
    recorder = _ProgressRecorder(None, time.monotonic())
    began = time.monotonic()
    best, bound = _search_then_prove(
        roster_model, start, began + 60, parameters, recorder, bound=0.0
    )
    assert best.objective == optimum
    assert bound == optimum
    assert time.monotonic() - began < 40
    # The whole model's own rosters on the way never show in the progress as a step back.
    objectives = [point.objective for point in recorder.points]
    assert objectives == sorted(objectives, reverse=True)
