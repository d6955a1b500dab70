"""The work/rest pattern program against every pattern of a short period, checked independently."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from dataclasses import replace

import pytest

from scheduling.engine.roster.patterns import (
    PatternRules,
    best_pattern,
    best_shifts,
    most_days_worked,
)


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


@pytest.mark.parametrize("seed", range(30))
def test_best_pattern_keeps_which_option_may_follow_which(seed):
    rng = random.Random(1000 + seed)
    sizes = [1, 2, 3]
    num_days = 7
    rules = _rules(rng, num_days)
    values = [[rng.randint(-5, 9) for _ in sizes] for _ in range(num_days)]
    follows = [[rng.random() < 0.5 for _ in sizes] for _ in sizes]

    def keeps_follows(options) -> bool:
        pairs = zip(options, options[1:], strict=False)
        return all(a is None or b is None or follows[a][b] for a, b in pairs)

    allowed = [
        p
        for p in itertools.product([None, *range(len(sizes))], repeat=num_days)
        if _allowed(rules, p, sizes) and keeps_follows(p)
    ]
    pattern = best_pattern(rules, values, sizes, follows)
    if not allowed:
        assert pattern is None
        return
    assert pattern is not None
    assert _allowed(rules, tuple(pattern), sizes) and keeps_follows(pattern)

    def total(options) -> float:
        return sum(values[d][o] for d, o in enumerate(options) if o is not None)

    assert total(pattern) == max(total(p) for p in allowed)


def _within_band(rules: PatternRules, options: tuple, sizes: list[int]) -> bool:
    """By each day, the work done is within ``rules.band`` units of the range's share of the
    days not forced off: no less than the minimum's share through the day, no more than the
    maximum's share before it."""
    open_days = [day not in rules.forced_off for day in range(rules.num_days)]
    total_open = max(1, sum(open_days))
    done = 0
    for day, option in enumerate(options):
        before_share = sum(open_days[:day]) / total_open
        if done > math.ceil(rules.max_units * before_share) + rules.band:
            return False
        done += sizes[option] if option is not None else 0
        share = sum(open_days[: day + 1]) / total_open
        if done < math.floor(rules.min_units * share) - rules.band:
            return False
    return True


@pytest.mark.parametrize("seed", range(30))
def test_a_banded_pattern_is_the_best_of_those_within_its_band(seed):
    rng = random.Random(2000 + seed)
    sizes = [1] if seed % 2 else [2, 3]
    num_days = 11 if len(sizes) == 1 else 8
    rules = replace(_rules(rng, num_days), band=rng.choice([0, 1, 2]))
    values = [[rng.randint(-5, 9) for _ in sizes] for _ in range(num_days)]
    allowed = [
        p
        for p in itertools.product([None, *range(len(sizes))], repeat=num_days)
        if _allowed(rules, p, sizes) and _within_band(rules, p, sizes)
    ]
    pattern = best_pattern(rules, values, sizes)
    if not allowed:
        assert pattern is None
        return
    assert pattern is not None
    assert _allowed(rules, tuple(pattern), sizes) and _within_band(rules, tuple(pattern), sizes)

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


def _shift_sequences(values, forbidden, maxima):
    """Every allowed choice of shift per day (None on days whose values are all -inf)."""
    days = [
        [None]
        if all(v == -math.inf for v in row)
        else [c for c, v in enumerate(row) if v > -math.inf]
        for row in values
    ]
    for chosen in itertools.product(*days):
        pairs = zip(chosen, chosen[1:], strict=False)
        if any((a, b) in forbidden for a, b in pairs if a is not None and b is not None):
            continue
        used = Counter(c for c in chosen if c is not None)
        if any(m is not None and used[c] > m for c, m in enumerate(maxima)):
            continue
        yield chosen


def _shift_case(seed: int, with_maxima: bool):
    rng = random.Random(seed)
    num_days, num_shifts = 7, 3
    values = [
        [-math.inf] * num_shifts
        if rng.random() < 0.3
        else [rng.choice([-math.inf, *range(-3, 8)]) for _ in range(num_shifts)]
        for _ in range(num_days)
    ]
    pairs = [(a, b) for a in range(num_shifts) for b in range(num_shifts)]
    forbidden = set(rng.sample(pairs, 3))
    maxima = [rng.choice([None, 1, 2]) for _ in range(num_shifts)] if with_maxima else [None] * 3
    return values, forbidden, maxima


def _assert_the_best_of(chosen, sequences, values) -> None:
    """``chosen`` is one of ``sequences`` of the highest total value, or None if there are none."""
    if not sequences:
        assert chosen is None
        return

    def total(sequence) -> float:
        return sum(values[d][c] for d, c in enumerate(sequence) if c is not None)

    assert chosen is not None
    assert tuple(chosen) in set(sequences)
    assert total(chosen) == max(total(s) for s in sequences)


@pytest.mark.parametrize("seed", range(30))
def test_best_shifts_is_the_best_sequence_when_no_shift_has_a_maximum(seed):
    values, forbidden, maxima = _shift_case(seed, with_maxima=False)
    sequences = list(_shift_sequences(values, forbidden, maxima))
    chosen = best_shifts(values, forbidden, maxima)
    _assert_the_best_of(chosen, sequences, values)


@pytest.mark.parametrize("seed", range(30))
def test_best_shifts_keeps_every_maximum_and_succession_rule(seed):
    values, forbidden, maxima = _shift_case(seed, with_maxima=True)
    sequences = set(_shift_sequences(values, forbidden, maxima))
    chosen = best_shifts(values, forbidden, maxima)
    if chosen is not None:
        assert tuple(chosen) in sequences
    else:
        # Pricing gives up only on a real conflict or after its rounds; never with no maxima hit.
        unlimited = best_shifts(values, forbidden, [None] * len(maxima))
        assert unlimited is None or any(
            m is not None and unlimited.count(c) > m for c, m in enumerate(maxima)
        )


@pytest.mark.parametrize("seed", range(30))
def test_best_shifts_keeps_the_units_worked_within_their_range(seed):
    values, forbidden, maxima = _shift_case(seed, with_maxima=False)
    rng = random.Random(500 + seed)
    sizes = [2, 3, 4]
    fewest = rng.randrange(12)
    units = (fewest, fewest + rng.randrange(4))

    def within(sequence) -> bool:
        worked = sum(sizes[c] for c in sequence if c is not None)
        return units[0] <= worked <= units[1]

    sequences = [s for s in _shift_sequences(values, forbidden, maxima) if within(s)]
    chosen = best_shifts(values, forbidden, maxima, sizes=sizes, units=units)
    _assert_the_best_of(chosen, sequences, values)


@pytest.mark.parametrize("longest,rest", [(None, 1), (1, 1), (2, 3), (3, 2), (5, 2)])
def test_the_most_days_worked_bound_is_the_most_any_pattern_works(longest, rest):
    """The program skips work totals beyond this bound; it must never be below the truth."""
    most = most_days_worked(
        PatternRules(
            num_days=12, min_units=0, max_units=12, max_consecutive=longest, min_days_off=rest
        )
    )
    for days in range(13):
        rules = PatternRules(
            num_days=days, min_units=0, max_units=days, max_consecutive=longest, min_days_off=rest
        )
        patterns = itertools.product([None, 0], repeat=days)
        worked = [sum(o is not None for o in p) for p in patterns if _allowed(rules, p, [1])]
        assert most[days] == max(worked, default=0)
