"""Branch and price: the rosters it finds keep every rule, its decisions hold in every roster
priced under them, and where it searches the whole tree its roster is the proven optimum."""

from __future__ import annotations

import random
import time

import numpy as np

from scheduling.engine.roster import SolveParameters, curtois, solve
from scheduling.engine.roster.branching import BranchAndPrice
from scheduling.engine.roster.columns import ColumnGeneration
from scheduling.engine.roster.curtois import (
    CurtoisCover,
    CurtoisEmployee,
    CurtoisInstance,
    CurtoisRequest,
    CurtoisShift,
)
from scheduling.engine.roster.model import build_model
from scheduling.engine.roster.neighbourhood import Incumbent, complete
from scheduling.engine.roster.solver import _ColumnStart, _ProgressRecorder, _search_neighbourhoods

from .test_columns import WHOLE_MODEL_ONLY, _checked_roster, _random_variant

NO_ROSTER = Incumbent(10**6, [])


def _two_week_variant(seed: int) -> CurtoisInstance:
    """Six staff over two weeks, day and night shifts, random cover, leave and requests: the
    generation's bound is fractional for some seeds (6, 9, 10 and 19 among them)."""
    rng = random.Random(seed)
    days = 14
    shifts = [CurtoisShift("D", 480, ()), CurtoisShift("N", 600, ("D",))]
    employees = [
        CurtoisEmployee(f"E{k}", {"D": days, "N": rng.choice([0, 3, 4])}, 5280, 3360, 5, 2, 2, 1)
        for k in range(6)
    ]

    def requests() -> list[CurtoisRequest]:
        return [
            CurtoisRequest(e.id, rng.randrange(days), rng.choice("DN"), rng.randint(1, 3))
            for e in employees
            for _ in range(2)
        ]

    cover = [CurtoisCover(d, "D", rng.randint(1, 3), 100, 1) for d in range(days)]
    cover += [CurtoisCover(d, "N", rng.randint(0, 1), 100, 1) for d in range(days)]
    days_off = {e.id: {rng.randrange(days)} for e in employees}
    return CurtoisInstance(
        f"variant{seed}", days, shifts, employees, days_off, requests(), requests(), cover
    )


def _converged(instance, program: bool = True) -> ColumnGeneration:
    generation = ColumnGeneration(curtois.to_problem(instance), workers=2, program=program)
    result = generation.bound(time.monotonic() + 20)
    assert result.converged
    return generation


def test_a_search_of_the_whole_tree_ends_at_the_proven_optimum_keeping_every_rule():
    branched = 0
    for seed in (0, 6, 9, 10, 19):
        instance = _two_week_variant(seed)
        optimum = solve(curtois.to_problem(instance), WHOLE_MODEL_ONLY)
        assert optimum.status == "OPTIMAL"
        # Priced by CP-SAT in the generation, by the state program in the search.
        generation = _converged(instance, program=seed % 2 == 0)
        roster_model = build_model(curtois.to_problem(instance))
        found: list[Incumbent] = []
        result = BranchAndPrice(generation, roster_model, seed).search(
            NO_ROSTER, time.monotonic() + 30, found.append
        )
        assert result.proven
        assert result.incumbent.objective == optimum.objective
        _checked_roster(instance, roster_model, result.incumbent)
        objectives = [better.objective for better in found]
        assert objectives == sorted(objectives, reverse=True)
        assert objectives[-1] == optimum.objective
        branched += result.nodes > 1
    # Not every variant is settled at the root: the branching itself was tested.
    assert branched >= 4


def test_a_search_from_the_optimum_proves_it_and_finds_nothing_better():
    instance = _random_variant(1)
    optimum = solve(curtois.to_problem(instance), WHOLE_MODEL_ONLY)
    roster_model = build_model(curtois.to_problem(instance))
    start = BranchAndPrice(_converged(instance), roster_model, 0).search(
        NO_ROSTER, time.monotonic() + 30, lambda better: None
    )
    found: list[Incumbent] = []
    again = BranchAndPrice(_converged(instance), roster_model, 1).search(
        start.incumbent, time.monotonic() + 30, found.append
    )
    assert again.proven and again.incumbent is start.incumbent
    assert found == [] and again.incumbent.objective == optimum.objective


