"""The best work/rest pattern of one staff member, by dynamic programming over the period.

Which days a member works and with which option (a length of shift), not which shift: leave and
locked days, the run rules (longest and shortest working run, shortest run of days off, runs
touching either end of the period exempt from the minima, as in the model), the most weekends
worked and a range of work (in units of the options' sizes), with the sum of the values of the
options chosen maximised. Over a year a member's CP-SAT model can take
seconds to find any roster when the contract is tight; this program always finds one if there is
one (within the rules' band of work by each day, when they set one), in a fraction of a second,
and the model then only chooses the shift of each day worked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numba
import numpy as np

from .buffers import scratch

# Columns of the program's day flags.
FORCED_OFF, FORCED_ON, WEEKEND_DAY, WEEKEND_FIRST = range(4)
# The program's answer when no pattern meets the rules.
NO_PATTERN = -2


@dataclass(frozen=True)
class PatternRules:
    num_days: int
    # The work done, in units: each option worked adds its size.
    min_units: int
    max_units: int
    max_consecutive: int | None = None
    min_consecutive: int = 1
    min_days_off: int = 1
    max_weekends: int | None = None
    # Each weekend's days (consecutive): a weekend counts once, whichever of its days are worked.
    weekends: Sequence[Sequence[int]] = ()
    forced_off: frozenset[int] = field(default_factory=frozenset)
    forced_on: frozenset[int] = field(default_factory=frozenset)
    # Keep the work done by each day within this many units of its share of the range (in
    # proportion to the days not forced off so far); None: any work that can still end in range.
    band: int | None = None


@dataclass(frozen=True)
class RunState:
    working: bool
    run: int
    # The run started on day 0: it is exempt from the minimum run length.
    from_start: bool


class RunStates:
    """The run states: working runs up to the longest allowed (or the shortest required, when
    unlimited), runs of days off up to the shortest required, and the short runs from day 0."""

    def __init__(self, rules: PatternRules) -> None:
        self.shortest = max(1, rules.min_consecutive)
        self.rest = max(1, rules.min_days_off)
        self.longest = rules.max_consecutive
        top = self.longest if self.longest is not None else self.shortest
        states = [RunState(True, r, False) for r in range(1, top + 1)]
        states += [RunState(True, r, True) for r in range(1, min(self.shortest, top + 1))]
        states += [RunState(False, r, False) for r in range(1, self.rest + 1)]
        states += [RunState(False, r, True) for r in range(1, self.rest)]
        self.all = states
        self.index = {state: i for i, state in enumerate(states)}

    def after_work(self, state: RunState | None) -> RunState | None:
        """The state after working one more day (None: the rules forbid it)."""
        if state is None:
            return self._run(True, 1, from_start=True)
        if state.working:
            if self.longest is not None and state.run >= self.longest:
                return None
            return self._run(True, state.run + 1, state.from_start)
        if state.run < self.rest and not state.from_start:
            return None
        return self._run(True, 1, from_start=False)

    def after_rest(self, state: RunState | None) -> RunState | None:
        """The state after one more day off (None: the rules forbid it)."""
        if state is None:
            return self._run(False, 1, from_start=True)
        if not state.working:
            return self._run(False, state.run + 1, state.from_start)
        if state.run < self.shortest and not state.from_start:
            return None
        return self._run(False, 1, from_start=False)

    def _run(self, working: bool, run: int, from_start: bool) -> RunState:
        minimum = self.shortest if working else self.rest
        if run >= minimum:
            from_start = False  # long enough: where it started no longer matters
        if working:
            top = self.longest if self.longest is not None else self.shortest
            run = min(run, top)
        else:
            run = min(run, self.rest)
        return RunState(working, run, from_start)


def best_pattern(
    rules: PatternRules,
    values: Sequence[Sequence[float]],
    sizes: Sequence[int],
    follows: Sequence[Sequence[bool]] | None = None,
) -> list[int | None] | None:
    """Each day's option (an index into ``sizes``; None for a day off) maximising the sum of
    ``values[day][option]`` (minus infinity: not on that day), or None when no pattern meets
    the rules. ``follows[a][b]`` False: option ``b`` may not be worked the day after option
    ``a`` (default: any may follow any)."""
    if rules.min_units > rules.max_units:
        return None
    after_work, after_rest, working = _transitions(RunStates(rules), len(sizes), follows)
    num_states = len(working) - 1
    if (num_states + 1) * (len(sizes) + 1) > np.iinfo(np.int16).max:
        raise ValueError("too many run states and options for the pattern program")
    weekend_top = rules.max_weekends if rules.max_weekends is not None else 0
    shape = (rules.num_days, num_states, rules.max_units + 1, weekend_top + 1)
    options = _pattern_program(
        np.asarray(values, dtype=np.float64).reshape(rules.num_days, len(sizes)),
        np.asarray(sizes, dtype=np.int64),
        after_work,
        after_rest,
        working,
        _day_flags(rules),
        np.asarray(most_days_worked(rules), dtype=np.int64),
        *_band(rules),
        rules.min_units,
        # Only the entries the program writes are ever read: no need to clear it.
        scratch("pattern_came_from", math.prod(shape), np.int16).reshape(shape),
    )
    return _as_options(options)


def _band(rules: PatternRules) -> tuple[np.ndarray, np.ndarray]:
    """The least units a pattern may have after each day, and the most it may have before it
    (``rules.band`` around the range's share of the days open so far); no limit without one."""
    days = rules.num_days
    if rules.band is None:
        return np.zeros(days, dtype=np.int64), np.full(days, rules.max_units + 1, dtype=np.int64)
    open_days = np.array([day not in rules.forced_off for day in range(days)], dtype=np.float64)
    share = np.cumsum(open_days) / max(1.0, open_days.sum())  # of the open days, up to each day
    before = np.concatenate(([0.0], share[:-1]))  # up to the day before
    least = np.floor(rules.min_units * share) - rules.band
    most = np.ceil(rules.max_units * before) + rules.band + 1
    return np.maximum(0, least).astype(np.int64), most.astype(np.int64)


def _as_options(answer: np.ndarray) -> list[int | None] | None:
    """A compiled program's answer as a list (-1 as None), None for ``[NO_PATTERN]``."""
    if not len(answer) or answer[0] == NO_PATTERN:
        return None
    return [None if option < 0 else int(option) for option in answer]


def most_days_worked(rules: PatternRules) -> list[int]:
    """For each number of days, the most of them any pattern can work under the longest run and
    the shortest rest (leave aside): runs of the longest length with the shortest rest between
    them, from the first day."""
    longest = rules.max_consecutive or rules.num_days
    cycle = longest + max(1, rules.min_days_off)
    return [
        days // cycle * longest + min(longest, days % cycle) for days in range(rules.num_days + 1)
    ]


def _transitions(
    states: RunStates, num_options: int, follows: Sequence[Sequence[bool]] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The program's states, and last the start (no day yet): for each, the state after one
    more day worked with each option and after one more day off (-1: the rules forbid it), and
    whether it is a working run. Where some option may not follow another, a working run's
    state also holds the option of its last day."""
    restricted = follows is not None and not all(all(row) for row in follows)
    last_options = list(range(num_options)) if restricted else [None]
    program_states = [
        (state, option)
        for state in states.all
        for option in (last_options if state.working else [None])
    ]
    index = {state: position for position, state in enumerate(program_states)}
    before = [*program_states, (None, None)]
    after_work = np.full((len(before), num_options), -1, dtype=np.int64)
    after_rest = np.full(len(before), -1, dtype=np.int64)
    for position, (state, last) in enumerate(before):
        if (target := states.after_work(state)) is not None:
            for option in range(num_options):
                if last is None or follows[last][option]:
                    after_work[position, option] = index[target, option if restricted else None]
        if (target := states.after_rest(state)) is not None:
            after_rest[position] = index[target, None]
    working = np.array([state is not None and state.working for state, _ in before])
    return after_work, after_rest, working


def _day_flags(rules: PatternRules) -> np.ndarray:
    """Per day: forced off, forced on, a weekend day that counts towards the weekend limit, the
    first day of its weekend (``FORCED_OFF`` ... ``WEEKEND_FIRST``)."""
    flags = np.zeros((rules.num_days, 4), dtype=np.bool_)
    for day in rules.forced_off:
        flags[day, FORCED_OFF] = True
    for day in rules.forced_on:
        flags[day, FORCED_ON] = True
    if rules.max_weekends is not None:
        for days in rules.weekends:
            for day in days:
                flags[day, WEEKEND_DAY] = True
            flags[days[0], WEEKEND_FIRST] = True
    return flags


@numba.njit(cache=True, nogil=True)
def _pattern_program(
    values,
    sizes,
    after_work,
    after_rest,
    working,
    flags,
    most,
    least_after,
    most_before,
    min_units,
    came_from,
):
    """The best pattern's option per day (-1: off), or ``[NO_PATTERN]`` when there is none.

    The state of a day is the run state, the units worked so far and the weekends worked so
    far; ``came_from[day, state, units, weekends]`` packs the state of the day before (the
    start is state ``len(states)``) and the option worked as state * (options + 1) + option
    + 1. Only the units still able to end within the range are kept: those below the minimum
    minus all the rest of the period could add are dead, and no pattern has more units by a
    day than its longest shifts on every day the run rules let it work."""
    days, num_options = values.shape
    _, num_states, num_units, num_weekends = came_from.shape
    start = num_states
    largest = sizes.max()
    best = np.full((num_states + 1, num_units, num_weekends), -np.inf)
    best[start, 0, 0] = 0.0
    new = np.full_like(best, -np.inf)
    reached = np.zeros(num_states + 1, dtype=np.bool_)
    reached[start] = True
    for day in range(days):
        low = max(0, min_units - largest * most[days - day], least_after[day])
        high = min(largest * most[day] + 1, most_before[day])
        # Today's moves write units from low up to high + largest, and tomorrow's read from
        # low - largest: only that band of the day before yesterday's values needs clearing
        # (what lies below it was written below every later band too, and is never read).
        new[:, max(0, low - largest) : min(num_units, high + largest), :] = -np.inf
        targets = np.zeros(num_states + 1, dtype=np.bool_)
        for source in range(num_states + 1):
            if not reached[source]:
                continue
            packed = source * (num_options + 1) + 1  # + the option worked; + 0 for a day off
            if not flags[day, FORCED_OFF]:
                weekend = 0
                if flags[day, WEEKEND_DAY] and (flags[day, WEEKEND_FIRST] or not working[source]):
                    weekend = 1
                for option in range(num_options):
                    target = after_work[source, option]
                    if target >= 0 and np.isfinite(values[day, option]):
                        move = (values[day, option], sizes[option], weekend, packed + option)
                        if _relax(
                            best[source], new[target], came_from[day, target], move, low, high
                        ):
                            targets[target] = True
            target = after_rest[source]
            if not flags[day, FORCED_ON] and target >= 0:
                move = (0.0, 0, 0, packed - 1)
                if _relax(best[source], new[target], came_from[day, target], move, low, high):
                    targets[target] = True
        best, new = new, best
        reached = targets
    return _trace_back(best, came_from, sizes, working, flags, min_units)


@numba.njit(cache=True, nogil=True, inline="always")
def _relax(current, target, came_from, move, low, high) -> bool:
    """Offer every units x weekends value of one state (``current``) moved to another
    (``target``) by ``move``: (value, units, weekends added, packed way); False when no units
    of the move stay within ``low`` and ``high``."""
    value, units, weekend, how = move
    num_units, num_weekends = current.shape
    first = max(low - units, 0)
    last = min(num_units - units, high)
    if first >= last:
        return False
    for u in range(first, last):
        for w in range(num_weekends - weekend):
            v = current[u, w]
            if v == -np.inf:
                continue
            v += value
            if v > target[u + units, w + weekend]:
                target[u + units, w + weekend] = v
                came_from[u + units, w + weekend] = how
    return True


@numba.njit(cache=True, nogil=True)
def _trace_back(best, came_from, sizes, working, flags, min_units):
    days, num_states, num_units, num_weekends = came_from.shape
    num_options = len(sizes)
    top, position, units, weekends = -np.inf, -1, 0, 0
    for s in range(num_states):
        for u in range(min_units, num_units):
            for w in range(num_weekends):
                if best[s, u, w] > top:
                    top, position, units, weekends = best[s, u, w], s, u, w
    pattern = np.full(days, -1, dtype=np.int64)
    if position < 0:
        pattern[:] = NO_PATTERN
        return pattern
    for day in range(days - 1, -1, -1):
        how = came_from[day, position, units, weekends]
        previous, option = how // (num_options + 1), how % (num_options + 1) - 1
        if option >= 0:
            pattern[day] = option
            if flags[day, WEEKEND_DAY] and (flags[day, WEEKEND_FIRST] or not working[previous]):
                weekends -= 1
            units -= sizes[option]
        position = previous
    return pattern


def best_shifts(
    values: Sequence[Sequence[float]],
    forbidden: set[tuple[int, int]],
    maxima: Sequence[int | None],
    rounds: int = 8,
    sizes: Sequence[int] | None = None,
    units: tuple[int, int] = (0, 0),
) -> list[int | None] | None:
    """Each day's shift (an index into the columns of ``values``; None on a day whose values are
    all minus infinity, a day off) maximising the sum of the values chosen, with no pair
    (shift, next day's shift) in ``forbidden`` and, where ``sizes`` gives each shift's units of
    work, the units worked within ``units`` (the fewest and the most).

    Shifts over their ``maxima`` are priced out: each round raises the price of every shift
    still used too often, for at most ``rounds`` rounds; None if that does not bring them all
    within their maxima (or no sequence keeps the other rules)."""
    table = np.asarray(values, dtype=float)
    num_days, num_shifts = table.shape
    allowed_after = np.ones((num_shifts, num_shifts), dtype=bool)
    for first, second in forbidden:
        allowed_after[first, second] = False
    shift_sizes = np.zeros(num_shifts, dtype=np.int64) if sizes is None else np.asarray(sizes)
    limits = np.array([np.inf if m is None else m for m in maxima])
    price = np.zeros(num_shifts)
    for _ in range(rounds):
        chosen = _shift_program(
            np.ascontiguousarray(table - price), allowed_after, shift_sizes, *units
        )
        if len(chosen) and chosen[0] == NO_PATTERN:
            return None
        used = np.bincount(chosen[chosen >= 0], minlength=num_shifts)
        over = used > limits
        if not over.any():
            return _as_options(chosen)
        step = max(1.0, float(np.abs(table[np.isfinite(table)]).max(initial=1.0)) / 4)
        price[over] += step
    return None


@numba.njit(cache=True, nogil=True)
def _shift_program(table, allowed_after, sizes, min_units, max_units):
    """Each day's shift (-1: off), or ``[NO_PATTERN]`` when no sequence keeps the rules. The
    state is the units worked so far and the shift of the day before, ``num_shifts`` for a day
    off, which any shift may follow and which may follow any shift. A day with a finite value
    is worked."""
    num_days, num_shifts = table.shape
    off = num_shifts
    num_units = max_units + 1
    smallest = sizes.min()
    largest = sizes.max()
    worked_after = np.zeros(num_days + 1, dtype=np.int64)  # days worked from each day on
    for day in range(num_days - 1, -1, -1):
        worked = False
        for shift in range(num_shifts):
            worked = worked or np.isfinite(table[day, shift])
        worked_after[day] = worked_after[day + 1] + (1 if worked else 0)
    best = np.full((num_units, num_shifts + 1), -np.inf)
    best[0, :] = 0.0
    new = np.empty_like(best)
    came_from = np.empty((num_days, num_units, num_shifts + 1), dtype=np.int16)
    low, high = 0, 1  # the units reached so far: [low, high)
    for day in range(num_days):
        off_value = 0.0 if worked_after[day] == worked_after[day + 1] else -np.inf
        new[:] = -np.inf
        # Units by the end of today that can still end within range once the rest of the days
        # are worked.
        floor = min_units - largest * worked_after[day + 1]
        ceiling = max_units - smallest * worked_after[day + 1]
        for current in range(num_shifts + 1):
            today = table[day, current] if current < off else off_value
            if today == -np.inf:
                continue
            size = sizes[current] if current < off else 0
            for u in range(
                max(low, floor - size, 0), min(high, ceiling - size + 1, num_units - size)
            ):
                top, source = -np.inf, 0
                for previous in range(num_shifts + 1):
                    if previous < off and current < off and not allowed_after[previous, current]:
                        continue
                    if best[u, previous] > top:
                        top, source = best[u, previous], previous
                if top > -np.inf:
                    new[u + size, current] = top + today
                    came_from[day, u + size, current] = source
        best, new = new, best
        if off_value == -np.inf:
            low, high = low + smallest, high + largest
    top, units, current = -np.inf, -1, -1
    for u in range(min_units, num_units):
        for state in range(num_shifts + 1):
            if best[u, state] > top:
                top, units, current = best[u, state], u, state
    chosen = np.full(num_days, -1, dtype=np.int64)
    if current < 0:
        chosen[:] = NO_PATTERN
        return chosen
    for day in range(num_days - 1, -1, -1):
        chosen[day] = -1 if current == off else current
        previous = came_from[day, units, current]
        if current < off:
            units -= sizes[current]
        current = previous
    return chosen
