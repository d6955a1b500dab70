"""A roster built and improved a few staff members at a time, with the same CP-SAT model.

Every hard rule of the model except a coverage floor concerns one staff member, so a roster can be
built member by member: each step solves :func:`build_model` on the problem restricted to one
member, with each coverage row reduced by the staff already placed (so a shift already fully
covered costs its over-cover weight, an uncovered one earns its under-cover weight). The same
restricted models, for two members at a time, then improve the roster until the time is up.

Over a long period a member's restricted model is itself slow to solve, so the member is first
built in windows of whole weeks, each solved with the week before fixed as context (so runs, rest
and weekends across its edge are checked) and given its pro-rata share of what the member has left
of each contract limit. A member whose windows cannot all be met is built over the whole period.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
from ortools.sat.python import cp_model

from .model import build_model
from .patterns import PatternRules, best_pattern, best_shifts
from .problem import CoverageRequirement, LockedCell, RosterProblem, StaffMember

Roster = dict[tuple[str, int], str]
Cells = list[tuple[int, str]]
# What a shift towards a hard coverage floor not yet met is worth when planning a member's days:
# more than anything else a day can hold.
FLOOR_VALUE = 10**6
# Past the construction's deadline, a member's pattern may take this long at most.
LATE_PATTERN_SECONDS = 1.0
# No move starts this close to the improvement's deadline: it could not finish in time.
LAST_MOVE_MARGIN_SECONDS = 0.2
# Days either side of each day whose hard coverage floor the built roster leaves short that
# ``mend_floors`` re-solves for everyone, widening in turn while floors stay short.
FLOOR_MARGINS = (0, 1, 7, 28)
# Most staff members times days re-solved at once while mending: a month of 120 staff, the
# size of Curtois-Qu Instance13, which the whole model still solves. Short days spread over a
# year would otherwise merge into one model of the whole team and year, which the
# staff-by-staff path exists to avoid.
MEND_STAFF_DAYS = 120 * 28


@dataclass
class _Usage:
    """What a member works on some days, in the units of the contract limits."""

    minutes: int = 0
    shifts: Counter = field(default_factory=Counter)
    weekends: int = 0


@dataclass
class _Progress:
    """The improvement shared by the threads of :meth:`StaffByStaff.improve`: moves made, and
    when the roster last got better by more than ``min_gain`` of its objective."""

    objective: float
    min_gain: float
    on_improvement: Callable[[float], None] | None
    moves: int = 0
    gained: float = 0.0  # since last_better
    last_better: float = field(default_factory=time.monotonic)

    def improved(self, by: float) -> None:
        self.moves += 1
        self.objective -= by
        self.gained += by
        if self.gained > self.min_gain * self.objective:
            self.last_better, self.gained = time.monotonic(), 0.0
        if self.on_improvement is not None:
            self.on_improvement(by)


class StaffByStaff:
    # Members of periods longer than this are built in windows of ``window_days``.
    windowed_from_days = 56
    window_days = 28
    # Members re-solved together over a window of weeks in the improvement of a long period.
    window_group_size = 4
    # Share of the window moves placed around a shift left short (when one is), and how many of
    # the group are members who could take it (see _takers). Half the windows so placed, as
    # before, left Curtois-Qu Instance21 about 500 higher (23,337 against 22,835 on average).
    short_window_share = 0.8
    short_window_takers = 2
    # Patterns planned per member in a pattern move (see _plan_by_pattern). Once shifts could be
    # chosen among all lengths, two did better than three on Curtois-Qu Instances 23 and 24: the
    # program is most of a move's time, and more moves pay more than a third plan.
    pattern_rounds = 2
    # Weekend moves re-solve every member who may work a weekend (and no other move holds) over
    # it and this many days either side (so runs across it can change). Over a year every
    # member ends at its weekend limit and the shifts left short are on weekends, so who works
    # which shift of a weekend is what is left to change, and a few members at a time seldom
    # find a better way. On Curtois-Qu Instance23 at 60 s: 32,011, 30,685 and 32,915 against
    # 34,054, 31,035 and 36,163 without them (seeds 0-2); over Instances 20-24, better in 8
    # runs of 13.
    weekend_margin = 2
    # Over a year, a member's pattern keeps the minutes worked by each day within this many of
    # its share of the contract (see PatternRules.band), which cuts the program's states: a
    # pattern move on Curtois-Qu Instance24 took 0.17 s, 0.07 s so, and a sweep of pattern moves
    # over a 60-s roster gained 10,444 in 10.1 s against 11,999 in 25.1 s. At 60 s, Instance23
    # 28,495 and 29,711 against 32,697 and 33,458 (seeds 0, 1); Instance24 76,510, 83,474 and
    # 74,232 against 79,541, 77,308 and 84,066. Over half a year it lost (Instance20 5,677 and
    # 5,291 against 5,206 and 5,169), so shorter periods keep the exact program. Where the band
    # leaves no pattern, the program runs again without it.
    pattern_band_minutes = 7200
    pattern_band_from_days = 300
    # The improvement starts with sweeps: a pattern move of every member in turn, sweep after
    # sweep while one gains more than this share of the objective. The building planned each
    # member against only those placed before it, so nearly every member gains from being
    # planned again against the whole roster, and a sweep takes that gain in a few seconds,
    # where moves drawn by kind first try every kind (a group move takes a second). Curtois-Qu
    # Instance21 after building, 109,667: one sweep left 31,472 in 3.1 s, a second 28,591.
    sweep_min_gain = 0.05
    # Where the shift program cannot fill a member's pattern, a sweep's pattern move leaves the
    # member as it is rather than fill the pattern by the model: those model solves were 47 of
    # about 300 moves but more than half of the sweeps' time on Curtois-Qu Instance21 (after the
    # same building, seed 0: 28,465 in 3.4 s against 28,850 in 8.2 s; whole 60-s runs of
    # Instances 20, 21 and 23, seeds 0 and 1, better in 4 of 6). With hard coverage floors the
    # program never fills a pattern, so there the model still does.
    sweep_by_model = False
    # After the pattern sweeps, sweeps of shifts moves (each member's shifts re-chosen on the
    # days it works), sweep after sweep while one gains more than this share of the objective.
    # Each change of a member's shifts moves the coverage the next member plans against, so
    # sweeps keep gaining long after the pattern sweeps stop: on Curtois-Qu Instance23 after
    # them (34,734), 4,379, 2,096, 894 and 402 in about 0.5 s a sweep. Drawn one member at a
    # time among the other kinds, shifts moves gained there 10,394 in 22 thread-seconds of a
    # 60-s run against 993 for the window and weekend moves in 45.
    shifts_sweep_min_gain = 0.002

    def __init__(self, problem: RosterProblem, seed: int = 0) -> None:
        self.p = problem
        self.rng = random.Random(seed)
        self.members = {m.id: m for m in problem.staff}
        self.lengths = {shift.code: shift.length_minutes for shift in problem.shift_types}
        self.roster: Roster = {}
        # Coverage rows by (day, shift) and by day, and the placed staff counted by each row.
        self.rows_at: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.rows_on: dict[int, list[int]] = defaultdict(list)
        for index, row in enumerate(problem.coverage):
            self.rows_at[row.day, row.shift].append(index)
            self.rows_on[row.day].append(index)
        self.placed = [0] * len(problem.coverage)
        # The coverage rows' figures as arrays, for costing and valuing a member's whole period
        # at once (a Python loop over a year's rows takes most of a cheap move's time).
        self.required = np.array([row.required for row in problem.coverage], dtype=np.int64)
        self.minimum = np.array([row.minimum for row in problem.coverage], dtype=np.int64)
        self.under_weight = np.array([r.under_weight for r in problem.coverage], dtype=np.int64)
        self.over_weight = np.array([r.over_weight for r in problem.coverage], dtype=np.int64)
        self.whole_rows: dict[frozenset[str], np.ndarray] = {}
        self.counted_rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.preferences = defaultdict(list)
        for pref in problem.preferences:
            self.preferences[pref.staff_id].append(pref)
        self.locked = defaultdict(list)
        for cell in problem.locked:
            self.locked[cell.staff_id].append(cell)
        self.leave = defaultdict(set)
        for staff_id, day in problem.leave:
            self.leave[staff_id].add(day)
        self.days_of: dict[str, Cells] = defaultdict(list)  # cells currently placed
        self.capacities: dict[str, list[int]] = {}
        self.unplaced: list[str] = []  # members whose building failed
        # Guards the shared roster state when members are built side by side.
        self.lock = threading.RLock()
        # Facts of the problem that the pattern program asks for on every move.
        self.weekends = problem.weekends()
        self.forbidden = problem.forbidden_pairs()
        self.has_floors = any(row.minimum for row in problem.coverage)
        self.weekend_of = {day: k for k, days in enumerate(self.weekends) for day in days}
        self.on_weekend = np.array(
            [row.day in self.weekend_of for row in problem.coverage], dtype=bool
        )
        self.week_starts = self._week_starts()
        # Fixed days kept before a window: enough to see any run across its edge.
        longest_run = max(
            (
                max(m.max_consecutive_days or 0, m.min_consecutive_days, m.min_consecutive_days_off)
                for m in problem.staff
            ),
            default=1,
        )
        self.context_days = 7 * math.ceil((longest_run + 1) / 7)

    def _week_starts(self) -> list[int]:
        """Day 0 and every Monday: windows start there, so no weekend is cut in two."""
        mondays = [d for d in range(1, self.p.num_days) if self.p.date_of(d).weekday() == 0]
        return [0, *mondays]

    @property
    def windowed(self) -> bool:
        return self.p.num_days > self.windowed_from_days

    # -- bookkeeping ---------------------------------------------------------------------------
    def _rows_counting(self, staff_id: str, day: int, code: str) -> list[int]:
        """The coverage rows the member counts for when working ``code`` on ``day``."""
        skills = self.members[staff_id].skills
        return [
            index
            for index in self.rows_at.get((day, code), ())
            if self.p.coverage[index].skill is None or self.p.coverage[index].skill in skills
        ]

    def _count(self, staff_id: str, cells: Cells, sign: int) -> None:
        for day, code in cells:
            for index in self._rows_counting(staff_id, day, code):
                self.placed[index] += sign

    def _take(self, staff_id: str, days: range) -> Cells:
        """Remove and return the member's cells on ``days``."""
        with self.lock:
            taken = [(d, c) for d, c in self.days_of[staff_id] if d in days]
            self._count(staff_id, taken, -1)
            self.days_of[staff_id] = [(d, c) for d, c in self.days_of[staff_id] if d not in days]
            for day, _ in taken:
                del self.roster[staff_id, day]
            return taken

    def _put(self, staff_id: str, cells: Cells) -> None:
        with self.lock:
            self.days_of[staff_id].extend(cells)
            for day, code in cells:
                self.roster[staff_id, day] = code
            self._count(staff_id, cells, +1)

    def _usage(self, staff_id: str, keep: Callable[[int], bool]) -> _Usage:
        cells = [(d, c) for d, c in self.days_of[staff_id] if keep(d)]
        weekends = {self.weekend_of[d] for d, _ in cells if d in self.weekend_of}
        return _Usage(
            minutes=sum(self.lengths[c] for _, c in cells),
            shifts=Counter(c for _, c in cells),
            weekends=len(weekends),
        )

    # -- restricted problems -------------------------------------------------------------------
    def _codes_for(self, staff_ids: list[str]) -> set[str]:
        return {
            shift.code
            for staff_id in staff_ids
            for shift in self.p.shift_types
            if self.p.may_work(self.members[staff_id], shift)
        }

    def _rows_for(self, staff_ids: list[str], days: range) -> list[int]:
        """Coverage rows on ``days`` of the shift types one of ``staff_ids`` may work: the
        others cannot change, so the restricted model leaves them out."""
        codes = self._codes_for(staff_ids)
        return [
            index
            for day in days
            for index in self.rows_on.get(day, ())
            if self.p.coverage[index].shift in codes
        ]

    def _horizon(self, days: range, exact: bool = False) -> range:
        """The days of the problem for a window: the window, the fixed week(s) before it, and
        after it either one empty day as a day off while building, so that the window's last
        run is complete (a run touching the end of a problem is exempt from the minimum run
        lengths, and the next window might not be able to finish it), or (``exact``, when the
        days after are placed) the fixed week(s) after it."""
        if len(days) == self.p.num_days:
            return days
        first = max(0, days.start - self.context_days)
        after = self.context_days if exact else 1
        return range(first, min(self.p.num_days, days.stop + after))

    def _member_within(
        self, member: StaffMember, days: range, horizon: range, exact: bool = False
    ) -> StaffMember:
        """The member with each limit cut to the window's share. While building, the days after
        the window are still empty: the window gets a pro-rata share of what is left of each
        maximum, plus a little slack, so early weeks do not use up the year, and its share of
        the minimum. With ``exact`` (the rest of the period placed) it gets all that is left."""
        if len(horizon) == self.p.num_days:
            return member
        outside = self._usage(member.id, lambda d: d not in horizon)
        context = self._usage(member.id, lambda d: d in horizon and d not in days)
        # Shares by the most the member could work (leave and run rules): a window full of leave
        # gets little, and a tight contract is spread as tightly as it must be.
        capacity = self._capacity_from(member)
        in_window = capacity[days.start] - capacity[days.stop]
        share, slack = max(0, in_window) / max(1, capacity[days.start]), 1
        if exact:
            share, slack = 1.0, 0
        longest = max(
            (s.length_minutes for s in self.p.shift_types if self.p.may_work(member, s)),
            default=0,
        )

        def cap(limit: int | None, used_out: int, used_context: int, unit: int) -> int | None:
            if limit is None:
                return None
            remaining = max(0, limit - used_out - used_context)
            window = min(remaining, math.ceil(remaining * share) + slack * unit)
            return used_context + window

        remaining = max(0, member.min_minutes - outside.minutes - context.minutes)
        floor = math.floor(remaining * share)
        return replace(
            member,
            max_shifts_per_type={
                code: cap(limit, outside.shifts[code], context.shifts[code], 1)
                for code, limit in member.max_shifts_per_type.items()
            },
            max_minutes=cap(member.max_minutes, outside.minutes, context.minutes, longest),
            min_minutes=context.minutes + floor,
            max_weekends=cap(member.max_weekends, outside.weekends, context.weekends, 1),
        )

    def _capacity_from(self, member: StaffMember) -> list[int]:
        """For each day, the most days the member could work from it to the end of the period
        under leave and the run rules alone (an upper bound: the state it starts in is free)."""
        if member.id in self.capacities:
            return self.capacities[member.id]
        longest = member.max_consecutive_days or self.p.num_days
        shortest, rest = member.min_consecutive_days, member.min_consecutive_days_off
        leave = self.leave[member.id]
        # State (working, run length so far, capped): the best count over the days to come.
        states = [(True, r) for r in range(1, min(longest, self.p.num_days) + 1)]
        states += [(False, r) for r in range(1, rest + 1)]
        best = dict.fromkeys(states, 0)
        capacity = [0] * (self.p.num_days + 1)
        for day in range(self.p.num_days - 1, -1, -1):
            previous = best
            best = {}
            for working, run in states:
                options = []
                can_work = day not in leave and (
                    (working and run < longest) or (not working and run >= rest)
                )
                if can_work:
                    options.append(1 + previous[True, run + 1 if working else 1])
                if not working or run >= shortest:
                    options.append(previous[False, min(run + 1, rest) if not working else 1])
                best[working, run] = max(options, default=-self.p.num_days)
            capacity[day] = max(best.values())
        self.capacities[member.id] = capacity
        return capacity

    def _restricted(
        self, staff_ids: list[str], days: range, exact: bool = False
    ) -> tuple[RosterProblem, range]:
        """The problem for ``staff_ids`` on ``days`` alone, coverage reduced by everyone else
        placed; its day 0 is the horizon's first day (returned with it). ``exact``: the rest of
        the period is placed (see :meth:`_member_within`)."""
        horizon = self._horizon(days, exact)
        offset = horizon.start
        # The group's own cells on the days, when still placed (a move solved beside another
        # keeps them in the roster), count for nobody else.
        own: Counter = Counter()
        for staff_id in staff_ids:
            for day, code in self.days_of[staff_id]:
                if day in days:
                    own.update(self._rows_counting(staff_id, day, code))
        coverage = []
        for index in self._rows_for(staff_ids, days):
            row = self.p.coverage[index]
            others = self.placed[index] - own[index]
            coverage.append(
                replace(
                    row,
                    day=row.day - offset,
                    required=max(0, row.required - others),
                    minimum=max(0, row.minimum - others),
                )
            )
        locked = [
            replace(cell, day=cell.day - offset)
            for s in staff_ids
            for cell in self.locked[s]
            if cell.day in days
        ]
        for s in staff_ids:
            # The context as placed; the day after the window off unless the scheduler locked it.
            fixed = {cell.day: cell.shift for cell in self.locked[s]}
            fixed.update(self.days_of[s])
            locked += [LockedCell(s, d - offset, fixed.get(d)) for d in horizon if d not in days]
        problem = replace(
            self.p,
            start_date=self.p.date_of(offset),
            num_days=len(horizon),
            staff=[self._member_within(self.members[s], days, horizon, exact) for s in staff_ids],
            coverage=coverage,
            leave={(s, d - offset) for s in staff_ids for d in self.leave[s] if d in horizon},
            preferences=[
                replace(pref, day=pref.day - offset)
                for s in staff_ids
                for pref in self.preferences[s]
                if pref.day in days
            ],
            locked=locked,
            previous=None,
            fairness_weight=0,
        )
        return problem, horizon

    def _solve(
        self,
        staff_ids: list[str],
        seconds: float,
        days: range | None = None,
        hint: bool = False,
        first: bool = False,
        drop_floors: bool = False,
        pattern: list[list[str] | None] | None = None,
        exact: bool = False,
    ) -> tuple[float, dict[str, Cells]] | None:
        """Solve the restricted problem; its objective and each member's cells on ``days``.

        ``pattern`` (one member, the whole period) fixes the days worked, each to one of the
        shifts listed for it: only the shifts are left to choose. ``exact``: the members' other
        days are placed and the window may use all that they leave of each limit."""
        days = days or range(self.p.num_days)
        with self.lock:
            problem, horizon = self._restricted(staff_ids, days, exact)
        if drop_floors:
            problem.coverage = [replace(row, minimum=0) for row in problem.coverage]
        if pattern is not None:  # its days off as leave: a far smaller model
            off = {(staff_ids[0], day) for day, codes in enumerate(pattern) if codes is None}
            problem.leave = problem.leave | off
        roster_model = build_model(problem)
        if hint:
            offset = horizon.start
            for (staff_id, day, code), var in roster_model.x.items():
                roster_model.model.add_hint(var, self.roster.get((staff_id, day + offset)) == code)
        if pattern is not None:
            self._fix_pattern(roster_model, staff_ids[0], pattern)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.rng.randrange(1 << 30)
        # The full linear relaxation finds rosters of one member over a long period far sooner.
        solver.parameters.linearization_level = 2
        solver.parameters.stop_after_first_solution = first
        status = solver.solve(roster_model.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        cells: dict[str, Cells] = {staff_id: [] for staff_id in staff_ids}
        for (staff_id, day, code), var in roster_model.x.items():
            if day + horizon.start in days and solver.boolean_value(var):
                cells[staff_id].append((day + horizon.start, code))
        return round(solver.objective_value, 6), cells

    @staticmethod
    def _fix_pattern(roster_model, staff_id: str, pattern: list[list[str] | None]) -> None:
        """Each day the pattern works is worked (its days off are already leave), with the
        first of the shifts it lists hinted (the run and contract rules may still call for
        another length)."""
        model = roster_model.model
        for day, codes in enumerate(pattern):
            work = roster_model.works[staff_id, day]
            if codes is None or isinstance(work, int):
                continue
            model.add(work == 1)
            for code in codes:
                if (var := roster_model.x.get((staff_id, day, code))) is not None:
                    model.add_hint(var, True)
                    break

    def _cost(self, group: list[str], cells: dict[str, Cells], days: range) -> float:
        """The restricted model's objective for the group's ``cells`` on ``days`` (the group's
        other days and everyone else as placed): coverage against the reduced rows and
        preferences, the model's terms when no member of the group has soft minima."""
        return float(sum(self._cost_parts(group, cells, days).values()))

    def _cost_parts(self, group: list[str], cells: dict[str, Cells], days: range) -> dict:
        counts = np.zeros(len(self.placed), dtype=np.int64)
        chosen: dict[tuple[str, int], str] = {}
        for staff_id in group:
            for day, code in cells[staff_id]:
                chosen[staff_id, day] = code
                for index in self._rows_counting(staff_id, day, code):
                    counts[index] += 1
        rows = self._row_array(group, days)
        required = np.maximum(0, self.required[rows] - np.asarray(self.placed)[rows])
        count = counts[rows]
        parts = {
            "coverage_under": int(self.under_weight[rows] @ np.maximum(0, required - count)),
            "coverage_over": int(self.over_weight[rows] @ np.maximum(0, count - required)),
            "preferences": 0,
        }
        for staff_id in group:
            for pref in self.preferences[staff_id]:
                if pref.day not in days:
                    continue
                worked = chosen.get((staff_id, pref.day))
                hit = worked is not None and (pref.shift is None or worked == pref.shift)
                parts["preferences"] += pref.weight * (hit != pref.wants)
        return parts

    def _row_array(self, group: list[str], days: range) -> np.ndarray:
        """:meth:`_rows_for` as an array, kept for the whole period (the same for every move of
        members who may work the same shift types)."""
        if len(days) != self.p.num_days:
            return np.array(self._rows_for(group, days), dtype=np.int64)
        key = frozenset(self._codes_for(group))
        if key not in self.whole_rows:
            self.whole_rows[key] = np.array(self._rows_for(group, days), dtype=np.int64)
        return self.whole_rows[key]

    def floors_met(self) -> bool:
        """Every hard coverage floor holds (construction may have set them aside)."""
        return not self.short_floor_days()

    def short_floor_days(self) -> set[int]:
        """The days with a hard coverage floor the roster as placed leaves short."""
        return {
            row.day for index, row in enumerate(self.p.coverage) if self.placed[index] < row.minimum
        }

    def mend_floors(self, deadline: float) -> bool:
        """Re-solve every member on the days whose hard coverage floors the roster leaves
        short, the rest as placed: the days alone, then with each margin of ``FLOOR_MARGINS``
        either side (runs and weekends across a short day may have to move too), in pieces of
        at most ``MEND_STAFF_DAYS`` staff members times days. Members are built one after
        another, so those placed first can leave a floor out of reach of the rest, which set
        it aside (see _build_by_pattern and _build_whole). True once every floor holds."""
        everyone = list(self.members)
        longest = max(7, MEND_STAFF_DAYS // len(everyone))
        for margin in FLOOR_MARGINS:
            for days in _spans(self.short_floor_days(), margin, self.p.num_days, longest):
                seconds = deadline - time.monotonic()
                if seconds <= 0:
                    return self.floors_met()
                result = self._solve(everyone, seconds, days, hint=True, exact=True)
                if result is None:
                    continue
                with self.lock:
                    for staff_id in everyone:
                        self._take(staff_id, days)
                        self._put(staff_id, result[1][staff_id])
            if self.floors_met():
                return True
        return False

    def objective(self) -> float:
        """The model's objective for the whole roster as placed."""
        return float(sum(self.penalties().values()))

    def penalties(self) -> dict[str, int]:
        """The objective by term (coverage_under, coverage_over, preferences)."""
        everyone = list(self.members)
        whole = range(self.p.num_days)
        cells = {staff_id: self._take(staff_id, whole) for staff_id in everyone}
        try:
            return self._cost_parts(everyone, cells, whole)
        finally:
            for staff_id in everyone:
                self._put(staff_id, cells[staff_id])

    # -- construction and improvement ----------------------------------------------------------
    def _windows(self) -> list[range]:
        """The period cut into windows of about ``window_days`` starting on week starts."""
        if not self.windowed:
            return [range(self.p.num_days)]
        weeks = max(1, self.window_days // 7)
        starts = self.week_starts[::weeks]
        ends = [*starts[1:], self.p.num_days]
        return [range(a, b) for a, b in zip(starts, ends, strict=True)]

    def construct(self, deadline: float, workers: int = 1) -> bool:
        """Place every member once; False when a member cannot be placed. Members still to be
        placed at ``deadline`` are placed by their pattern alone, a little late.

        With several workers, members are built side by side: each sees the coverage left by
        everyone placed when its own build starts (CP-SAT releases the interpreter while it
        solves, so the builds run in parallel).
        """
        order = list(self.members)
        self.rng.shuffle(order)
        windows = self._windows()
        queue = enumerate(order)
        failed = threading.Event()

        def build_next() -> None:
            while not failed.is_set():
                with self.lock:
                    position, staff_id = next(queue, (None, None))
                if staff_id is None:
                    return
                left = deadline - time.monotonic()
                per_member = left * workers / (len(order) - position)
                built = False
                try:
                    if left > 0:
                        built = self._build_member(staff_id, windows, per_member, deadline)
                    else:
                        built = self._build_late(staff_id)
                finally:  # a member not built, or an error, stops the other threads too
                    if not built:
                        self.unplaced.append(staff_id)
                        failed.set()

        _side_by_side(build_next, workers)
        return not failed.is_set()

    def _build_member(
        self, staff_id: str, windows: list[range], seconds: float, deadline: float
    ) -> bool:
        """Over a period of several windows, by the member's pattern of days worked, else window
        by window; else (or over a short period) in one piece. The pattern takes hundredths of
        a second where the windows' models take seconds, and the moves that follow gain more
        from that time than the windows' better start: on Curtois-Qu Instance23 at 60 s,
        44,358 against 90,952 built by windows first; Instance20 5,087 against 5,366."""
        if len(windows) > 1:
            if self._build_by_pattern(staff_id, min(5.0, max(1.0, seconds))):
                return True
            if self._build_in_windows(staff_id, windows, seconds):
                return True
            self._take(staff_id, range(self.p.num_days))
        return self._build_whole(staff_id, seconds, deadline)

    def _build_late(self, staff_id: str) -> bool:
        """Past the deadline, the member's pattern alone (a second at most): a roster a little
        late is worth more than none, and the pattern takes milliseconds where the model would
        take seconds. Hard coverage floors are set aside at once, since only the model (a
        second a member) could choose shifts within them: the mending sees to them after."""
        return self._build_by_pattern(staff_id, LATE_PATTERN_SECONDS, floors_first=False)

    def _build_in_windows(self, staff_id: str, windows: list[range], seconds: float) -> bool:
        """The member's cells window by window, each taking its share of the contract. A window
        that cannot is solved again together with the one before; False if that fails too."""
        for index, days in enumerate(windows):
            share = min(5.0, max(0.2, seconds * len(days) / self.p.num_days))
            result = self._solve([staff_id], share, days)
            if result is None and index > 0:
                days = range(windows[index - 1].start, days.stop)
                taken = self._take(staff_id, days)
                result = self._solve([staff_id], 2 * share, days)
                if result is None:
                    self._put(staff_id, taken)
            if result is None:
                return False
            self._put(staff_id, result[1][staff_id])
        return True

    def _build_by_pattern(
        self, staff_id: str, seconds: float, rounds: int = 1, floors_first: bool = True
    ) -> bool:
        """The member placed by its pattern; where it cannot work every day of a hard floor
        still short that it could help meet (early in the building, most of them), or with
        ``floors_first`` False, by its pattern with those floors set aside but still valued
        above all else: members placed later, or the mending, see to the rest."""
        planned = None
        if floors_first or not self.has_floors:
            planned = self._plan_by_pattern(staff_id, seconds, rounds)
        if planned is None and self.has_floors:
            planned = self._plan_by_pattern(staff_id, seconds, rounds, floors=False)
        if planned is not None:
            self._put(staff_id, planned[1])
        return planned is not None

    def _plan_by_pattern(
        self,
        staff_id: str,
        seconds: float,
        rounds: int = 1,
        floors: bool = True,
        by_model: bool = True,
    ) -> tuple[float, Cells] | None:
        """The member's days worked, and the length of shift on each, by dynamic programming,
        valuing each by the best shift of that length; then the shift of each day, by dynamic
        programming too or else (``by_model``) by the model. With several lengths of shift, up
        to ``rounds`` patterns, each valuing the days of the one before at what their shifts got
        (with one, a second pattern seldom pays for its time). ``floors`` False sets the hard
        coverage floors aside. Returns the restricted objective and the cells, not yet placed."""
        member = self.members[staff_id]
        codes = self._codes_of(member)
        if not codes:
            return None
        with self.lock:
            values = self._shift_values(member, codes)
            floor_days = self._floors_short(member, codes) if floors else set()
        by_length = self._columns_by_length(codes)
        # The program knows no limit per shift type: if its lengths cannot be met with the
        # member's shifts, the shortest shifts alone are planned instead.
        everything = sorted(by_length)
        for lengths in (everything, everything[:1]) if len(everything) > 1 else (everything,):
            unit = math.gcd(*lengths)
            groups = [by_length[length] for length in lengths]
            day_values = [[max(row[c] for c in group) for group in groups] for row in values]
            caps = [self._most_of(member, [codes[c] for c in group]) for group in groups]
            day_values = _within_caps(day_values, caps)
            rules = self._pattern_rules(member, unit, floor_days)
            sizes = [length // unit for length in lengths]
            follows = self._lengths_follow(codes, groups)
            options = None
            if self.p.num_days >= self.pattern_band_from_days:
                banded = replace(rules, band=math.ceil(self.pattern_band_minutes / unit))
                options = best_pattern(banded, day_values, sizes, follows)
                rules = banded if options is not None else rules
            if options is None:
                options = best_pattern(rules, day_values, sizes, follows)
            if options is None:
                continue
            planned = _best_of_rounds(
                rounds if len(lengths) > 1 else 1,
                rules,
                sizes,
                follows,
                day_values,
                options,
                program=partial(self._shifts_by_program, member, codes, values, floors=floors),
                value_of=lambda day, code: values[day][codes.index(code)],
            )
            if planned is not None:
                return planned
            if not by_model:
                continue
            pattern = [None if k is None else [codes[c] for c in groups[k]] for k in options]
            result = self._solve([staff_id], seconds, pattern=pattern, drop_floors=not floors)
            if result is not None:
                return result[0], result[1][staff_id]
        return None

    def _lengths_follow(self, codes: list[str], groups: list[list[int]]) -> list[list[bool]]:
        """Whether some shift of each group (a length of shift) may follow some shift of each
        other on the next day. Planned without it, a pattern can work a length the day after
        one that none of its shifts may follow (Curtois-Qu Instance19: no 8-hour shift after a
        10-hour one), and its shifts then cannot be chosen at all."""
        return [
            [
                any((codes[a], codes[b]) not in self.forbidden for a in first for b in second)
                for second in groups
            ]
            for first in groups
        ]

    def _codes_of(self, member: StaffMember) -> list[str]:
        """The shift types the member may work."""
        return [s.code for s in self.p.shift_types if self.p.may_work(member, s)]

    def _columns_by_length(self, codes: list[str]) -> dict[int, list[int]]:
        """The positions in ``codes`` of each length of shift, shortest length first."""
        by_length: dict[int, list[int]] = defaultdict(list)
        for column, code in enumerate(codes):
            by_length[self.lengths[code]].append(column)
        return dict(sorted(by_length.items()))

    @staticmethod
    def _most_of(member: StaffMember, codes: list[str]) -> int | None:
        """The most shifts of ``codes`` the member may work (None: no limit)."""
        maxima = [member.max_shifts_per_type.get(code) for code in codes]
        return None if None in maxima else sum(maxima)

    def _shifts_by_program(
        self,
        member: StaffMember,
        codes: list[str],
        values: list[list[float]],
        options: list[int | None],
        floors: bool = True,
    ) -> tuple[float, Cells] | None:
        """The shift of each day ``options`` works (not None), by dynamic programming under the
        succession rule, the limits per shift type and the contract's minutes. Any of the
        member's shifts, not only those of the length planned: a planned sequence of lengths
        that no sequence of shifts can follow (Curtois-Qu Instance23: a 12-hour shift, then an
        8-hour late, then a 10-hour day) still gets shifts, and a day may take a better shift
        of another length where the minutes allow. Not with hard coverage floors, which only
        the model can see to, unless ``floors`` is False (they are set aside)."""
        if self.has_floors and floors:
            return None
        allowed = [
            row if k is not None else [-math.inf] * len(row)
            for row, k in zip(values, options, strict=True)
        ]
        column_of = {code: column for column, code in enumerate(codes)}
        forbidden = {
            (column_of[a], column_of[b])
            for a, b in self.forbidden
            if a in column_of and b in column_of
        }
        maxima = [member.max_shifts_per_type.get(code) for code in codes]
        minutes = self._minutes_in_units(member, codes, sum(k is not None for k in options))
        if minutes is None:
            return None
        chosen = best_shifts(allowed, forbidden, maxima, sizes=minutes[0], units=minutes[1])
        if chosen is None:
            return None
        cells = [(day, codes[c]) for day, c in enumerate(chosen) if c is not None]
        whole = range(self.p.num_days)
        with self.lock:
            return self._cost([member.id], {member.id: cells}, whole), cells

    def _minutes_in_units(
        self, member: StaffMember, codes: list[str], days_worked: int
    ) -> tuple[list[int] | None, tuple[int, int]] | None:
        """Each shift's size and the contract's range of minutes, in units of the shifts'
        greatest common length, for the shift program. With one length the days worked decide
        the minutes: no sizes, nothing to count (None where they fall outside the range)."""
        unit = math.gcd(*(self.lengths[code] for code in codes))
        sizes = [self.lengths[code] // unit for code in codes]
        most = max(sizes) * days_worked
        if member.max_minutes is not None:
            most = min(most, member.max_minutes // unit)
        fewest = math.ceil(member.min_minutes / unit)
        if len(set(sizes)) > 1:
            return sizes, (fewest, most)
        return (None, (0, 0)) if fewest <= sizes[0] * days_worked <= most else None

    def _shift_values(self, member: StaffMember, codes: list[str]) -> list[list[float]]:
        """What working each shift on each day is worth to the objective: its coverage
        (under-cover weight while short, minus the over-cover weight once covered) and
        preferences; minus infinity when a lock rules it out. A little noise breaks ties
        differently for each member."""
        rows, days, columns = self._counted(member, codes)
        placed = np.asarray(self.placed)[rows]
        worth = np.where(
            placed < self.required[rows], self.under_weight[rows], -self.over_weight[rows]
        ).astype(float)
        if self.has_floors:
            worth += np.where(placed < self.minimum[rows], FLOOR_VALUE, 0)
        values = np.zeros((self.p.num_days, len(codes)))
        np.add.at(values, (days, columns), worth)
        for pref in self.preferences[member.id]:
            for column, code in enumerate(codes):
                if pref.shift is None or pref.shift == code:
                    values[pref.day, column] += pref.weight if pref.wants else -pref.weight
        noise = np.random.default_rng(self.rng.randrange(1 << 32))
        values += noise.random(values.shape) * 0.01
        for cell in self.locked[member.id]:
            for column, code in enumerate(codes):
                if code != cell.shift:
                    values[cell.day, column] = -math.inf
        return values.tolist()

    def _counted(
        self, member: StaffMember, codes: list[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every coverage row the member counts for, with its day and the position of its shift
        in ``codes`` (the member's shift types, always the same list)."""
        if member.id not in self.counted_rows:
            found = [
                (index, day, column)
                for day in range(self.p.num_days)
                for column, code in enumerate(codes)
                for index in self._rows_counting(member.id, day, code)
            ]
            rows, days, columns = np.array(found, dtype=np.int64).reshape(-1, 3).T
            self.counted_rows[member.id] = (rows, days, columns)
        return self.counted_rows[member.id]

    def _floors_short(self, member: StaffMember, codes: list[str]) -> set[int]:
        """The days of hard coverage floors not yet met that the member could help meet."""
        if not self.has_floors:
            return set()
        return {
            row.day
            for index, row in enumerate(self.p.coverage)
            if row.minimum > self.placed[index]
            and row.shift in codes
            and (row.skill is None or row.skill in member.skills)
        }

    def _pattern_rules(self, member: StaffMember, unit: int, floor_days: set[int]) -> PatternRules:
        """The member's contract as rules on days worked, minutes in units of ``unit``; the
        days of ``floor_days`` worked (the restricted model asks the member to meet them)."""
        shifts = [s for s in self.p.shift_types if self.p.may_work(member, s)]
        most = self.p.num_days * max(s.length_minutes for s in shifts)
        if member.max_minutes is not None:
            most = min(most, member.max_minutes)
        maxima = [member.max_shifts_per_type.get(s.code) for s in shifts]
        if None not in maxima:
            most = min(most, sum(n * s.length_minutes for n, s in zip(maxima, shifts, strict=True)))
        locked = {cell.day: cell.shift for cell in self.locked[member.id]}
        return PatternRules(
            num_days=self.p.num_days,
            min_units=math.ceil(member.min_minutes / unit),
            max_units=most // unit,
            max_consecutive=member.max_consecutive_days,
            min_consecutive=member.min_consecutive_days,
            min_days_off=member.min_consecutive_days_off,
            max_weekends=member.max_weekends,
            weekends=self.weekends,
            forced_off=frozenset(
                self.leave[member.id] | {d for d, shift in locked.items() if shift is None}
            ),
            forced_on=frozenset(floor_days | {d for d, s in locked.items() if s is not None}),
        )

    def _build_whole(self, staff_id: str, seconds: float, deadline: float) -> bool:
        """The member's whole period in one model: optimised when there is time to spare, else
        the first roster found, with the hard coverage floors set aside if need be."""
        attempts = [({"first": True}, max(5.0, seconds))]
        if seconds >= 1.0:
            attempts.insert(0, ({"first": False}, min(5.0, seconds)))
        if self.has_floors:
            attempts.append(({"first": True, "drop_floors": True}, max(5.0, seconds)))
        for attempt, limit in attempts:
            limit = min(limit, deadline - time.monotonic())
            if limit <= 0:
                return False
            result = self._solve([staff_id], limit, **attempt)
            if result is not None:
                self._put(staff_id, result[1][staff_id])
                return True
        return False

    def improve(
        self,
        deadline: float,
        group_size: int = 2,
        seconds: float = 1.0,
        on_improvement: Callable[[float], None] | None = None,
        patience: float | None = None,
        min_gain: float = 0.0,
        workers: int = 1,
    ) -> int:
        """Sweeps of pattern moves over every member first (see ``sweep_min_gain``), then
        re-solve random groups of members over the whole period against the rest until
        ``deadline``, or until ``patience`` seconds pass without the roster getting better by
        more than ``min_gain`` (a share of its objective); returns the improving moves made.
        (Whole-period moves keep each member's limits free to move between weeks, which windows
        would not.) Other moves re-plan one member by the pattern of days worked or its shifts
        alone, and over a long period re-solve a few members over a few weeks, with all that
        their other weeks leave of each limit, or every member over one weekend.

        With several workers, moves of different members are solved side by side (CP-SAT
        releases the interpreter while it solves); each is costed when it is taken.
        Equal moves are taken too: they let the search drift across plateaus.
        """
        ids = [s for s, m in self.members.items() if not m.minima_soft]
        if len(ids) < 2:
            return 0
        progress = _Progress(self.objective() if min_gain > 0 else 0.0, min_gain, on_improvement)
        self._sweep(deadline, ids, progress, seconds)
        busy: set[str] = set()
        _side_by_side(
            partial(
                self._improve_until, deadline, ids, busy, progress, group_size, seconds, patience
            ),
            workers,
        )
        return progress.moves

    def _sweep(self, deadline: float, ids: list[str], progress: _Progress, seconds: float) -> None:
        """Sweeps of pattern moves over every member among ``ids`` (see ``sweep_min_gain``), then
        of shifts moves (see ``shifts_sweep_min_gain``), or until ``deadline``. One thread is
        enough: both moves hold the roster's lock throughout. Without hard coverage floors the
        pattern moves plan by the programs alone: a member whose pattern the shift program
        cannot fill keeps its roster for that sweep (see ``sweep_by_model``)."""
        by_model = self.has_floors or self.sweep_by_model

        def pattern_move(staff_id: str) -> float:
            return self._pattern_move(staff_id, 2 * seconds, by_model)

        if self._sweeps_of(pattern_move, deadline, ids, progress, self.sweep_min_gain):
            self._sweeps_of(self._shifts_move, deadline, ids, progress, self.shifts_sweep_min_gain)

    def _sweeps_of(
        self,
        move: Callable[[str], float],
        deadline: float,
        ids: list[str],
        progress: _Progress,
        min_gain: float,
    ) -> bool:
        """``move`` of every member among ``ids`` in turn, in a random order, sweep after sweep
        until one gains no more than ``min_gain`` of the objective (True) or ``deadline`` comes
        (False)."""
        while True:
            before = self.objective()
            gained = 0.0
            for staff_id in self.rng.sample(ids, len(ids)):
                if time.monotonic() >= deadline - LAST_MOVE_MARGIN_SECONDS:
                    return False
                if (by := move(staff_id)) > 0:
                    gained += by
                    progress.improved(by)
            if gained <= min_gain * before:
                return True

    def _improve_until(
        self,
        deadline: float,
        ids: list[str],
        busy: set[str],
        progress: _Progress,
        group_size: int,
        seconds: float,
        patience: float | None,
    ) -> None:
        """One thread of :meth:`improve`: moves of members no other thread is moving."""
        # Which kind pays differs with the period: group moves do better over a few months,
        # pattern and window moves over a year, where a whole-period group's model is slow to
        # solve. So each kind's share of the time follows what it recently gained (see
        # _next_kind).
        kinds = ["group", "pattern", "shifts", *(["window", "weekend"] if self.windowed else [])]
        gains: dict[str, float] = {}  # recent gain per move
        durations: dict[str, float] = {}  # recent seconds per move
        while time.monotonic() < deadline - LAST_MOVE_MARGIN_SECONDS:
            if patience is not None and time.monotonic() - progress.last_better > patience:
                break
            limit = min(seconds, deadline - time.monotonic())
            kind = self._next_kind(kinds, gains, durations)
            with self.lock:
                free = [s for s in ids if s not in busy]
                if free:
                    group, days = self._move_for(kind, free, group_size)
                    busy.update(group)
            if not free:  # the other threads are moving everyone
                time.sleep(0.01)
                continue
            started = time.monotonic()
            try:
                if kind == "pattern":
                    improved = self._pattern_move(group[0], 2 * limit)
                elif kind == "shifts":
                    improved = self._shifts_move(group[0])
                else:
                    improved = self._group_move(group, limit, days)
            finally:
                with self.lock:
                    busy.difference_update(group)
            took = max(0.001, time.monotonic() - started)
            gains[kind] = 0.9 * gains.get(kind, improved) + 0.1 * improved
            durations[kind] = 0.9 * durations.get(kind, took) + 0.1 * took
            if improved > 0:
                with self.lock:
                    progress.improved(improved)

    def _next_kind(
        self, kinds: list[str], gains: dict[str, float], durations: dict[str, float]
    ) -> str:
        """A kind not tried yet, else one drawn by its recent gain per second over its seconds
        per move, so that its share of the time (not of the moves) follows its gain per second;
        each keeps at least a twentieth of the best kind's rate, to be tried again as the roster
        changes."""
        untried = [kind for kind in kinds if kind not in durations]
        if untried:
            return self.rng.choice(untried)
        rates = {kind: gains[kind] / durations[kind] for kind in kinds}
        floor = 0.05 * max(rates.values())
        weights = [max(rates[kind], floor) / durations[kind] for kind in kinds]
        if not any(weights):  # nothing has gained yet: by speed alone
            weights = [1 / durations[kind] for kind in kinds]
        return self.rng.choices(kinds, weights=weights)[0]

    def _group_move(self, group: list[str], seconds: float, days: range | None = None) -> float:
        """Re-solve ``group`` together against the rest, on ``days`` (default: the whole
        period) with their other days as placed; the improvement made (0 if none).

        The group stays in the roster while it is solved, so a move solved beside it plans
        against the whole roster; the result is costed against the roster as it is then."""
        days = days or range(self.p.num_days)
        result = self._solve(group, seconds, days, hint=True, exact=True)
        if result is None:
            return 0.0
        with self.lock:
            before = {staff_id: self._take(staff_id, days) for staff_id in group}
            old = self._cost(group, before, days)
            new = self._cost(group, result[1], days)
            accepted = new <= old
            for staff_id in group:
                self._put(staff_id, result[1][staff_id] if accepted else before[staff_id])
        return old - new if accepted else 0.0

    def _move_for(self, kind: str, ids: list[str], group_size: int) -> tuple[list[str], range]:
        """The members a move of ``kind`` re-plans, among ``ids``, and on which days: one member
        over the period for a pattern or shifts move; for a window move, a few weeks, mostly
        (``short_window_share``) around a shift left short and with members who could take it
        (``_takers``)."""
        whole = range(self.p.num_days)
        if kind in ("pattern", "shifts"):
            return [self.rng.choice(ids)], whole
        if kind == "weekend":
            return self._weekend_around_short(ids)
        if kind != "window":
            return self.rng.sample(ids, min(group_size, len(ids))), whole
        size = self.window_group_size
        group: list[str] = []
        short = self._short_rows()
        if short and self.rng.random() < self.short_window_share:
            row = self.p.coverage[self.rng.choice(short)]
            centre = row.day
            able = self._takers(row, ids)
            group = self.rng.sample(able, min(len(able), max(1, self.short_window_takers)))
        else:
            centre = self.rng.randrange(self.p.num_days)
        others = [s for s in ids if s not in group]
        group += self.rng.sample(others, min(len(others), size - len(group)))
        return group, self._window_around(centre)

    def _weekend_around_short(self, ids: list[str]) -> tuple[list[str], range]:
        """The members among ``ids`` who may work one weekend (see ``_may_work_weekend``) over
        it and ``weekend_margin`` days either side: mostly (``short_window_share``) a weekend
        with a shift left short."""
        short = self._short_rows(weekends_only=True)
        if short and self.rng.random() < self.short_window_share:
            weekend = self.weekends[self.weekend_of[self.p.coverage[self.rng.choice(short)].day]]
        else:
            weekend = self.rng.choice(self.weekends)
        margin = self.weekend_margin
        days = range(max(0, weekend[0] - margin), min(self.p.num_days, weekend[-1] + 1 + margin))
        return [staff_id for staff_id in ids if self._may_work_weekend(staff_id, weekend)], days

    def _may_work_weekend(self, staff_id: str, weekend: list[int]) -> bool:
        """The member works the weekend already or has one to spare. The others, at their
        weekend limit with their other weekends held, could change only a weekday or two
        around it, and leaving them out of a weekend move makes its model about four times
        smaller over a year, where every member ends at its limit (Curtois-Qu Instance21: a
        weekend move took 0.72 s against 1.24 s, and the 60-s runs ended at 22,256-22,346
        against 22,480-22,711, seeds 0-2)."""
        if any((staff_id, day) in self.roster for day in weekend):
            return True
        limit = self.members[staff_id].max_weekends
        return limit is None or self._usage(staff_id, lambda _: True).weekends < limit

    def _short_rows(self, weekends_only: bool = False) -> list[int]:
        """The coverage rows still short of their requirement (on weekends alone, if asked)."""
        short = np.asarray(self.placed) < self.required
        if weekends_only:
            short &= self.on_weekend
        return np.flatnonzero(short).tolist()

    def _takers(self, row: CoverageRequirement, ids: list[str]) -> list[str]:
        """Members among ``ids`` who could work a short row's shift, those who work the rest of
        its weekend but not its day first: their weekend is counted already, so only they can
        take it without giving up another weekend (on Curtois-Qu Instance21 every member is at
        its weekend limit, and every shift left short is on a weekend)."""
        able = [s for s in ids if self._rows_counting(s, row.day, row.shift)]
        weekend = self.weekend_of.get(row.day)
        if weekend is None:
            return able
        rest = [day for day in self.weekends[weekend] if day != row.day]
        halves = [
            s
            for s in able
            if (s, row.day) not in self.roster and any((s, day) in self.roster for day in rest)
        ]
        return halves or able

    def _window_around(self, day: int) -> range:
        """``window_days`` of whole weeks holding ``day``, at a random place within them."""
        weeks = max(1, self.window_days // 7)
        starts = [*self.week_starts, self.p.num_days]
        holding = bisect.bisect_right(starts, day) - 1
        first = min(max(0, holding - self.rng.randrange(weeks)), max(0, len(starts) - 1 - weeks))
        return range(starts[first], starts[min(first + weeks, len(starts) - 1)])

    def _pattern_move(self, staff_id: str, seconds: float, by_model: bool = True) -> float:
        """Re-plan one member's days worked against the rest; the improvement made (0 if none).
        ``by_model`` False: only by the programs (see :meth:`_plan_by_pattern`)."""
        rounds = self.pattern_rounds

        def plan(_: Cells) -> tuple[float, Cells] | None:
            return self._plan_by_pattern(staff_id, seconds, rounds, by_model=by_model)

        return self._replan(staff_id, plan)

    def _shifts_move(self, staff_id: str) -> float:
        """Re-choose the shift of each day one member works, so that its runs and weekends stay
        as they are and its minutes within the contract: the shift program alone, the cheapest
        move there is. The improvement made (0 if none)."""
        member = self.members[staff_id]
        codes = self._codes_of(member)

        def plan(before: Cells) -> tuple[float, Cells] | None:
            worked = {day for day, _ in before}
            options = [0 if day in worked else None for day in range(self.p.num_days)]
            values = self._shift_values(member, codes)  # _replan holds the lock
            return self._shifts_by_program(member, codes, values, options)

        return self._replan(staff_id, plan)

    def _replan(self, staff_id: str, plan: Callable[[Cells], tuple[float, Cells] | None]) -> float:
        """Take one member's cells out, ``plan`` new ones from them (with their restricted
        objective) and keep whichever is no worse; the improvement made (0 if none)."""
        whole = range(self.p.num_days)
        # Under the lock throughout: the member is out of the roster meanwhile, which a move
        # prepared beside it must not see. (The programs hold the interpreter anyway.)
        with self.lock:
            before = self._take(staff_id, whole)
            old = self._cost([staff_id], {staff_id: before}, whole)
            planned = plan(before)
            accepted = planned is not None and planned[0] <= old
            self._put(staff_id, planned[1] if accepted else before)
        return old - planned[0] if accepted else 0.0


def _spans(days: set[int], margin: int, num_days: int, longest: int) -> list[range]:
    """``days`` widened by ``margin`` either side within the period, as disjoint ranges in
    order (overlapping or touching ones merged), each cut into pieces of ``longest`` days at
    most."""
    merged: list[range] = []
    for day in sorted(days):
        first, stop = max(0, day - margin), min(num_days, day + margin + 1)
        if merged and first <= merged[-1].stop:
            merged[-1] = range(merged[-1].start, max(merged[-1].stop, stop))
        else:
            merged.append(range(first, stop))
    return [
        range(start, min(span.stop, start + longest))
        for span in merged
        for start in range(span.start, span.stop, longest)
    ]


def _side_by_side(work: Callable[[], None], workers: int) -> None:
    """Run ``work`` in ``workers`` threads and wait for all; the first error is raised here."""
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guarded) for _ in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _best_of_rounds(
    rounds: int,
    rules: PatternRules,
    sizes: list[int],
    follows: list[list[bool]],
    day_values: list[list[float]],
    options: list[int | None],
    program: Callable[[list[int | None]], tuple[float, Cells] | None],
    value_of: Callable[[int, str], float],
) -> tuple[float, Cells] | None:
    """The best of up to ``rounds`` plans: the shifts ``program`` gives the days of ``options``,
    then of patterns planned again with each day whose shift fell short of the value planned for
    its length (the succession rule or a shift's limit ruled the best one out) valued at what it
    got. ``day_values`` is lowered in place."""
    planned = attempt = program(options)
    for _ in range(rounds - 1):
        if attempt is None:
            break
        got = {day: value_of(day, code) for day, code in attempt[1]}
        short = [
            (day, k)
            for day, k in enumerate(options)
            if k is not None and got[day] < day_values[day][k] - 1e-6
        ]
        if not short:
            break
        for day, k in short:
            day_values[day][k] = got[day]
        options = best_pattern(rules, day_values, sizes, follows)
        if options is None:
            break
        attempt = program(options)
        if attempt is not None and (planned is None or attempt[0] < planned[0]):
            planned = attempt
    return planned


def _within_caps(day_values: list[list[float]], caps: list[int | None]) -> list[list[float]]:
    """``day_values`` with each option kept only on its ``caps`` best days (by its value over
    the best other option that day), so the pattern never plans more of a length of shift than
    the limits per shift type allow. The program itself counts only the total work."""
    rows = [list(row) for row in day_values]
    for option, cap in enumerate(caps):
        open_days = [day for day, row in enumerate(rows) if math.isfinite(row[option])]
        if cap is None or len(open_days) <= cap:
            continue

        def advantage(day: int, option: int = option) -> float:
            others = [v for k, v in enumerate(rows[day]) if k != option]
            return rows[day][option] - max(others, default=-math.inf)

        for day in sorted(open_days, key=advantage, reverse=True)[cap:]:
            rows[day][option] = -math.inf
    return rows