def test_a_search_given_a_bound_raises_it_one_target_at_a_time_up_to_the_optimum():
    """Each target tree (rosters cheaper than one unit above the bound) seen whole raises the
    bound by one; the last target is the best roster's cost, whose tree proves it optimal."""
    instance = _random_variant(1)
    optimum = solve(curtois.to_problem(instance), WHOLE_MODEL_ONLY).objective
    roster_model = build_model(curtois.to_problem(instance))
    start = BranchAndPrice(_converged(instance), roster_model, 0).search(
        NO_ROSTER, time.monotonic() + 30, lambda better: None
    )
    assert start.incumbent.objective == optimum
    result = BranchAndPrice(_converged(instance), roster_model, 1).search(
        start.incumbent, time.monotonic() + 30, lambda better: None, bound=optimum - 3
    )
    assert result.proven and result.incumbent is start.incumbent
    assert result.bound == optimum - 1


def test_a_search_out_of_time_proves_nothing_and_keeps_its_start():
    instance = _random_variant(2)
    roster_model = build_model(curtois.to_problem(instance))
    result = BranchAndPrice(_converged(instance), roster_model, 0).search(
        NO_ROSTER, time.monotonic(), lambda better: None
    )
    assert not result.proven and result.incumbent is NO_ROSTER


def test_every_roster_priced_under_a_branch_works_its_forced_cells_and_none_forbidden():
    instance = _random_variant(3)
    generation = _converged(instance)
    rng = np.random.default_rng(0)
    rows = len(generation.master.rows)
    for pricer in generation.pricers.values():
        duals = rng.uniform(0, 100, rows).tolist()
        free = pricer.price(duals, time.monotonic() + 5).column.cells
        worked = sorted(free)
        rested = sorted(
            (day, code)
            for day in range(pricer.program.days)
            for code in pricer.program.codes
            if (day, code) not in free and (pricer.member.id, day, code) in pricer.roster_model.x
        )
        forced, forbidden = set(worked[:1]) | set(rested[:1]), set(worked[1:2])
        pricer.restrict(forced, forbidden)
        priced = pricer.price(duals, time.monotonic() + 5)
        if priced is not None:  # a forced cell may leave the member no roster at all
            assert forced <= priced.column.cells and not forbidden & priced.column.cells
        else:
            assert pricer.proven_empty
        pricer.restrict(set(), set())
        assert pricer.price(duals, time.monotonic() + 5).column.cells == free


def _stalled_search(parameters: SolveParameters):
    """The neighbourhood search from the dive's roster of a converged generation, with a floor
    of 0 that it never reaches: it stalls. Its roster, bound, the column start and the
    recorder, with the optimum CP-SAT proves."""
    instance = _random_variant(0)
    roster_problem = curtois.to_problem(instance)
    optimum = solve(roster_problem, WHOLE_MODEL_ONLY)
    generation = _converged(instance)
    roster_model = build_model(roster_problem)
    start = complete(roster_model, generation.dive(time.monotonic() + 10), 5.0)
    column_start = _ColumnStart(start, None, set(roster_model.x), start, generation)
    recorder = _ProgressRecorder(None, time.monotonic())
    deadline = time.monotonic() + parameters.time_limit_seconds
    best, bound = _search_neighbourhoods(
        roster_model, start, deadline, parameters, recorder, 0, column_start
    )
    return best, bound, column_start, recorder, deadline - time.monotonic(), optimum


def test_a_stalled_search_hands_over_to_branch_and_price_which_proves_its_roster():
    parameters = SolveParameters(time_limit_seconds=20, workers=2, restart_stall_share=0.05)
    best, bound, column_start, recorder, time_left, optimum = _stalled_search(parameters)
    assert best.objective == bound == optimum.objective
    assert time_left > 5  # proven: the search stops there
    assert recorder.points[-1].bound == optimum.objective
    assert column_start.generation is None  # handed over once only


def test_a_problem_past_the_branching_size_restarts_its_search_instead():
    parameters = SolveParameters(
        time_limit_seconds=4, workers=2, restart_stall_share=0.05, branch_up_to_staff_days_squared=1
    )
    best, bound, column_start, recorder, time_left, optimum = _stalled_search(parameters)
    assert bound == 0 and time_left < 0.5  # searched on until the deadline, proving nothing
    assert column_start.generation is not None
    assert best.objective >= optimum.objective
