"""Large neighbourhood search over the roster model, for the time left after the first solve.

Each round frees the cells of a few staff members, or of every staff member over a few days,
fixes every other shift variable to the incumbent roster and re-solves a clone of the same model
from the incumbent. Neighbourhood sizes adapt: a round solved to optimality grows the next one, a
round that times out shrinks it. So does the choice of kind: each kind's share follows its rate of
improving rounds so far. The model's own global bound from the first solve stays valid.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .model import RosterModel, Shortfall

# Cloning the model each round costs time proportional to its size; beyond this many shift
# variables the search stays with CP-SAT's own neighbourhoods.
MAX_VARIABLES = 150_000
SUBSOLVE_SECONDS = 1.0
# A stronger LP relaxation proves small neighbourhoods optimal sooner.
SUBSOLVE_PARAMETERS: dict = {"linearization_level": 2}
# Each kind's share of the rounds before any is tried. As the search goes, each is scaled by
# (improving rounds + 1) / (rounds + 1) of its kind: which kind pays differs from roster to
# roster (on Curtois-Qu Instance8 only windows of days get past the start's plateau). "short"
# frees the day of a shift the incumbent leaves short with the whole period of members who could
# take it, those below their limit for its type first (Instance8 then leaves its +100 plateau:
# 1306-1315 in three runs of three, against 1401-1402 in two of four before).
KIND_WEIGHTS = {"staff": 5.0, "days": 3.0, "block": 2.0, "short": 3.0}


@dataclass
class Incumbent:
    objective: float
    values: list[int]  # one value per model variable, in proto order

    @classmethod
    def of(cls, solver: cp_model.CpSolver) -> Incumbent:
        """The solver's roster. The objective is rounded: its weights are whole numbers, and
        CP-SAT's float (200.99999999999997 for 201) would make equal rosters look better."""
        return cls(round(solver.objective_value), list(solver.response_proto.solution))

    def hint(self, model: cp_model.CpModel) -> None:
        """Make this roster the model's complete hint, replacing any hint it had (a second one
        would make the model invalid)."""
        model.clear_hints()
        model.proto.solution_hint.vars.extend(range(len(self.values)))
        model.proto.solution_hint.values.extend(self.values)


