"""Column generation: its bound holds, its dive and restricted search give rosters that keep
every rule, and the solver stops as soon as a roster reaches the bound."""

from __future__ import annotations

import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from scheduling.engine.roster import SolveParameters, curtois, neighbourhood, solve
from scheduling.engine.roster.columns import (
    ColumnGeneration,
    MasterError,
    _price_all,
    improve_within,
    solve_within,
)
from scheduling.engine.roster.model import build_model
from scheduling.engine.roster.solver import (
    _columns_apply,
    _ColumnStart,
    _ProgressRecorder,
    _restricted_again,
    _search_neighbourhoods,
    _shift_variables,
)

from .helpers import cover, problem, staff

TINY = Path(__file__).resolve().parents[3] / "data" / "curtois_tiny.txt"
WHOLE_MODEL_ONLY = SolveParameters(time_limit_seconds=20, workers=2, seed=1, column_share=0)


def _weekend_shortage_problem(weeks: int = 2):
    """Two nurses, each weekend needing two, one weekend each at most: over two weeks four
    missing."""
    nurses = [staff("A", max_weekends=1), staff("B", max_weekends=1)]
    weekend_days = [day for week in range(weeks) for day in (7 * week + 5, 7 * week + 6)]
    return problem(nurses, days=7 * weeks, coverage=cover(weekend_days, required=2))


def test_the_bound_counts_the_shortfall_the_weekend_rule_forces():
    generation = ColumnGeneration(_weekend_shortage_problem(), workers=2)
    result = generation.bound(time.monotonic() + 20)
    assert result.converged
    assert result.integer_bound() == 400


def test_pricing_by_cp_sat_alone_proves_the_same_bound():
    for seed in range(2):
        roster_problem = curtois.to_problem(_random_variant(seed))
        bounds = []
        for program in (True, False):
            generation = ColumnGeneration(roster_problem, workers=2, program=program)
            result = generation.bound(time.monotonic() + 20)
            assert result.converged
            bounds.append(result.integer_bound())
        assert bounds[0] == bounds[1]


def test_a_roster_at_the_bound_is_returned_proven_optimal_at_once():
    parameters = SolveParameters(time_limit_seconds=30, workers=2, seed=1)
    solution = solve(_weekend_shortage_problem(), parameters)
    assert solution.status == "OPTIMAL"
    assert solution.objective == solution.bound == 400
    assert solution.wall_seconds < 10


def test_column_generation_reaches_twelve_weeks_within_its_limits():
    parameters = SolveParameters()
    twelve_weeks = _weekend_shortage_problem(weeks=12)
    size = _shift_variables(twelve_weeks)
    assert _columns_apply(twelve_weeks, parameters, size)
    thirteen_weeks = _weekend_shortage_problem(weeks=13)
    assert not _columns_apply(thirteen_weeks, parameters, _shift_variables(thirteen_weeks))
    # Two members over 84 days: 14,112 staff members x days squared.
    tighter = replace(parameters, columns_up_to_staff_days_squared=2 * 84**2 - 1)
    assert not _columns_apply(twelve_weeks, tighter, size)


def test_an_eight_week_roster_at_the_column_bound_is_proven_optimal():
    """Eight weekends of two each, two weekends worked in all: 28 missing at 100 each."""
    parameters = SolveParameters(time_limit_seconds=30, workers=2, seed=1)
    solution = solve(_weekend_shortage_problem(weeks=8), parameters)
    assert solution.status == "OPTIMAL"
    assert solution.objective == solution.bound == 2800


def _random_variant(seed: int):
    """The tiny instance with random coverage: a different problem for each seed."""
    instance = curtois.parse_file(TINY)
    rng = random.Random(seed)
    instance.cover = [replace(row, requirement=rng.randint(0, 3)) for row in instance.cover]
    return instance


def test_the_bound_never_exceeds_the_proven_optimum():
    for seed in range(4):
        instance = _random_variant(seed)
        optimum = solve(curtois.to_problem(instance), WHOLE_MODEL_ONLY)
        assert optimum.status == "OPTIMAL"
        generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
        result = generation.bound(time.monotonic() + 20)
        assert result.converged
        assert result.integer_bound() <= optimum.objective
        assert result.lp_objective >= result.bound - 1e-6


def test_the_dive_gives_a_roster_that_keeps_every_rule():
    for seed in range(4):
        instance = _random_variant(seed)
        generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
        generation.bound(time.monotonic() + 20)
        roster = generation.dive(time.monotonic() + 20)
        assert roster is not None
        assert curtois.violations(instance, roster) == []


