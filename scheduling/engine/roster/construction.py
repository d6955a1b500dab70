"""A roster built and improved a few staff members at a time, with the same CP-SAT model.

Every hard rule of the model except a coverage floor concerns one staff member, so a roster can be
built member by member: each step solves :func:`build_model` on the problem restricted to one
member, with each coverage row reduced by the staff already placed (so a shift already fully
covered costs its over-cover weight, an uncovered one earns its under-cover weight). The same
restricted models, for two members at a time, then improve the roster until the time is up.
Each restricted model is small however long the period, so large problems get a roster long
before the whole model would have finished its presolve.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from .model import build_model
from .problem import CoverageRequirement, RosterProblem

Roster = dict[tuple[str, int], str]


class StaffByStaff:
    def __init__(self, problem: RosterProblem, seed: int = 0) -> None:
        self.p = problem
        self.rng = random.Random(seed)
        self.members = {m.id: m for m in problem.staff}
        self.roster: Roster = {}
        # Coverage rows by (day, shift) and the number of placed staff counted by each row.
        self.rows_at: dict[tuple[int, str], list[int]] = defaultdict(list)
        for index, row in enumerate(problem.coverage):
            self.rows_at[row.day, row.shift].append(index)
        self.placed = [0] * len(problem.coverage)
        self.preferences = defaultdict(list)
        for pref in problem.preferences:
            self.preferences[pref.staff_id].append(pref)
        self.locked = defaultdict(list)
        for cell in problem.locked:
            self.locked[cell.staff_id].append(cell)
        self.leave = defaultdict(set)
        for staff_id, day in problem.leave:
            self.leave[staff_id].add((staff_id, day))
        self.days_of = defaultdict(list)  # staff_id -> [(day, code)] currently placed

    # -- bookkeeping ---------------------------------------------------------------------------
    def _count(self, staff_id: str, sign: int) -> None:
        skills = self.members[staff_id].skills
        for day, code in self.days_of[staff_id]:
            for index in self.rows_at.get((day, code), ()):
                skill = self.p.coverage[index].skill
                if skill is None or skill in skills:
                    self.placed[index] += sign

    def _remove(self, staff_ids: list[str]) -> None:
        for staff_id in staff_ids:
            self._count(staff_id, -1)
            for day, _ in self.days_of[staff_id]:
                del self.roster[staff_id, day]
            self.days_of[staff_id] = []

    def _place(self, staff_id: str, cells: list[tuple[int, str]]) -> None:
        self.days_of[staff_id] = cells
        for day, code in cells:
            self.roster[staff_id, day] = code
        self._count(staff_id, +1)

    # -- restricted problems -------------------------------------------------------------------
    def _rows_for(self, staff_ids: list[str]) -> list[int]:
        """Coverage rows of the shift types one of ``staff_ids`` may work: the others cannot
        change, so the restricted model leaves them out."""
        codes = {
            shift.code
            for staff_id in staff_ids
            for shift in self.p.shift_types
            if self.p.may_work(self.members[staff_id], shift)
        }
        return [i for i, row in enumerate(self.p.coverage) if row.shift in codes]

    def _restricted(self, staff_ids: list[str]) -> RosterProblem:
        """The problem for ``staff_ids`` alone, coverage reduced by everyone else placed."""
        coverage = []
        for index in self._rows_for(staff_ids):
            row = self.p.coverage[index]
            others = self.placed[index]
            coverage.append(
                CoverageRequirement(
                    day=row.day,
                    shift=row.shift,
                    required=max(0, row.required - others),
                    skill=row.skill,
                    under_weight=row.under_weight,
                    over_weight=row.over_weight,
                    minimum=max(0, row.minimum - others),
                )
            )
        chosen = set(staff_ids)
        previous = self.p.previous
        return replace(
            self.p,
            staff=[self.members[s] for s in staff_ids],
            coverage=coverage,
            leave=set().union(*(self.leave[s] for s in staff_ids)),
            preferences=[pref for s in staff_ids for pref in self.preferences[s]],
            locked=[cell for s in staff_ids for cell in self.locked[s]],
            previous=None
            if previous is None
            else {cell: code for cell, code in previous.items() if cell[0] in chosen},
            fairness_weight=0,
        )

    def _solve(
        self,
        staff_ids: list[str],
        seconds: float,
        hint: bool,
        first: bool = False,
        drop_floors: bool = False,
    ) -> tuple[float, list[tuple[str, int, str]]] | None:
        problem = self._restricted(staff_ids)
        if drop_floors:
            problem.coverage = [replace(row, minimum=0) for row in problem.coverage]
        roster_model = build_model(problem)
        if hint:
            for (staff_id, day, code), var in roster_model.x.items():
                roster_model.model.add_hint(var, self.roster.get((staff_id, day)) == code)
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
        cells = [key for key, var in roster_model.x.items() if solver.boolean_value(var)]
        return solver.objective_value, cells

    def _cost(self, group: list[str], cells: dict[str, list[tuple[int, str]]]) -> float:
        """The restricted model's objective for the group's ``cells`` (others as placed).

        Coverage against the reduced rows, preferences and changes: the terms of the model when
        no member of the group has soft minima (the callers check that).
        """
        return float(sum(self._cost_parts(group, cells).values()))

    def _cost_parts(self, group, cells) -> dict[str, int]:
        counts: dict[int, int] = defaultdict(int)
        chosen: dict[tuple[str, int], str] = {}
        for staff_id in group:
            skills = self.members[staff_id].skills
            for day, code in cells[staff_id]:
                chosen[staff_id, day] = code
                for index in self.rows_at.get((day, code), ()):
                    skill = self.p.coverage[index].skill
                    if skill is None or skill in skills:
                        counts[index] += 1
        parts = dict.fromkeys(("coverage_under", "coverage_over", "preferences"), 0)
        for index in self._rows_for(group):
            row = self.p.coverage[index]
            required = max(0, row.required - self.placed[index])
            count = counts.get(index, 0)
            parts["coverage_under"] += row.under_weight * max(0, required - count)
            parts["coverage_over"] += row.over_weight * max(0, count - required)
        for staff_id in group:
            for pref in self.preferences[staff_id]:
                worked = chosen.get((staff_id, pref.day))
                hit = worked is not None and (pref.shift is None or worked == pref.shift)
                parts["preferences"] += pref.weight * (hit != pref.wants)
        if self.p.previous is not None:
            parts["changes"] = sum(
                self.p.change_weight
                for staff_id in group
                for day in range(self.p.num_days)
                if self.p.previous.get((staff_id, day)) != chosen.get((staff_id, day))
            )
        return parts

    def floors_met(self) -> bool:
        """Every hard coverage floor holds (construction may have set them aside)."""
        return all(self.placed[index] >= row.minimum for index, row in enumerate(self.p.coverage))

    def objective(self) -> float:
        """The model's objective for the whole roster as placed."""
        return float(sum(self.penalties().values()))

    def penalties(self) -> dict[str, int]:
        """The objective by term (coverage_under, coverage_over, preferences, changes)."""
        everyone = list(self.members)
        cells = {staff_id: list(self.days_of[staff_id]) for staff_id in everyone}
        self._remove(everyone)
        try:
            return self._cost_parts(everyone, cells)
        finally:
            for staff_id in everyone:
                self._place(staff_id, cells[staff_id])

    # -- construction and improvement ----------------------------------------------------------
    def construct(self, deadline: float) -> bool:
        """Place every member once; False when a member cannot be placed in time.

        With time to spare each member's restricted model is optimised; when the time per member
        left is short, the first roster found for the member is taken.
        """
        order = list(self.members)
        self.rng.shuffle(order)
        for position, staff_id in enumerate(order):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            per_member = left / (len(order) - position)
            result = None
            if per_member >= 1.0:
                result = self._solve([staff_id], min(5.0, per_member), hint=False)
            if result is None:
                seconds = min(5.0, deadline - time.monotonic())
                result = self._solve([staff_id], seconds, hint=False, first=True)
            if result is None:
                seconds = min(5.0, deadline - time.monotonic())
                result = self._solve([staff_id], seconds, hint=False, first=True, drop_floors=True)
            if result is None:
                return False
            self._place(staff_id, [(day, code) for _, day, code in result[1]])
        return True

    def improve(
        self,
        deadline: float,
        group_size: int = 2,
        seconds: float = 1.0,
        on_improvement: Callable[[float], None] | None = None,
    ) -> int:
        """Re-solve random groups of members against the rest until ``deadline``; moves made.

        Equal moves are taken too: they let the search drift across plateaus.
        """
        ids = [s for s, m in self.members.items() if not m.minima_soft]
        moves = 0
        while len(ids) > 1 and time.monotonic() < deadline - 0.2:
            group = self.rng.sample(ids, min(group_size, len(ids)))
            before = {staff_id: list(self.days_of[staff_id]) for staff_id in group}
            self._remove(group)
            old = self._cost(group, before)
            for staff_id in group:
                for day, code in before[staff_id]:
                    self.roster[staff_id, day] = code  # the hint only
            result = self._solve(group, min(seconds, deadline - time.monotonic()), hint=True)
            for staff_id in group:
                for day, _ in before[staff_id]:
                    del self.roster[staff_id, day]
            cells, improved = before, 0.0
            if result is not None and result[0] <= old:
                cells = defaultdict(list)
                for staff_id, day, code in result[1]:
                    cells[staff_id].append((day, code))
                if result[0] < old:
                    moves += 1
                    improved = old - result[0]
            for staff_id in group:
                self._place(staff_id, cells[staff_id])
            if improved and on_improvement is not None:
                on_improvement(improved)
        return moves
