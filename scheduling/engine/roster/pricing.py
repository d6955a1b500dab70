"""A staff member's best roster under given rewards, by dynamic programming over the period.

Column generation asks, many times a round, for each member's roster of least cost where every
shift worked earns the coverage rows' dual values. The member's own rules (one shift a day, leave
and locked cells, forbidden successions, the run rules, the most weekends and the workload range)
are a path through day-by-day states: the last shift worked, the current run, the work done so
far (in units of the member's shift lengths) and the weekends worked. The program walks those
states day by day, compiled by Numba: a fraction of a millisecond to a few milliseconds where
the member's CP-SAT model takes tens to hundreds.

The most shifts of each type would multiply the states, so a type's count joins the states only
once an optimum breaks its limit, and only while the states stay few (``MAX_SLOTS``). Past that
the limits are priced (Lagrangian relaxation): each type over its limit costs a little more in
the next pass, the prices are kept from one call to the next, and every pass proves a lower
bound. A roster within the limits whose objective meets that bound is optimal; otherwise the
caller falls back to the exact model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce

import numba
import numpy as np

from .buffers import scratch
from .patterns import PatternRules, RunState, RunStates, most_days_worked
from .problem import RosterProblem, StaffMember

# Passes of the program per call, each raising the prices of the shift types used too often.
PRICE_PASSES = 6
# Most counter values (weekends worked times the counts of the shift types followed) per state.
MAX_SLOTS = 48
TOLERANCE = 1e-6


@dataclass
class PricedRoster:
    cells: dict[int, str]  # day -> shift code worked
    cost: float  # the member's own cost: preferences not granted
    objective: float  # own cost less the rewards of the cells worked
    lower: float  # proven lower bound on the objective of every roster within the rules
    within_limits: bool  # the roster keeps the most shifts of each type


class RosterPricer:
    """One member's rules as a state program; ``best`` solves it for one set of rewards."""

    def __init__(self, problem: RosterProblem, member: StaffMember) -> None:
        self.days = problem.num_days
        shifts = [t for t in problem.shift_types if problem.may_work(member, t)]
        self.codes = [t.code for t in shifts]
        step = reduce(math.gcd, [t.length_minutes for t in shifts], 0) or 1
        self.sizes = np.array([t.length_minutes // step for t in shifts], dtype=np.int64)
        self.run_table = _run_table(RunStates(_run_rules(member, problem.num_days)))
        self._open_cells(problem, member)
        # As the rules leave them: ``release`` restores these after a search's forcings.
        self.rule_open, self.rule_off_open = self.open.copy(), self.off_open.copy()
        self._own_costs(problem, member)
        self._successions(problem)
        self._workload(member, step)
        self._weekend_days(problem, member)
        self.limits = np.array(
            [_limit(member, code, self.open[:, s].sum()) for s, code in enumerate(self.codes)]
        )
        self.prices = np.zeros(len(self.codes))
        self.counted: list[int] = []  # shift types whose count is part of the states
        self._slots()

    # -- set-up ----------------------------------------------------------------------------
    def _open_cells(self, problem: RosterProblem, member: StaffMember) -> None:
        """Which shift may be worked on each day, and which days may be off (leave, locks)."""
        self.open = np.ones((self.days, len(self.codes)), dtype=bool)
        self.off_open = np.ones(self.days, dtype=bool)
        for staff_id, day in problem.leave:
            if staff_id == member.id:
                self.open[day] = False
        for cell in problem.locked:
            if cell.staff_id != member.id:
                continue
            if cell.shift is None:
                self.open[cell.day] = False
            elif cell.shift in self.codes:
                self.force(cell.day, cell.shift)
            else:  # locked to a shift the member may not work: no roster at all
                self.open[cell.day] = False
                self.off_open[cell.day] = False

    def force(self, day: int, code: str) -> None:
        """Only ``code`` on ``day`` from now on, if it was open (a lock, or a dive's fixing)."""
        s = self.codes.index(code)
        kept = self.open[day, s]
        self.open[day] = False
        self.off_open[day] = False
        self.open[day, s] = kept

    def forbid(self, day: int, code: str) -> None:
        """Never ``code`` on ``day`` from now on (a branch of the search over cells)."""
        self.open[day, self.codes.index(code)] = False

    def release(self) -> None:
        """Every cell as the rules left it, undoing each forcing and forbidding since."""
        self.open[:] = self.rule_open
        self.off_open[:] = self.rule_off_open

    def _own_costs(self, problem: RosterProblem, member: StaffMember) -> None:
        """The preferences' cost of each day's options: a shift (columns) or the day off."""
        self.cost = np.zeros((self.days, len(self.codes)))
        self.off_cost = np.zeros(self.days)
        position = {code: s for s, code in enumerate(self.codes)}
        for pref in problem.preferences:
            if pref.staff_id != member.id:
                continue
            day, weight = pref.day, pref.weight
            if pref.shift is None:
                if pref.wants:
                    self.off_cost[day] += weight
                else:
                    self.cost[day] += weight
                continue
            s = position.get(pref.shift)
            if pref.wants:
                self.off_cost[day] += weight
                self.cost[day] += weight
                if s is not None:
                    self.cost[day, s] -= weight
            elif s is not None:
                self.cost[day, s] += weight

    def _successions(self, problem: RosterProblem) -> None:
        """Shifts grouped by the shifts allowed the day before them, and by their size."""
        position = {code: s for s, code in enumerate(self.codes)}
        allowed = np.ones((len(self.codes), len(self.codes)), dtype=bool)  # [before, after]
        for first, second in problem.forbidden_pairs():
            if first in position and second in position:
                allowed[position[first], position[second]] = False
        self.allowed_before = allowed
        self._before_sets()

    def _workload(self, member: StaffMember, step: int) -> None:
        largest = int(self.sizes.max(initial=0))
        most = self.days * largest
        self.max_units = most if member.max_minutes is None else member.max_minutes // step
        self.max_units = min(self.max_units, most)
        self.min_units = -(-member.min_minutes // step)
        # Each day's window of units worth keeping: no more than the longest shifts on every
        # day the run rules let be worked so far, no fewer than the minimum less all the rest
        # of the period could add.
        most = most_days_worked(_run_rules(member, self.days))
        self.window_table = np.array(
            [
                (
                    max(0, self.min_units - largest * most[self.days - 1 - day]),
                    min(self.max_units, largest * most[day + 1]) + 1,
                )
                for day in range(self.days)
            ],
            dtype=np.int64,
        ).reshape(self.days, 2)

    def _weekend_days(self, problem: RosterProblem, member: StaffMember) -> None:
        """Per day, whether working it starts a weekend worked: coming from a day off, or from a
        day worked outside the weekend (its first day)."""
        weekends = problem.weekends()
        tracked = member.max_weekends is not None and member.max_weekends < len(weekends)
        self.weekend_slots = member.max_weekends + 1 if tracked else 1
        self.starts_from_rest = np.zeros(self.days, dtype=int)
        self.starts_from_work = np.zeros(self.days, dtype=int)
        if not tracked:
            return
        for days in weekends:
            for day in days:
                self.starts_from_rest[day] = 1
            self.starts_from_work[days[0]] = 1

    def _slots(self) -> None:
        """The counters of each state, flattened into one axis of slots: weekends worked, then
        the count of each type in ``counted``. ``move_targets[counter, weekend, slot]`` is the
        slot a shift counted by ``counter`` (0: none) arrives at from ``slot``, adding
        ``weekend`` weekends (-1: past a limit)."""
        radices = [self.weekend_slots] + [int(self.limits[s]) + 1 for s in self.counted]
        self.slot_count = int(np.prod(radices))
        # Each slot's digits, the weekends' varying fastest.
        digits = np.indices(radices[::-1]).reshape(len(radices), -1)[::-1]
        strides = np.cumprod([1, *radices[:-1]])
        self.move_targets = np.full((len(radices), 2, self.slot_count), -1, dtype=np.int64)
        for counter in range(len(radices)):
            for weekend in (0, 1):
                keep = digits[0] + weekend < radices[0]
                step = weekend
                if counter:
                    keep &= digits[counter] + 1 < radices[counter]
                    step += strides[counter]
                source = np.flatnonzero(keep)
                self.move_targets[counter, weekend, source] = source + step
        counter_of = {s: j + 1 for j, s in enumerate(self.counted)}
        self.counter_of = np.array(
            [counter_of.get(s, 0) for s in range(len(self.codes))], dtype=np.int64
        )

    def _before_sets(self) -> None:
        """Each distinct set of shifts allowed the day before some shift, and each shift's set
        (-1: no shift may come the day before it).

        The sets are ordered smallest first, and each names its largest earlier subset (its
        parent, -1 if none) and lists only the shifts it adds (-1 padded): the program takes
        each set's best from its parent's and those few. Forbidden successions mostly nest (a
        late shift rules out the early ones, a night the early and the late), so far fewer
        states are read than by taking every set's shifts: a Curtois-Qu Instance13 member's 5
        sets hold 48 shifts in all, of 15, and its pricing takes about 2 ms against 3.3-4."""
        allowed = [self.allowed_before[:, s] for s in range(len(self.codes))]
        distinct = {mask.tobytes(): mask for mask in allowed if mask.any()}
        ordered = sorted(distinct.values(), key=lambda mask: (mask.sum(), mask.tobytes()))
        index = {mask.tobytes(): i for i, mask in enumerate(ordered)}
        self.before_of = np.array(
            [index[mask.tobytes()] if mask.any() else -1 for mask in allowed], dtype=np.int64
        )
        self.before_parent = np.full(max(1, len(ordered)), -1, dtype=np.int64)
        self.before_table = np.full((max(1, len(ordered)), len(self.codes) + 1), -1, np.int64)
        for i, mask in enumerate(ordered):
            subsets = [j for j in range(i) if not (ordered[j] & ~mask).any()]
            parent = max(subsets, key=lambda j: ordered[j].sum(), default=-1)
            added = mask & ~ordered[parent] if parent >= 0 else mask
            self.before_parent[i] = parent
            members = added.nonzero()[0]
            self.before_table[i, : len(members)] = members

    def _count(self, over: np.ndarray) -> bool:
        """Make the first type over its limit that fits part of the states; False if none."""
        for s in np.flatnonzero(over):
            if self.slot_count * (self.limits[s] + 1) <= MAX_SLOTS:
                self.counted.append(int(s))
                self.prices[s] = 0.0
                self._slots()
                return True
        return False

    # -- solving ---------------------------------------------------------------------------
    def best(self, rewards: np.ndarray, enough: float = math.inf) -> PricedRoster | None:
        """The roster of least objective (own cost less ``rewards[day, shift]`` of the cells
        worked) within the rules, or None when the rules leave no roster at all.

        Passes stop at a roster within the limits that is proven optimal, or whose objective is
        below ``enough`` (an improving column is all column generation needs). Where no pass
        finds one within the limits, the last pass's roster comes back marked so."""
        lower = -math.inf
        found: PricedRoster | None = None
        last: PricedRoster | None = None
        step = max(1.0, float(np.abs(rewards).max(initial=0.0)) / 4)
        for _ in range(PRICE_PASSES):
            values = np.where(self.open, rewards - self.cost - self.prices, -np.inf)
            chosen, best = self._solve(values)
            if chosen is None:
                return None  # even without the limits per type: no roster at all
            counts = np.bincount([s for s in chosen if s is not None], minlength=len(self.codes))
            lower = max(lower, -best - float(self.prices @ np.minimum(self.limits, 1e9)))
            over = counts > self.limits
            last = self._roster(chosen, rewards, lower, within_limits=not over.any())
            if over.any():
                if not self._count(over):
                    self.prices[over] += step
                continue
            if found is None or last.objective < found.objective:
                found = last
            # Prices of types with room to spare come down again: they may overshoot.
            self.prices[counts < self.limits] *= 0.5
            if found.objective <= lower + TOLERANCE or found.objective < enough:
                break
        result = found or last
        result.lower = lower
        return result

    def _roster(
        self, chosen: list[int | None], rewards: np.ndarray, lower: float, within_limits: bool
    ) -> PricedRoster:
        cells = {day: self.codes[s] for day, s in enumerate(chosen) if s is not None}
        cost = sum(
            self.off_cost[day] if s is None else self.cost[day, s] for day, s in enumerate(chosen)
        )
        earned = sum(rewards[day, s] for day, s in enumerate(chosen) if s is not None)
        return PricedRoster(cells, float(cost), float(cost - earned), lower, within_limits)

    def _solve(self, values: np.ndarray) -> tuple[list[int | None] | None, float]:
        """Each day's shift (None: off) maximising ``values`` less the off days' cost."""
        off_values = np.where(self.off_open, -self.off_cost, -np.inf)
        moves = self._move_tables()
        work, rest = _forward(
            values,
            off_values,
            *moves,
            self.before_table,
            self.before_parent,
            self.before_of,
            self.window_table,
            self.max_units + 1,
            self.slot_count,
            *_scratch(
                self.days, len(self.codes), self.run_table, self.max_units + 1, self.slot_count
            ),
        )
        top = self.window_table[-1, 1]  # the states past it are unset
        work_end = work[-1, :, :, self.min_units : top]
        rest_end = rest[-1, :, self.min_units : top]
        best = max(work_end.max(initial=-np.inf), rest_end.max(initial=-np.inf))
        if not np.isfinite(best):
            return None, -math.inf
        if rest_end.max(initial=-np.inf) >= best:
            o, u, k = np.unravel_index(int(np.argmax(rest_end)), rest_end.shape)
            end = (None, o, u + self.min_units, k)
        else:
            s, w, u, k = np.unravel_index(int(np.argmax(work_end)), work_end.shape)
            end = (s, w, u + self.min_units, k)
        shift, state, units, slot = end
        chosen = _trace_back(
            work,
            rest,
            values,
            off_values,
            *moves,
            self.allowed_before,
            -1 if shift is None else shift,
            state,
            units,
            slot,
        )
        return [None if s < 0 else int(s) for s in chosen], float(best)

    def _move_tables(self) -> tuple[np.ndarray, ...]:
        """The tables both compiled passes read: shift sizes, counters, slot moves, weekend
        steps and run moves."""
        return (
            self.sizes,
            self.counter_of,
            self.move_targets,
            self.starts_from_rest,
            self.starts_from_work,
            self.run_table,
        )


def _scratch(days: int, shifts: int, runs: np.ndarray, units: int, slots: int) -> tuple:
    """This thread's arrays for the program's work and rest states (see ``buffers``)."""
    return (
        scratch("pricing_work", days * shifts * runs[5, 0] * units * slots),
        scratch("pricing_rest", days * runs[5, 1] * units * slots),
    )


@numba.njit(cache=True, nogil=True)
def _forward(
    values,
    off_values,
    sizes,
    counter_of,
    move_targets,
    starts_from_rest,
    starts_from_work,
    runs,
    before_table,
    before_parent,
    before_of,
    windows,
    num_units,
    num_slots,
    work_buffer,
    rest_buffer,
):
    """Every day's best value of each state: ``work[day, shift, run, units, slot]`` (the shift
    worked that day) and ``rest[day, run, units, slot]``. Compiled: the loops are the program.

    ``runs`` is :meth:`RosterPricer.run_table`. ``before_table`` lists the shifts each set of
    shifts allowed the day before some shift adds to its parent set (``before_parent``, -1:
    none; -1 padded); ``before_of`` gives each shift's set. Only each day's window of units is
    written or read (``windows``): the states outside it stay unset.
    """
    days, shifts = values.shape
    num_work, num_rest = runs[5, 0], runs[5, 1]
    work = work_buffer[: days * shifts * num_work * num_units * num_slots]
    work = work.reshape((days, shifts, num_work, num_units, num_slots))
    rest = rest_buffer[: days * num_rest * num_units * num_slots]
    rest = rest.reshape((days, num_rest, num_units, num_slots))
    for day in range(days):
        low, high = windows[day, 0], windows[day, 1]
        work[day, :, :, low:high, :] = -np.inf
        rest[day, :, low:high, :] = -np.inf
    sets = before_table.shape[0]
    best_before = np.full((sets, num_work, num_units, num_slots), -np.inf)
    first_work, first_rest = runs[4, 0], runs[4, 1]
    for day in range(days):
        low, high = windows[day, 0], windows[day, 1]
        off = off_values[day]
        weekend_rest = starts_from_rest[day]
        weekend_work = starts_from_work[day]
        if day == 0:
            for s in range(shifts):
                size = sizes[s]
                slot = move_targets[counter_of[s], weekend_rest, 0]
                if values[0, s] > -np.inf and low <= size < high and slot >= 0:
                    work[0, s, first_work, size, slot] = values[0, s]
            if off > -np.inf and low <= 0:
                rest[0, first_rest, 0, 0] = off
            continue
        base, top = windows[day - 1, 0], windows[day - 1, 1]
        # The best of each set of shifts allowed the day before, per run, units and slot: its
        # parent set's, then shift by shift (the innermost loops read the states in order).
        for a in range(sets):
            parent = before_parent[a]
            if parent < 0:
                best_before[a, :, base:top, :] = -np.inf
            else:
                best_before[a, :, base:top, :] = best_before[parent, :, base:top, :]
            for i in range(shifts):
                b = before_table[a, i]
                if b < 0:
                    break
                for w in range(num_work):
                    for u in range(base, top):
                        for z in range(num_slots):
                            v = work[day - 1, b, w, u, z]
                            if v > best_before[a, w, u, z]:
                                best_before[a, w, u, z] = v
        for s in range(shifts):
            gain = values[day, s]
            if gain == -np.inf:
                continue
            size, counter, a = sizes[s], counter_of[s], before_of[s]
            first, last = max(base, low - size), min(top, high - size)
            for w in range(num_work):
                target = runs[0, w]
                if target < 0 or a < 0:
                    continue
                for u in range(first, last):
                    for z in range(num_slots):
                        arrival = move_targets[counter, weekend_work, z]
                        if arrival < 0:
                            continue
                        v = best_before[a, w, u, z] + gain
                        if v > work[day, s, target, u + size, arrival]:
                            work[day, s, target, u + size, arrival] = v
            for o in range(num_rest):
                target = runs[2, o]
                if target < 0:
                    continue
                for u in range(first, last):
                    for z in range(num_slots):
                        arrival = move_targets[counter, weekend_rest, z]
                        if arrival < 0:
                            continue
                        v = rest[day - 1, o, u, z] + gain
                        if v > work[day, s, target, u + size, arrival]:
                            work[day, s, target, u + size, arrival] = v
        if off == -np.inf:
            continue
        first, last = max(base, low), min(top, high)
        for w in range(num_work):
            target = runs[1, w]
            if target < 0:
                continue
            for s in range(shifts):
                for u in range(first, last):
                    for z in range(num_slots):
                        v = work[day - 1, s, w, u, z] + off
                        if v > rest[day, target, u, z]:
                            rest[day, target, u, z] = v
        for o in range(num_rest):
            target = runs[3, o]
            if target < 0:
                continue
            for u in range(first, last):
                for z in range(num_slots):
                    v = rest[day - 1, o, u, z] + off
                    if v > rest[day, target, u, z]:
                        rest[day, target, u, z] = v
    return work, rest


@numba.njit(cache=True, nogil=True)
def _trace_back(
    work,
    rest,
    values,
    off_values,
    sizes,
    counter_of,
    move_targets,
    starts_from_rest,
    starts_from_work,
    runs,
    allowed_before,
    shift,
    state,
    units,
    slot,
):
    """Each day's shift (-1: off) of the best roster, walking back from its end state: each
    day, a state of the day before whose value plus the day's move gives the value reached
    (the same sums as going forward; the closest, against a rounding surprise). Every state
    it reads lies in its day's window of units, set by the forward pass: each state reached
    came from one of the day before with the units it reads."""
    days, shifts = values.shape
    num_work, num_rest = runs[5, 0], runs[5, 1]
    chosen = np.full(days, -1, dtype=np.int64)
    for day in range(days - 1, -1, -1):
        value = rest[day, state, units, slot]
        if shift >= 0:
            value = work[day, shift, state, units, slot]
        chosen[day] = shift
        if day == 0:
            break
        best_gap, found = np.inf, (-1, -1, -1, -1)
        if shift < 0:
            gain = off_values[day]
            for w in range(num_work):
                if runs[1, w] == state:
                    for s in range(shifts):
                        gap = abs(work[day - 1, s, w, units, slot] + gain - value)
                        if gap < best_gap:
                            best_gap, found = gap, (s, w, units, slot)
            for o in range(num_rest):
                if runs[3, o] == state:
                    gap = abs(rest[day - 1, o, units, slot] + gain - value)
                    if gap < best_gap:
                        best_gap, found = gap, (-1, o, units, slot)
        else:
            gain, before = values[day, shift], units - sizes[shift]
            counter = counter_of[shift]
            for z in range(move_targets.shape[2]):
                if move_targets[counter, starts_from_work[day], z] == slot:
                    for w in range(num_work):
                        if runs[0, w] == state:
                            for s in range(shifts):
                                if allowed_before[s, shift]:
                                    gap = abs(work[day - 1, s, w, before, z] + gain - value)
                                    if gap < best_gap:
                                        best_gap, found = gap, (s, w, before, z)
                if move_targets[counter, starts_from_rest[day], z] == slot:
                    for o in range(num_rest):
                        if runs[2, o] == state:
                            gap = abs(rest[day - 1, o, before, z] + gain - value)
                            if gap < best_gap:
                                best_gap, found = gap, (-1, o, before, z)
        shift, state, units, slot = found
    return chosen


def _run_table(states: RunStates) -> np.ndarray:
    """The run states' moves for the compiled program, one row each: the working states after
    a day worked (0) and off (1), the days-off states after a day worked (2) and off (3); row
    4 holds the states after a first day worked and off, row 5 how many working and days-off
    states there are (-1: the rules forbid the move)."""
    working = [state for state in states.all if state.working]
    resting = [state for state in states.all if not state.working]
    position = {state: i for group in (working, resting) for i, state in enumerate(group)}

    def index(state: RunState | None) -> int:
        return -1 if state is None else position[state]

    table = np.full((6, max(len(working), len(resting), 2)), -1, dtype=np.int64)
    for row, (group, after) in enumerate(
        [(g, move) for g in (working, resting) for move in (states.after_work, states.after_rest)]
    ):
        table[row, : len(group)] = [index(after(state)) for state in group]
    table[4, :2] = (index(states.after_work(None)), index(states.after_rest(None)))
    table[5, :2] = (len(working), len(resting))
    return table


def _run_rules(member: StaffMember, days: int) -> PatternRules:
    return PatternRules(
        num_days=days,
        min_units=0,
        max_units=0,
        max_consecutive=member.max_consecutive_days
        if member.max_consecutive_days is not None and member.max_consecutive_days < days
        else None,
        min_consecutive=member.min_consecutive_days,
        min_days_off=member.min_consecutive_days_off,
    )


def _limit(member: StaffMember, code: str, open_days: int) -> float:
    """The most shifts of this type, or infinity where the limit cannot bind."""
    limit = member.max_shifts_per_type.get(code)
    if limit is None or limit <= 0 or limit >= open_days:
        return math.inf
    return float(limit)