def test_a_dive_short_of_time_prices_once_per_step_and_fixes_more_members_at_each():
    generation = ColumnGeneration(curtois.to_problem(_random_variant(0)), workers=2)
    generation.bound(time.monotonic() + 20)
    assert generation.seconds_per_pricing > 0
    generation.seconds_per_pricing = 0.01  # a hundredth of a second per member priced
    assert generation._pace(40, time.monotonic() + 100) == (3, 0.2)
    rounds, share = generation._pace(40, time.monotonic() + 1)
    assert rounds == 1
    assert 0.39 < share < 0.41  # 40 members priced in 0.4 s: the dive ends within the second
    assert generation._pace(40, time.monotonic() + 0.1) == (1, 1.0)


def test_a_dive_out_of_time_still_gives_every_member_a_roster_that_keeps_every_rule():
    instance = _random_variant(0)
    roster_problem = curtois.to_problem(instance)
    generation = ColumnGeneration(roster_problem, workers=2)
    generation.bound(time.monotonic() + 20)
    roster = generation.dive(time.monotonic() - 1)  # the deadline has passed already
    assert curtois.violations(instance, roster) == []
    worked_by = {staff_id for staff_id, _ in roster}
    assert worked_by <= {member.id for member in roster_problem.staff}
    assert len(generation.master.columns) == len(roster_problem.staff)


def _failing_after(solve, calls: int):
    """The master's solve, failing as GLOP rarely does (ABNORMAL) from call ``calls`` + 1 on."""
    made = 0

    def solve_or_fail():
        nonlocal made
        made += 1
        if made > calls:
            raise MasterError("the master linear program has no optimum (GLOP status 4)")
        return solve()

    return solve_or_fail


def test_a_master_failure_mid_generation_keeps_the_bound_of_the_rounds_before():
    roster_problem = curtois.to_problem(_random_variant(0))
    converged = ColumnGeneration(roster_problem, workers=2).bound(time.monotonic() + 20)
    generation = ColumnGeneration(roster_problem, workers=2)
    generation.master.solve = _failing_after(generation.master.solve, 2)
    result = generation.bound(time.monotonic() + 20)
    assert not result.converged and result.rounds == 3
    assert -math.inf < result.bound <= converged.bound + 1e-6


def test_a_master_failure_mid_dive_still_gives_every_member_a_roster_that_keeps_every_rule():
    instance = _random_variant(0)
    roster_problem = curtois.to_problem(instance)
    for converged in (True, False):  # by cells, by columns
        generation = ColumnGeneration(roster_problem, workers=2)
        generation.bound(time.monotonic() + 20)
        generation.converged = converged
        generation.master.solve = _failing_after(generation.master.solve, 1)
        roster = generation.dive(time.monotonic() + 20)
        assert curtois.violations(instance, roster) == []
        assert {staff_id for staff_id, _ in roster} <= {m.id for m in roster_problem.staff}


def test_a_converged_dive_forces_cells_and_every_member_works_its_forced_cells():
    forced_any = False
    for seed in range(4):
        instance = _random_variant(seed)
        generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
        assert generation.bound(time.monotonic() + 20).converged
        roster = generation.dive(time.monotonic() + 20)
        assert curtois.violations(instance, roster) == []
        for staff_id, cells in generation.master.forced.items():
            forced_any = forced_any or bool(cells)
            assert all(roster.get((staff_id, day)) == code for day, code in cells)
    assert forced_any, "no variant left the master fractional: the dive forced nothing"


def test_an_unconverged_generation_dives_by_columns():
    instance = _random_variant(0)
    generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
    generation.bound(time.monotonic() + 20)
    generation.converged = False  # as if the bound's deadline had cut it short
    roster = generation.dive(time.monotonic() + 20)
    assert curtois.violations(instance, roster) == []
    assert not any(generation.master.forced.values())


def test_a_forced_cell_is_worked_by_every_roster_priced_after_it():
    for program in (True, False):
        generation = ColumnGeneration(
            curtois.to_problem(_random_variant(1)), workers=2, program=program
        )
        duals = generation.master.opening_duals()
        for pricer in generation.pricers.values():
            best = pricer.price(duals, time.monotonic() + 10).column
            # A cell of another roster the member can work (rewards the other way round).
            other = pricer.price([-d for d in duals], time.monotonic() + 10).column
            day, code = min(other.cells - best.cells)
            pricer.force(day, code)
            price = pricer.price(duals, time.monotonic() + 10)
            assert all((day, code) in column.cells for column in price.columns())


