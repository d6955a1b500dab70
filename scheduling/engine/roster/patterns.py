"""The best work/rest pattern of one staff member, by dynamic programming over the period.

Which days a member works and with which option (a length of shift), not which shift: leave and
locked days, the run rules (longest and shortest working run, shortest run of days off, runs
touching either end of the period exempt from the minima, as in the model), the most weekends
worked and a range of work (in units of the options' sizes), with the sum of the values of the
options chosen maximised. Over a year a member's CP-SAT model can take
seconds to find any roster when the contract is tight; this program always finds one if there is
one, in a fraction of a second, and the model then only chooses the shift of each day worked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


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
    rules: PatternRules, values: Sequence[Sequence[float]], sizes: Sequence[int]
) -> list[int | None] | None:
    """Each day's option (an index into ``sizes``; None for a day off) maximising the sum of
    ``values[day][option]`` (minus infinity: not on that day), or None when no pattern meets
    the rules."""
    if rules.min_units > rules.max_units:
        return None
    states = RunStates(rules)
    weekend_top = rules.max_weekends if rules.max_weekends is not None else 0
    shape = (len(states.all), rules.max_units + 1, weekend_top + 1)
    start = np.full(shape[1:], -np.inf)
    start[0, 0] = 0.0
    best = np.full(shape, -np.inf)
    # Per day and state, how it was reached: the state of the day before and the option worked.
    came_from = np.zeros((rules.num_days, *shape), dtype=np.int16)
    largest = max(sizes)
    most = most_days_worked(rules)
    # The states offered a move the day before: cheaper to keep than to find by searching every
    # state's values (a state offered only moves from nothing holds nothing, and its own moves
    # then offer nothing either).
    reached: set[int] = set()
    for day in range(rules.num_days):
        new = np.full(shape, -np.inf)
        # Only the units still able to end within the range: those below the minimum minus all
        # the rest of the period could do are dead. No pattern has more units by the day before
        # than its longest shifts on every day the run rules let it work.
        low = max(0, rules.min_units - largest * most[rules.num_days - day])
        high = largest * most[day] + 1
        step = _Step(new, came_from[day], len(sizes), low, high)
        sources = (
            [(None, -1, start)]
            if day == 0
            else [(states.all[i], i, best[i]) for i in sorted(reached)]
        )
        for state, position, current in sources:
            if day not in rules.forced_off and (target := states.after_work(state)) is not None:
                weekend = int(_starts_weekend(rules, day, state))
                for option, size in enumerate(sizes):
                    if np.isfinite(values[day][option]):
                        move = (values[day][option], size, weekend, option)
                        step.relax(states.index[target], current, position, *move)
            if day not in rules.forced_on and (target := states.after_rest(state)) is not None:
                step.relax(states.index[target], current, position, 0.0, 0, 0, -1)
        best, reached = new, step.targets
    return _trace_back(rules, states, best, came_from, sizes)


def most_days_worked(rules: PatternRules) -> list[int]:
    """For each number of days, the most of them any pattern can work under the longest run and
    the shortest rest (leave aside): runs of the longest length with the shortest rest between
    them, from the first day."""
    longest = rules.max_consecutive or rules.num_days
    cycle = longest + max(1, rules.min_days_off)
    return [
        days // cycle * longest + min(longest, days % cycle) for days in range(rules.num_days + 1)
    ]


def _starts_weekend(rules: PatternRules, day: int, before: RunState | None) -> bool:
    """Working ``day`` adds a weekend: it is a weekend day and the day before was not worked
    within the same weekend."""
    if rules.max_weekends is None:
        return False
    for days in rules.weekends:
        if day in days:
            return day == days[0] or before is None or not before.working
    return False


@dataclass
class _Step:
    """One day of the program: the best value of each state reached and how it was reached,
    packed as (state of the day before + 1) * (options + 1) + (option worked + 1)."""

    best: np.ndarray
    came_from: np.ndarray
    options: int
    low: int  # the fewest units still worth extending
    high: int  # the most units reached so far, plus one
    targets: set[int] = field(default_factory=set)  # the states offered a move

    def relax(self, target, current, position, value, units, weekend, option) -> None:
        """Offer ``current`` (units x weekends values of one state) moved to ``target``."""
        rows, columns = current.shape
        first = max(self.low - units, 0)
        last = min(rows - units, self.high)
        if first >= last:
            return
        self.targets.add(target)
        candidate = current[first:last, : columns - weekend] + value
        best = self.best[target, first + units : last + units, weekend:]
        better = candidate > best
        # Masked copies in place: quicker than boolean indexing, which gathers the values first.
        np.copyto(best, candidate, where=better)
        how = (position + 1) * (self.options + 1) + option + 1
        came_from = self.came_from[target, first + units : last + units, weekend:]
        np.copyto(came_from, how, where=better, casting="unsafe")


def _trace_back(rules, states, best, came_from, sizes) -> list[int | None] | None:
    final = best[:, rules.min_units :, :]
    if not np.isfinite(final).any():
        return None
    position, units, weekends = np.unravel_index(int(np.argmax(final)), final.shape)
    units += rules.min_units
    pattern: list[int | None] = [None] * rules.num_days
    for day in range(rules.num_days - 1, -1, -1):
        previous, option = divmod(int(came_from[day, position, units, weekends]), len(sizes) + 1)
        previous, option = previous - 1, option - 1
        if option >= 0:
            pattern[day] = option
            before = states.all[previous] if previous >= 0 else None
            weekends -= _starts_weekend(rules, day, before)
            units -= sizes[option]
        position = previous
    return pattern


def best_shifts(
    values: Sequence[Sequence[float]],
    forbidden: set[tuple[int, int]],
    maxima: Sequence[int | None],
    rounds: int = 8,
) -> list[int | None] | None:
    """Each day's shift (an index into the columns of ``values``; None on a day whose values are
    all minus infinity, a day off) maximising the sum of the values chosen, with no pair
    (shift, next day's shift) in ``forbidden``.

    Shifts over their ``maxima`` are priced out: each round raises the price of every shift
    still used too often, for at most ``rounds`` rounds; None if that does not bring them all
    within their maxima (or a day cannot be given a shift at all)."""
    table = np.asarray(values, dtype=float)
    num_days, num_shifts = table.shape
    allowed_after = np.ones((num_shifts, num_shifts), dtype=bool)
    for first, second in forbidden:
        allowed_after[first, second] = False
    limits = np.array([np.inf if m is None else m for m in maxima])
    price = np.zeros(num_shifts)
    for _ in range(rounds):
        chosen = _viterbi(table - price, allowed_after)
        if chosen is None:
            return None
        used = np.bincount([c for c in chosen if c is not None], minlength=num_shifts)
        over = used > limits
        if not over.any():
            return chosen
        step = max(1.0, float(np.abs(table[np.isfinite(table)]).max(initial=1.0)) / 4)
        price[over] += step
    return None


def _viterbi(table: np.ndarray, allowed_after: np.ndarray) -> list[int | None] | None:
    """The best shift per day given the succession rule; a day with no finite value is off."""
    num_days, num_shifts = table.shape
    # Column num_shifts is 'off': any shift may follow it and it may follow any shift.
    follows = np.ones((num_shifts + 1, num_shifts + 1), dtype=bool)
    follows[:num_shifts, :num_shifts] = allowed_after
    best = np.zeros(num_shifts + 1)
    came_from = np.zeros((num_days, num_shifts + 1), dtype=np.int16)
    for day in range(num_days):
        today = np.append(table[day], -np.inf)
        if not np.isfinite(today).any():
            today[num_shifts] = 0.0
        reach = np.where(follows, best[:, None], -np.inf)  # [previous, current]
        came_from[day] = np.argmax(reach, axis=0)
        best = reach.max(axis=0) + today
    if not np.isfinite(best).any():
        return None
    chosen: list[int | None] = [None] * num_days
    current = int(np.argmax(best))
    for day in range(num_days - 1, -1, -1):
        chosen[day] = None if current == num_shifts else current
        current = int(came_from[day, current])
    return chosen
