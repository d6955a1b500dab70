"""The state program behind column generation's pricing: for random members, rules and rewards
its roster is the member's CP-SAT model's optimum, keeps every rule and is proven optimal."""

from __future__ import annotations

import math
import random

import numpy as np
from ortools.sat.python import cp_model

from scheduling.engine.roster import LockedCell, ShiftPreference, ShiftType
from scheduling.engine.roster.model import build_model
from scheduling.engine.roster.pricing import RosterPricer

from .helpers import problem, staff

EARLY = ShiftType("E", 480, start_minute=6 * 60)
LATE = ShiftType("L", 480, start_minute=14 * 60, forbidden_successors=("E",))
LONG = ShiftType("G", 720, start_minute=8 * 60)
NIGHT = ShiftType("N", 600, start_minute=21 * 60, forbidden_successors=("E", "G"))
SHIFTS = (EARLY, LATE, LONG, NIGHT)


def _random_member_problem(rng: random.Random, days: int):
    """One member with random contract limits, leave, locks and preferences."""
    limits = {shift.code: rng.choice([days, days, rng.randint(1, 6), 0]) for shift in SHIFTS}
    limits["E"] = max(limits["E"], 1)  # at least one shift type open
    member = staff(
        "A",
        max_shifts_per_type=limits,
        max_minutes=rng.randint(days * 200, days * 400),
        min_minutes=rng.randint(0, days * 150),
        max_consecutive_days=rng.choice([None, 3, 4, 5]),
        min_consecutive_days=rng.choice([1, 2, 3]),
        min_consecutive_days_off=rng.choice([1, 2, 3]),
        max_weekends=rng.choice([None, 0, 1, 2]),
    )
    leave = {("A", day) for day in rng.sample(range(days), 2)}
    free = [day for day in range(days) if ("A", day) not in leave]
    locked = [LockedCell("A", free[0], None), LockedCell("A", free[-1], "E")]
    preferences = [
        ShiftPreference(
            "A", day, rng.choice([None, "E", "L", "G", "N"]), rng.random() < 0.5, rng.randint(1, 5)
        )
        for day in rng.sample(range(days), 5)
    ]
    return problem(
        [member],
        shifts=SHIFTS,
        days=days,
        leave=leave,
        locked=locked,
        preferences=preferences,
    )


def _exact(roster_problem, rewards: dict[tuple[int, str], float]):
    """The member's CP-SAT model minimising its own cost less the rewards: (value, model)."""
    roster_model = build_model(roster_problem)
    own_cost = roster_model.total_objective()
    keys = list(roster_model.x)
    model = roster_model.model
    variables = [roster_model.x[key] for key in keys]
    weights = [rewards[day, code] for _, day, code in keys]
    # Whole-number rewards keep CP-SAT's objective exact.
    model.minimize(own_cost - cp_model.LinearExpr.weighted_sum(variables, weights))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30
    status = solver.solve(model)
    return status, solver.objective_value


def _reward_table(pricer: RosterPricer, rewards: dict[tuple[int, str], float]) -> np.ndarray:
    table = np.zeros((pricer.days, len(pricer.codes)))
    for (day, code), value in rewards.items():
        if code in pricer.codes:
            table[day, pricer.codes.index(code)] = value
    return table


def test_the_program_finds_the_model_optimum_for_random_members_and_rewards():
    rng = random.Random(7)
    compared = 0
    for case in range(40):
        days = rng.choice([14, 21, 28])
        roster_problem = _random_member_problem(rng, days)
        rewards = {
            (day, shift.code): rng.randint(-20, 120) for day in range(days) for shift in SHIFTS
        }
        status, optimum = _exact(roster_problem, rewards)
        pricer = RosterPricer(roster_problem, roster_problem.staff[0])
        priced = pricer.best(_reward_table(pricer, rewards))
        if status == cp_model.INFEASIBLE:
            assert priced is None or not priced.within_limits, f"case {case}"
            continue
        assert status == cp_model.OPTIMAL, f"case {case}"
        compared += 1
        assert priced is not None, f"case {case}"
        assert priced.lower <= optimum + 1e-6, f"case {case}: the bound passes the optimum"
        if priced.within_limits and priced.objective <= priced.lower + 1e-6:
            assert math.isclose(priced.objective, optimum, abs_tol=1e-6), f"case {case}"
        else:
            # Not proven: the caller falls back to the model. Still a roster within the rules.
            assert priced.objective >= optimum - 1e-6, f"case {case}"
    assert compared >= 20