def improve(
    roster_model: RosterModel,
    incumbent: Incumbent,
    deadline: float,
    workers: int,
    seed: int,
    on_improvement: Callable[[Incumbent], None],
    floor: float = -math.inf,
    stall_seconds: float | None = None,
) -> Incumbent:
    """Improve ``incumbent`` until ``deadline``, or until it reaches ``floor`` (a proven lower
    bound), or (if given) until ``stall_seconds`` pass without a better roster, with one search
    thread per worker.

    CP-SAT releases the interpreter lock while it solves, so the threads' neighbourhoods are
    solved in parallel; they share the incumbent and the adaptive neighbourhood sizes.
    """
    if len(roster_model.x) > MAX_VARIABLES:
        return incumbent
    search = _Search(roster_model, incumbent, deadline, seed, on_improvement, floor, stall_seconds)
    threads = [
        threading.Thread(target=search.run, args=(seed + k,), daemon=True)
        for k in range(max(1, workers))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return search.incumbent


class _Search:
    def __init__(
        self, roster_model, incumbent, deadline, seed, on_improvement, floor, stall_seconds=None
    ) -> None:
        self.roster_model = roster_model
        self.floor = floor
        self.stall_seconds: float | None = stall_seconds
        self.last_better = time.monotonic()
        self.incumbent = incumbent
        self.deadline = deadline
        self.on_improvement = on_improvement
        self.lock = threading.Lock()
        problem = roster_model.problem
        self.num_days = problem.num_days
        self.staff_ids = [m.id for m in problem.staff]
        self.cells_by_staff: dict[str, list[int]] = {sid: [] for sid in self.staff_ids}
        self.cells_by_day: dict[int, list[int]] = {d: [] for d in range(problem.num_days)}
        self.cells: dict[tuple[str, int], list[int]] = {}
        self.shifts_of: dict[tuple[str, str], list[int]] = {}  # (staff id, shift code)
        for (staff_id, day, code), var in roster_model.x.items():
            self.cells_by_staff[staff_id].append(var.Index())
            self.cells_by_day[day].append(var.Index())
            self.cells.setdefault((staff_id, day), []).append(var.Index())
            self.shifts_of.setdefault((staff_id, code), []).append(var.Index())
        self.x = {key: var.Index() for key, var in roster_model.x.items()}
        self.members = {m.id: m for m in problem.staff}
        self.all_cells = list(self.x.values())
        self.shortfalls = [(s, s.variable.Index()) for s in roster_model.shortfalls]
        # Adaptive sizes per neighbourhood kind: staff members, days, days for half the staff.
        self.sizes = {
            "staff": max(2.0, len(self.staff_ids) * 0.08),
            "days": max(2.0, self.num_days * 0.1),
            "block": max(3.0, self.num_days * 0.25),
            "short": max(2.0, len(self.staff_ids) * 0.08),
        }
        self.rounds: Counter[str] = Counter()
        self.improving_rounds: Counter[str] = Counter()

    def _stalled(self) -> bool:
        if self.stall_seconds is None:
            return False
        return time.monotonic() - self.last_better > self.stall_seconds

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < self.deadline - 0.5 and self.incumbent.objective > self.floor:
            if self._stalled():
                return
            with self.lock:
                kind = self._kind(rng)
                free = self._neighbourhood(kind, rng)
                incumbent = self.incumbent
            seconds = min(SUBSOLVE_SECONDS, self.deadline - time.monotonic())
            status, result = _solve_neighbourhood(
                self.roster_model,
                incumbent,
                free,
                self.all_cells,
                seconds,
                1,
                rng.randrange(1 << 30),
            )
            with self.lock:
                grow = 1.15 if status == cp_model.OPTIMAL else 0.9
                limit = len(self.staff_ids) if kind in ("staff", "short") else self.num_days
                self.sizes[kind] = min(max(2.0, self.sizes[kind] * grow), limit)
                self.rounds[kind] += 1
                # Equal moves are taken too: they let the search drift across plateaus.
                if result is not None and result.objective <= self.incumbent.objective:
                    improved = result.objective < self.incumbent.objective
                    self.incumbent = result
                    if improved:
                        self.last_better = time.monotonic()
                        self.improving_rounds[kind] += 1
                        self.on_improvement(result)

    def _kind(self, rng: random.Random) -> str:
        kinds = list(KIND_WEIGHTS)
        weights = [
            KIND_WEIGHTS[kind] * (1 + self.improving_rounds[kind]) / (1 + self.rounds[kind])
            for kind in kinds
        ]
        return rng.choices(kinds, weights=weights)[0]

    def _neighbourhood(self, kind: str, rng: random.Random) -> set[int]:
        size = round(self.sizes[kind])
        if kind == "short":
            return self._around_shortfall(size, rng)
        if kind == "staff":
            chosen = rng.sample(self.staff_ids, min(len(self.staff_ids), size))
            return {i for sid in chosen for i in self.cells_by_staff[sid]}
        width = min(self.num_days, size)
        first = self._first_day(width, rng)
        if kind == "days":
            return {i for d in range(first, first + width) for i in self.cells_by_day[d]}
        half = rng.sample(self.staff_ids, max(1, len(self.staff_ids) // 2))
        return {
            i
            for sid in half
            for d in range(first, first + width)
            for i in self.cells.get((sid, d), [])
        }

    def _around_shortfall(self, size: int, rng: random.Random) -> set[int]:
        """A shift the incumbent leaves short, its day freed for everyone, with the whole
        period of members who could take it: one of them can only by moving work elsewhere
        (the run, weekend and workload rules tie the whole period together). Members below
        their limit for that shift type come first: the others would have to give up one of
        the same type elsewhere."""
        short = self._short_rows()
        if not short:
            return self._neighbourhood("staff", rng)
        row = rng.choice(short)
        able = [sid for sid in self.staff_ids if self._could_fill(sid, row)]
        spare = [sid for sid in able if self._below_limit(sid, row.shift)]
        chosen = rng.sample(spare, min(len(spare), size))
        taken = set(chosen)
        others = [sid for sid in able if sid not in taken]
        chosen += rng.sample(others, min(len(others), size - len(chosen)))
        freed = {i for sid in chosen for i in self.cells_by_staff[sid]}
        return freed | set(self.cells_by_day[row.day])

    def _could_fill(self, staff_id: str, row: Shortfall) -> bool:
        """Allowed the row's shift that day, of its skill, and not on it already."""
        index = self.x.get((staff_id, row.day, row.shift))
        skilled = row.skill is None or row.skill in self.members[staff_id].skills
        return index is not None and skilled and not self.incumbent.values[index]

    def _below_limit(self, staff_id: str, code: str) -> bool:
        limit = self.members[staff_id].max_shifts_per_type.get(code)
        worked = sum(self.incumbent.values[i] for i in self.shifts_of.get((staff_id, code), []))
        return limit is None or worked < limit

    def _short_rows(self) -> list[Shortfall]:
        """The coverage rows the incumbent leaves short."""
        values = self.incumbent.values
        return [row for row, index in self.shortfalls if values[index] > 0]

    def _short_days(self) -> list[int]:
        return [row.day for row in self._short_rows()]

    def _first_day(self, width: int, rng: random.Random) -> int:
        """A random window of days, half the time one around a shift the incumbent leaves short
        (each missing person costs the most, and only a change on those days can fill it)."""
        latest = self.num_days - width
        short = self._short_days()
        if short and rng.random() < 0.5:
            return min(latest, max(0, rng.choice(short) - rng.randrange(width)))
        return rng.randrange(latest + 1)


def _solve_neighbourhood(
    roster_model: RosterModel,
    incumbent: Incumbent,
    free: set[int],
    all_cells: list[int],
    seconds: float,
    workers: int,
    seed: int,
) -> tuple[int, Incumbent | None]:
    fixed = {index: incumbent.values[index] for index in all_cells if index not in free}
    return _solve_clone(roster_model, fixed, seconds, workers, seed, incumbent, SUBSOLVE_PARAMETERS)


def complete(roster_model: RosterModel, roster: dict[tuple[str, int], str], seconds: float):
    """Every model variable's value for a roster given by its cells (None if it breaks a rule)."""
    fixed = {
        var.Index(): int(roster.get((staff_id, day)) == code)
        for (staff_id, day, code), var in roster_model.x.items()
    }
    return solve_with_fixed(roster_model, fixed, seconds)


def solve_with_fixed(
    roster_model: RosterModel,
    fixed: dict[int, int],
    seconds: float,
    workers: int = 1,
    seed: int | None = None,
) -> Incumbent | None:
    """The best roster of a clone of the model with the variables ``fixed`` (index -> value);
    None if none was found in ``seconds``."""
    return _solve_clone(roster_model, fixed, seconds, workers, seed)[1]


def clone_with_fixed(roster_model: RosterModel, fixed: dict[int, int]) -> cp_model.CpModel:
    """A clone of the model with the variables ``fixed`` (index -> value)."""
    model = roster_model.model.clone()
    for index, value in fixed.items():
        domain = model.proto.variables[index].domain  # a Boolean: [lower, upper]
        domain[0] = domain[1] = value
    return model


def _solve_clone(
    roster_model: RosterModel,
    fixed: dict[int, int],
    seconds: float,
    workers: int,
    seed: int | None,
    hint: Incumbent | None = None,
    parameters: dict | None = None,
) -> tuple[int, Incumbent | None]:
    """Solve a clone of the model with the variables ``fixed``, from ``hint`` if given: the
    status and the roster found (None if none). ``seed`` None keeps CP-SAT's own."""
    model = clone_with_fixed(roster_model, fixed)
    if hint is not None:
        hint.hint(model)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = max(1, workers)
    if seed is not None:
        solver.parameters.random_seed = seed
    for key, value in (parameters or {}).items():
        setattr(solver.parameters, key, value)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None
    return status, Incumbent.of(solver)


def repair_previous(roster_model: RosterModel, seconds: float, workers: int) -> Incumbent | None:
    """The previous roster re-solved only around the cells it can no longer keep.

    Freed first: every cell of the staff members whose previous cells are now on leave or
    locked otherwise; everything else stays as it was. Where they alone cannot mend it (a hard
    coverage floor the sick member met), those days are freed for everyone too, then two days
    either side, then seven, then the whole period, until a roster is found or the time runs
    out. (Freeing the days around at once made a sick call on a team of 120 a search of 10,000
    cells that ran out of its time.)
    """
    problem = roster_model.problem
    previous = problem.previous or {}
    locked = {(c.staff_id, c.day): c.shift for c in problem.locked}
    disturbed = [
        cell
        for cell in set(previous) | set(locked)
        if _cannot_keep(cell, previous.get(cell), locked, roster_model.x)
    ]
    if not disturbed:
        disturbed = [(m.id, 0) for m in problem.staff[:1]]
    staff_ids = {staff_id for staff_id, _ in disturbed}
    days = {day for _, day in disturbed}
    margins = (None, 0, 2, 7, problem.num_days)
    return mend(roster_model, previous, staff_ids, days, margins, seconds, workers)


def mend(
    roster_model: RosterModel,
    roster: dict[tuple[str, int], str],
    staff_ids: set[str],
    days: set[int],
    margins: tuple[int | None, ...],
    seconds: float,
    workers: int,
) -> Incumbent | None:
    """``roster`` re-solved with only the cells of ``staff_ids`` and, for everyone, the days
    within each margin of ``days`` freed (None: no days), margin after margin until a roster
    keeping every rule is found (None if none is in ``seconds``)."""
    deadline = time.monotonic() + seconds
    for margin in margins:
        around = set()
        if margin is not None:
            around = {d + k for d in days for k in range(-margin, margin + 1)}
        fixed = {
            var.Index(): int(roster.get((staff_id, day)) == code)
            for (staff_id, day, code), var in roster_model.x.items()
            if staff_id not in staff_ids and day not in around
        }
        mended = solve_with_fixed(roster_model, fixed, deadline - time.monotonic(), workers)
        if mended is not None:
            return mended
        if time.monotonic() >= deadline:
            break
    return None


def _cannot_keep(cell, previous_shift, locked, x) -> bool:
    """The previous content of a cell is now ruled out: locked otherwise, or no longer possible
    (leave, contract) for the shift it held."""
    if cell in locked and locked[cell] != previous_shift:
        return True
    return previous_shift is not None and (*cell, previous_shift) not in x
