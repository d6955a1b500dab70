"""The work/rest pattern program against every pattern of a short period, checked independently."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from scheduling.engine.roster.patterns import PatternRules, best_pattern


def _runs(pattern: tuple[bool, ...]):
    """(working, first day, length) of each maximal run."""
    start = 0
    for day in range(1, len(pattern) + 1):
        if day == len(pattern) or pattern[day] != pattern[start]:
            yield pattern[start], start, day - start
            start = day


def _allowed(rules: PatternRules, options: tuple, sizes: list[int]) -> bool:
    units = sum(sizes[option] for option in options if option is not None)
    if not rules.min_units <= units <= rules.max_units:
        return False
    pattern = tuple(option is not None for option in options)
    if any(pattern[d] for d in rules.forced_off) or any(not pattern[d] for d in rules.forced_on):
        return False
    if rules.max_weekends is not None:
        worked = sum(any(pattern[d] for d in days) for days in rules.weekends)
        if worked > rules.max_weekends:
            return False
    for working, first, length in _runs(pattern):
        if working and rules.max_consecutive is not None and length > rules.max_consecutive:
            return False
        touches_end = first == 0 or first + length == len(pattern)
        minimum = rules.min_consecutive if working else rules.min_days_off
        if length < minimum and not touches_end:
            return False
    return True


def _rules(rng: random.Random, num_days: int) -> PatternRules:
    saturday = rng.randrange(7)
    weekends = [
        [d for d in (s, s + 1) if 0 <= d < num_days] for s in range(saturday - 7, num_days, 7)
    ]
    weekends = [days for days in weekends if days]
    low = rng.randrange(num_days)
    days = list(range(num_days))
    return PatternRules(
        num_days=num_days,
        min_units=low,
        max_units=low + rng.randrange(5),
        max_consecutive=rng.choice([None, 2, 3, 5]),
        min_consecutive=rng.choice([1, 2, 3]),
        min_days_off=rng.choice([1, 2, 3]),
        max_weekends=rng.choice([None, 0, 1, 2]),
        weekends=weekends,
        forced_off=frozenset(rng.sample(days, rng.randrange(3))),
        forced_on=frozenset(rng.sample(days, rng.randrange(2))),
    )


@pytest.mark.parametrize("seed", range(40))
def test_best_pattern_is_the_best_allowed_pattern_of_all(seed):
    rng = random.Random(seed)
    # One option of one unit (days worked), or two of different sizes (lengths of shift).
    sizes = [1] if seed % 2 else [2, 3]
    num_days = 11 if len(sizes) == 1 else 8
    rules = _rules(rng, num_days)
    values = [
        [rng.choice([-math.inf, *range(-5, 10)]) if k else rng.randint(-5, 9) for k in sizes]
        for _ in range(num_days)
    ]
    choices = [None, *range(len(sizes))]
    allowed = [
        p
        for p in itertools.product(choices, repeat=num_days)
        if _allowed(rules, p, sizes)
        and all(o is None or values[d][o] > -math.inf for d, o in enumerate(p))
    ]
    pattern = best_pattern(rules, values, sizes)
    if not allowed:
        assert pattern is None
        return
    assert pattern is not None
    assert _allowed(rules, tuple(pattern), sizes)

    def total(options) -> float:
        return sum(values[d][o] for d, o in enumerate(options) if o is not None)

    assert total(pattern) == max(total(p) for p in allowed)


def test_a_tight_year_long_contract_gets_a_pattern_quickly():
    num_days = 364
    weekends = [[d, d + 1] for d in range(5, num_days, 7)]
    leave = frozenset(random.Random(1).sample(range(num_days), 36))
    rules = PatternRules(
        num_days=num_days,
        min_units=232,
        max_units=234,
        max_consecutive=5,
        min_consecutive=2,
        min_days_off=2,
        max_weekends=26,
        weekends=weekends,
        forced_off=leave,
    )
    pattern = best_pattern(rules, [[1.0]] * num_days, [1])
    assert pattern is not None
    assert _allowed(rules, tuple(pattern), [1])
    assert sum(option is not None for option in pattern) == 234