def test_the_optimum_holds_under_successions_whose_allowed_sets_do_not_nest():
    """Five shift types, each forbidding a random few of the others the next day: the sets of
    shifts allowed the day before each type overlap without nesting, and the program builds
    each set's best from a smaller one plus the shifts it adds."""
    rng = random.Random(23)
    codes = ["A", "B", "C", "D", "E"]
    parents_used = 0
    for case in range(12):
        shifts = tuple(
            ShiftType(
                code,
                rng.choice([480, 600]),
                forbidden_successors=tuple(
                    other for other in codes if other != code and rng.random() < 0.35
                ),
            )
            for code in codes
        )
        member = staff("A", max_minutes=28 * 400, max_consecutive_days=5)
        roster_problem = problem([member], shifts=shifts, days=21)
        pricer = RosterPricer(roster_problem, member)
        parents_used += int((pricer.before_parent >= 0).sum())
        rewards = {(d, code): rng.randint(-10, 100) for d in range(21) for code in codes}
        priced = pricer.best(_reward_table(pricer, rewards))
        status, optimum = _exact(roster_problem, rewards)
        assert status == cp_model.OPTIMAL, f"case {case}"
        assert math.isclose(priced.objective, optimum, abs_tol=1e-6), f"case {case}"
    assert parents_used > 0  # some sets were built from a smaller one


def test_the_roster_returned_keeps_every_rule_and_costs_what_it_says():
    rng = random.Random(11)
    for case in range(15):
        roster_problem = _random_member_problem(rng, 28)
        pricer = RosterPricer(roster_problem, roster_problem.staff[0])
        rewards = {(d, s.code): rng.randint(0, 100) for d in range(28) for s in SHIFTS}
        priced = pricer.best(_reward_table(pricer, rewards))
        if priced is None or not priced.within_limits:
            continue
        # Fix the roster in the member's model: it must be feasible, at the cost stated.
        roster_model = build_model(roster_problem)
        for (_, day, code), var in roster_model.x.items():
            roster_model.model.add(var == int(priced.cells.get(day) == code))
        roster_model.model.minimize(roster_model.total_objective())
        solver = cp_model.CpSolver()
        assert solver.solve(roster_model.model) == cp_model.OPTIMAL, f"case {case}"
        assert solver.objective_value == priced.cost, f"case {case}"
        earned = sum(rewards[day, code] for day, code in priced.cells.items())
        assert math.isclose(priced.objective, priced.cost - earned), f"case {case}"


def test_a_tight_limit_per_type_joins_the_states_and_is_kept():
    """Rewards pull towards nights on every day; the contract allows three."""
    member = staff("A", max_shifts_per_type={"N": 3}, max_consecutive_days=5)
    roster_problem = problem([member], shifts=(EARLY, NIGHT), days=14)
    pricer = RosterPricer(roster_problem, member)
    rewards = {(d, "N"): 100 for d in range(14)} | {(d, "E"): 10 for d in range(14)}
    priced = pricer.best(_reward_table(pricer, rewards))
    assert priced.within_limits
    assert sum(code == "N" for code in priced.cells.values()) == 3
    assert pricer.counted == [pricer.codes.index("N")]
    _, optimum = _exact(roster_problem, rewards)
    assert math.isclose(priced.objective, optimum)
    assert math.isclose(priced.lower, optimum)


def test_a_member_with_no_roster_within_the_rules_has_none():
    member = staff("A", min_minutes=14 * 480, max_consecutive_days=3)
    roster_problem = problem([member], shifts=(EARLY,), days=14)
    pricer = RosterPricer(roster_problem, member)
    assert pricer.best(np.zeros((14, 1))) is None


def test_a_member_who_may_work_no_shift_is_off_every_day():
    member = staff("A", max_shifts_per_type={"E": 0})
    roster_problem = problem([member], shifts=(EARLY,), days=7)
    pricer = RosterPricer(roster_problem, member)
    priced = pricer.best(np.zeros((7, 0)))
    assert priced.cells == {}
    assert priced.objective == 0