def test_the_cells_forced_come_from_each_members_heaviest_column_and_keep_pace():
    for seed in range(4):
        generation = ColumnGeneration(curtois.to_problem(_random_variant(seed)), workers=2)
        generation.bound(time.monotonic() + 20)
        master = generation.master
        cells = master.cells_to_force()
        if not cells:
            assert all(len(mix) == 1 for mix in master.mixed.values())
            continue
        heaviest = {column.staff_id: column.cells for column in master.heaviest({})}
        assert all((day, code) in heaviest[staff_id] for staff_id, day, code in cells)
        everything = {(sid, day, code) for sid, worked in heaviest.items() for day, code in worked}
        assert set(master.cells_to_force(pace=1.0)) == everything
        master.force(cells)
        master.solve()
        for staff_id, mix in master.mixed.items():
            for column, _ in mix:
                assert master.forced[staff_id] <= column.cells
        return
    raise AssertionError("every variant's master was whole: nothing to force")


def test_pricing_offers_the_master_every_roster_its_search_meets():
    instance = _random_variant(1)
    generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
    pricer = next(iter(generation.pricers.values()))
    duals = [row.under_weight / 2 for row in generation.master.problem.coverage]
    price = pricer.price(duals, time.monotonic() + 10)
    assert price.columns()[0] is price.column
    assert {column.staff_id for column in price.columns()} == {pricer.member.id}
    # The best roster comes from the proven optimum of the pricing objective.
    rewards = {
        (day, code): sum(duals[r] for r in rows)
        for (_, day, code), rows in zip(pricer.keys, pricer.rows, strict=True)
    }

    def reduced(column):
        return column.cost - sum(rewards[cell] for cell in column.cells)

    assert all(reduced(price.column) <= reduced(other) + 1e-6 for other in price.others)
    assert reduced(price.column) >= price.lower


def test_near_optimal_rosters_keep_every_rule_and_widen_the_restricted_search():
    instance = _random_variant(2)
    generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
    result = generation.bound(time.monotonic() + 20)
    _, duals, _ = generation.master.solve()
    rng = np.random.default_rng(0)
    roster = {}
    for staff_id, pricer in generation.pricers.items():
        column = pricer.jittered(duals, rng)
        assert column is not None and column.staff_id == staff_id
        roster.update({(staff_id, day): code for day, code in column.cells})
    assert curtois.violations(instance, roster) == []
    near = generation.near_optimal(time.monotonic() + 10, seed=0)
    assert near - result.support  # rosters the master did not mix
    assert generation.near_optimal(time.monotonic() - 1) == set()  # out of time: none


def test_pricing_heading_in_offers_distinct_jittered_rosters_that_keep_every_rule():
    instance = _random_variant(3)
    generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
    duals = generation.master.opening_duals()
    with ThreadPoolExecutor(2) as pool:
        plain = _price_all(pool, list(generation.pricers.values()), duals, time.monotonic() + 20)
        jittered = _price_all(
            pool, list(generation.pricers.values()), duals, time.monotonic() + 20, tries=3
        )
    assert all(price is not None for price in plain + jittered)
    assert sum(len(price.others) for price in jittered) > sum(len(p.others) for p in plain)
    roster = {}
    for price in jittered:
        offered = [column.cells for column in price.columns()]
        assert len(offered) == len(set(offered)) <= 1 + 3  # each roster offered once
        for day, code in price.columns()[-1].cells:
            roster[price.column.staff_id, day] = code
    assert curtois.violations(instance, roster) == []


def test_generation_with_jittered_rosters_heading_in_still_proves_the_optimum():
    roster_problem = curtois.to_problem(_random_variant(0))
    bounds = []
    for tries in (0, 3):
        generation = ColumnGeneration(roster_problem, workers=2)
        generation.heading_in_tries = tries
        result = generation.bound(time.monotonic() + 20)
        assert result.converged
        bounds.append(result.integer_bound())
    assert bounds[0] == bounds[1]


def test_members_priced_by_cp_sat_give_no_near_optimal_rosters():
    generation = ColumnGeneration(curtois.to_problem(_random_variant(2)), workers=2, program=False)
    generation.bound(time.monotonic() + 20)
    assert generation.near_optimal(time.monotonic() + 10) == set()


def test_the_restricted_search_uses_only_the_cells_it_is_given():
    instance = curtois.parse_file(TINY)
    roster_problem = curtois.to_problem(instance)
    roster_model = build_model(roster_problem)
    allowed = {key for key in roster_model.x if key[2] == "D"}  # no night shifts at all
    found = solve_within(roster_model, allowed, 5.0, 1, 0)
    assert found is not None
    worked = {key for key, var in roster_model.x.items() if found.values[var.Index()]}
    assert worked and worked <= allowed


def _column_start(seed: int = 3):
    """A random variant, its model, and what column generation leaves for the searches: the
    dive's roster as the start and the cells of the master's mix and the dive."""
    instance = _random_variant(seed)
    roster_problem = curtois.to_problem(instance)
    generation = ColumnGeneration(roster_problem, workers=2)
    result = generation.bound(time.monotonic() + 20)
    dived = generation.dive(time.monotonic() + 20)
    roster_model = build_model(roster_problem)
    start = neighbourhood.complete(roster_model, dived, 5.0)
    cells = result.support | {(sid, day, code) for (sid, day), code in dived.items()}
    return instance, roster_model, _ColumnStart(start, result.integer_bound(), cells, start)


def _checked_roster(instance, roster_model, found, cells=None) -> None:
    """``found`` keeps every rule at the objective it states (and works only ``cells``)."""
    worked = {key for key, var in roster_model.x.items() if found.values[var.Index()]}
    assert cells is None or worked <= cells
    roster = {(sid, day): code for sid, day, code in worked}
    assert curtois.violations(instance, roster) == []
    assert curtois.penalty(instance, roster) == found.objective


def test_the_restricted_neighbourhood_search_betters_the_dive_within_its_cells():
    instance, roster_model, column_start = _column_start()
    start, cells = column_start.start, column_start.cells
    domains = [list(v.domain) for v in roster_model.model.proto.variables]
    reported = []
    best = improve_within(
        roster_model, cells, start, time.monotonic() + 3, 2, 0, reported.append, None
    )
    assert best.objective <= start.objective
    assert all(better.objective < start.objective for better in reported)
    _checked_roster(instance, roster_model, best, cells)
    # The model itself is left as it was: every shift still open to the later searches.
    assert [list(v.domain) for v in roster_model.model.proto.variables] == domains


def test_a_restart_solves_the_dive_again_within_its_cells_and_keeps_every_rule():
    instance, roster_model, column_start = _column_start()
    start, cells = column_start.start, column_start.cells
    for seed in (1, 2):
        again = _restricted_again(roster_model, column_start, 2.0, 2, seed)
        assert again is not None and again.objective <= start.objective
        _checked_roster(instance, roster_model, again, cells)


def test_a_search_restarting_on_every_stall_ends_at_its_deadline_keeping_every_rule():
    instance, roster_model, column_start = _column_start()
    start = column_start.start
    column_start.bound = None
    # A floor of 0 is never reached: the search stalls at its best roster and starts again from
    # a new restricted search while one fits, then searches on until the deadline. (The start
    # holds no converged generation: no branch and price.)
    parameters = SolveParameters(
        time_limit_seconds=8, workers=2, restart_stall_share=0.05, restart_restricted_share=0.15
    )
    recorder = _ProgressRecorder(None, time.monotonic())
    deadline = time.monotonic() + 8
    best, bound = _search_neighbourhoods(
        roster_model, start, deadline, parameters, recorder, 0, column_start
    )
    assert deadline - 0.5 < time.monotonic() < deadline + 1.5
    assert best.objective <= start.objective and bound == 0
    _checked_roster(instance, roster_model, best)
    objectives = [point.objective for point in recorder.points]
    assert objectives == sorted(objectives, reverse=True)
    assert all(objective < start.objective for objective in objectives)


def test_a_member_with_no_roster_at_all_gives_no_bound():
    impossible = staff("A", min_minutes=8 * 480)  # eight day shifts in a week of seven days
    generation = ColumnGeneration(problem([impossible, staff("B")], coverage=cover(range(7))))
    assert generation.bound(time.monotonic() + 10) is None


def test_the_solver_reports_the_column_bound_and_keeps_every_rule():
    instance = curtois.parse_file(TINY)
    parameters = SolveParameters(time_limit_seconds=10, workers=2, seed=1)
    solution = solve(curtois.to_problem(instance), parameters)
    assert solution.has_roster
    assert curtois.violations(instance, solution.assignments) == []
    assert curtois.penalty(instance, solution.assignments) == solution.objective
    generation = ColumnGeneration(curtois.to_problem(instance), workers=2)
    proven = generation.bound(time.monotonic() + 10).integer_bound()
    assert solution.bound >= proven
