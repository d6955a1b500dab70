"""Column generation over each staff member's whole rosters: a strong lower bound and a start.

Coverage is the only part of the roster problem that staff members share. The master linear
program mixes, for each member, whole rosters of that member ("columns") and pays for each
coverage row's shortfall and excess. A member's pricing problem is the member's own part of the
roster problem (every hard rule, the member's own preferences) with the coverage rows' dual values
as rewards for the cells worked. A state program solves it in a millisecond or so (``pricing``);
where that cannot prove its roster optimal (tight limits per shift type), the member's part of the
roster model, solved by CP-SAT, does.

The master's optimum is the relaxation over the rosters each member can actually work. The
roster model's own linear relaxation misses the shortfall that the run, weekend and workload rules
force together (on the Curtois-Qu instances it bounds the objective near 0 where the best rosters
cost over 1,000); this one lies within a few per cent of them. The rosters it mixes also show where
good rosters lie: the whole model restricted to their cells finds one in seconds.
"""

from __future__ import annotations

import math
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from scipy import sparse

from .model import RosterModel, build_model
from .neighbourhood import Incumbent, clone_with_fixed, improve, solve_with_fixed
from .pricing import PricedRoster, RosterPricer
from .problem import RosterProblem, StaffMember

Cell = tuple[str, int, str]  # staff id, day, shift code
# A shortfall below a hard coverage floor costs this much in the master: it stays feasible from
# the first columns on, and the floors hold once columns that meet them are found.
FLOOR_WEIGHT = 1_000_000
# Longest single pricing solve: a member's month solves in milliseconds, a quarter in tenths.
PRICING_SECONDS = 2.0
# Dual values are smoothed towards those of the best bound so far (Wentges): far fewer rounds.
SMOOTHING = 0.5
TOLERANCE = 1e-6
# Pricing rounds after each fixing of the dive by columns, at most.
DIVE_ROUNDS = 3
# Each fixing of the dive by columns fixes the heaviest columns of one in this many free members.
DIVE_FIX_SHARE = 5
# The dive by cells prices every member after each forcing until no column improves the mix,
# for this many rounds at most; it forces the cells the mix works at least ``FORCE_AT`` and of
# the others the ``FORCE_SHARE`` worked most.
CELL_DIVE_ROUNDS = 20
FORCE_AT = 0.99
FORCE_SHARE = 0.05
# Near-optimal rosters for the restricted search: each member priced this many times more at
# the final duals with its rewards scaled at random by up to ``NEAR_JITTER`` either way.
NEAR_TRIES = 8
NEAR_JITTER = 0.2
# While the bound is still below this share of the master's optimum (far from the optimal
# duals), each member priced by the program also offers this many such jittered rosters a round:
# over a long period the mix then improves in far fewer rounds (Curtois-Qu Instance19, 40 staff
# over 84 days: after 24 s the master at 3,247-3,275 and the bound 2,125-2,414 against 3,433 and
# 1,083; shorter periods leave the phase within a few rounds). More a round cost more than they
# gain (Instance13: converged in 69 s with three against 45-55 s).
HEADING_IN = 0.5
JITTERED_PER_ROUND = 1  # ``ColumnGeneration.heading_in_tries``


class MasterError(RuntimeError):
    """GLOP found no optimum of the master. It always has one (every row has slacks), but
    re-solving from the last basis after many bound changes has, rarely, ended ABNORMAL."""


@dataclass(frozen=True)
class Column:
    staff_id: str
    cells: frozenset[tuple[int, str]]  # (day, shift code) worked
    cost: float  # the member's own objective terms: preferences, soft minima


@dataclass
class ColumnBound:
    """What the column generation proved and found, when it stopped."""

    bound: float = -math.inf  # proven lower bound on the roster objective
    lp_objective: float = math.inf
    converged: bool = False
    rounds: int = 0
    # Cells worked in a column the final master mixes in: where the restricted search looks.
    support: set[Cell] = field(default_factory=set)

    def integer_bound(self) -> int | None:
        """The bound rounded up: every weight is a whole number."""
        if self.bound == -math.inf:
            return None
        return math.ceil(self.bound - TOLERANCE)


class ColumnGeneration:
    """The master and one pricing model per member, kept between the bound and the dive.

    The objective must split by member apart from coverage: no team-wide fairness term and no
    repair (the solver only calls it where staff-by-staff search applies, for the same reason).
    """

    def __init__(self, problem: RosterProblem, workers: int = 1, program: bool = True) -> None:
        """``program`` False prices every member by CP-SAT alone (see ``_Pricer``)."""
        self.master = _Master(problem)
        self.pricers = {m.id: _Pricer(problem, m, self.master, program) for m in problem.staff}
        self.workers = max(1, workers)
        # Wall time of one member's pricing in the last round (all workers pricing at once).
        self.seconds_per_pricing = 0.0
        self.converged = False  # the last ``bound`` proved the master's optimum
        self.heading_in_tries = JITTERED_PER_ROUND

    def bound(self, deadline: float) -> ColumnBound | None:
        """Generate columns until the master's bound is proven (or ``deadline``); None when
        some member has no roster within the hard rules (the diagnosis then explains why) or
        none was found in time."""
        pricers = list(self.pricers.values())
        with ThreadPoolExecutor(self.workers) as pool:
            first = _price_all(pool, pricers, self.master.opening_duals(), deadline)
            if any(price is None for price in first):
                return None
            for price in first:
                self.master.add(price.column)
            result = self._iterate(pool, pricers, deadline)
        self.converged = result.converged
        return result

    def _iterate(self, pool, pricers: list[_Pricer], deadline: float) -> ColumnBound:
        master = self.master
        result = ColumnBound()
        best_duals: list[float] | None = None
        smoothing = SMOOTHING
        tries = 0  # jittered rosters each member offers this round besides its best
        while time.monotonic() < deadline:
            result.rounds += 1
            try:
                result.lp_objective, duals, member_duals = master.solve()
            except MasterError:
                break  # the bound of the rounds before stands
            priced_at, priced_members = duals, member_duals
            if best_duals is not None and smoothing > 0:
                priced_at = [
                    smoothing * b + (1 - smoothing) * d
                    for b, d in zip(best_duals, duals, strict=True)
                ]
                priced_members = None  # the smoothed duals' own are not known
            prices = self._price_timed(pool, pricers, priced_at, deadline, priced_members, tries)
            if any(price is None for price in prices):
                break  # out of time mid-round: no bound from this round
            bound = master.lagrangian(priced_at, sum(price.lower for price in prices))
            if bound > result.bound:
                result.bound, best_duals = bound, priced_at
            added = master.add_improving(prices, duals, member_duals)
            if _proven(result) or (added == 0 and smoothing == 0):
                result.converged = True
                break
            # No column from smoothed duals is a mispricing: price at the master's own next.
            smoothing = SMOOTHING if added else 0
            heading_in = result.bound < HEADING_IN * result.lp_objective
            tries = self.heading_in_tries if heading_in else 0
        result.support = master.support()
        return result

    def near_optimal(self, deadline: float, seed: int = 0) -> set[Cell]:
        """Cells of other rosters each member could work at little more reduced cost: the
        member's state program solved again at the master's duals with each reward scaled at
        random. Converged generation mixes a column or two per member, and pricing by the
        program offers only its optimum, fewer rosters than the restricted search needs to
        combine well (CP-SAT pricing offers every roster its search meets). Members priced by
        CP-SAT give none."""
        if time.monotonic() >= deadline:
            return set()  # off (no time given): no need to solve the master again
        try:
            _, duals, _ = self.master.solve()
        except MasterError:
            return set()
        rng = np.random.default_rng(seed)
        cells: set[Cell] = set()
        for pricer in self.pricers.values():
            for _ in range(NEAR_TRIES if pricer.program is not None else 0):
                if time.monotonic() >= deadline:
                    return cells
                column = pricer.jittered(duals, rng)
                if column is not None:
                    cells |= {(pricer.member.id, day, code) for day, code in column.cells}
        return cells

    def dive(self, deadline: float) -> dict[tuple[str, int], str]:
        """A roster of one column per member, by cells where the bound converged, else by
        columns. The last use of this generation: forced cells stay in its pricers.

        Forcing cells leaves each member the columns that work them, so the master can still
        mix the member's rosters around them; on Curtois-Qu Instance12 the dive by cells gives
        4040, the optimum, where the dive by columns gives 4914. It re-converges after each
        forcing, which an unconverged generation has no time for (Instance15, 45 members over
        six weeks: its first step did not end in the time).
        """
        if self.converged:
            return self._dive_by_cells(deadline)
        return self._dive_by_columns(deadline)

    def _dive_by_cells(self, deadline: float) -> dict[tuple[str, int], str]:
        """Each step prices every member until no column improves the mix, then forces cells
        of each member's heaviest column (``_Master.cells_to_force``), until every member's mix
        is a single column. Once ``deadline`` passes, each member takes the heaviest column of
        its last mix."""
        with ThreadPoolExecutor(self.workers) as pool:
            step_started = time.monotonic()
            while self._reprice(pool, {}, deadline, CELL_DIVE_ROUNDS):
                # Steps as long as this one must force every cell left before the deadline.
                now = time.monotonic()
                pace = (now - step_started) / max(deadline - now, TOLERANCE)
                step_started = now
                cells = self.master.cells_to_force(pace)
                if not cells:
                    break
                for staff_id, day, code in cells:
                    self.pricers[staff_id].force(day, code)
                self.master.force(cells)
        return _roster_of(self.master.heaviest({}))

    def _dive_by_columns(self, deadline: float) -> dict[tuple[str, int], str]:
        """Each step prices the members still free at the master's duals until no column
        improves the mix (three rounds at most), then fixes every free member whose mix is a
        single column, or else the heaviest columns of a fifth of the free members' mixes. The
        pace follows the time left (``_pace``). Once ``deadline`` passes, every member still
        free takes the heaviest column of its last mix: a roster always comes back, and the
        restricted search sees its cells.
        """
        fixed: dict[str, Column] = {}
        with ThreadPoolExecutor(self.workers) as pool:
            while len(fixed) < len(self.pricers):
                rounds, share = self._pace(len(self.pricers) - len(fixed), deadline)
                in_time = self._reprice(pool, fixed, deadline, rounds)
                chosen = (
                    self.master.to_fix(fixed, share) if in_time else self.master.heaviest(fixed)
                )
                for column in chosen:
                    self.master.fix(column)
                    fixed[column.staff_id] = column
        return _roster_of(fixed.values())

    def _pace(self, free: int, deadline: float) -> tuple[int, float]:
        """Pricing rounds per step and the share of free members fixed at each: three rounds
        and a fifth while the time left allows, else one round and as large a share as it takes
        to finish in time (a dive cut short fixes every member still free at once, and its
        roster is far worse: Curtois-Qu Instance15, 45 members, 8470 against 6376)."""
        left = deadline - time.monotonic()
        # Fixing a fifth at a time, the members still free are priced about five times over.
        pricings = self.seconds_per_pricing * free * DIVE_FIX_SHARE
        if pricings * DIVE_ROUNDS <= left:
            return DIVE_ROUNDS, 1 / DIVE_FIX_SHARE
        share = self.seconds_per_pricing * free / max(left, TOLERANCE)
        return 1, min(1.0, max(1 / DIVE_FIX_SHARE, share))

    def _reprice(self, pool, fixed: dict[str, Column], deadline: float, rounds: int) -> bool:
        """Price the members not ``fixed`` for up to ``rounds`` rounds, until no column improves
        the mix; False where the dive must end now (out of time, or the master failed: each
        member's last mix still stands)."""
        free = [pricer for staff_id, pricer in self.pricers.items() if staff_id not in fixed]
        try:
            for _ in range(rounds):
                _, duals, member_duals = self.master.solve()
                prices = self._price_timed(pool, free, duals, deadline, member_duals)
                if any(price is None for price in prices):
                    return False
                if not self.master.add_improving(prices, duals, member_duals):
                    return True
            self.master.solve()
        except MasterError:
            return False
        return time.monotonic() < deadline

    def _price_timed(
        self,
        pool,
        pricers: list[_Pricer],
        duals: list[float],
        deadline: float,
        member_duals: dict[str, float] | None = None,
        tries: int = 0,
    ) -> list[_Price | None]:
        """``_price_all``, keeping the time one member's pricing takes (the dive's pace)."""
        started = time.monotonic()
        prices = _price_all(pool, pricers, duals, deadline, member_duals, tries)
        self.seconds_per_pricing = (time.monotonic() - started) / max(1, len(pricers))
        return prices


def _roster_of(columns: Iterable[Column]) -> dict[tuple[str, int], str]:
    """The roster of one column per member: (staff id, day) -> shift code."""
    return {(column.staff_id, day): code for column in columns for day, code in column.cells}


def _price_all(
    pool,
    pricers,
    duals: list[float],
    deadline: float,
    member_duals: dict[str, float] | None = None,
    tries: int = 0,
) -> list[_Price | None]:
    """Each pricer's best column, with up to ``tries`` jittered others where its program prices
    it; ``member_duals`` (each member's convexity dual) lets a pricer stop at the first column
    that improves the master."""
    member_duals = member_duals or {}

    def price(pricer: _Pricer) -> _Price | None:
        best = pricer.price(duals, deadline, member_duals.get(pricer.member.id, math.inf))
        return pricer.with_jittered(best, duals, tries) if tries else best

    return list(pool.map(price, pricers))


def _proven(result: ColumnBound) -> bool:
    """Another round cannot raise the whole-number bound past the master's own optimum."""
    rounded = result.integer_bound()
    return rounded is not None and rounded >= math.ceil(result.lp_objective - TOLERANCE)


@dataclass
class _Price:
    column: Column  # the best roster found
    lower: float  # proven lower bound on the pricing objective
    # The other rosters the search met on its way to ``column``: offered to the master too.
    others: list[Column] = field(default_factory=list)

    def columns(self) -> list[Column]:
        return [self.column, *self.others]


class _Rosters(cp_model.CpSolverSolutionCallback):
    """Collects the cells worked of every roster the pricing search finds."""

    def __init__(self, staff_id: str, roster_model: RosterModel, own_cost) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.x = roster_model.x
        self.own_cost = own_cost
        self.found: list[Column] = []

    def on_solution_callback(self) -> None:
        cells = frozenset(
            (day, code) for (_, day, code), var in self.x.items() if self.boolean_value(var)
        )
        self.found.append(Column(self.staff_id, cells, float(self.value(self.own_cost))))


class _Pricer:
    """One member's best roster under each round's rewards: by the member's state program
    (milliseconds), or where that cannot prove its roster optimal by the member's part of the
    roster model, solved again with each round's objective."""

    def __init__(
        self, problem: RosterProblem, member: StaffMember, master: _Master, program: bool = True
    ) -> None:
        own = problem.of_member(member)
        self.problem, self.master, self.member = problem, master, member
        self.program = RosterPricer(own, member) if program else None
        self.roster_model = build_model(own)
        self.own_cost = self.roster_model.total_objective()
        self.keys = list(self.roster_model.x)
        self.rows = [master.rows_for(member, day, code) for _, day, code in self.keys]
        self._reward_matrix(len(master.rows))
        self.solver = cp_model.CpSolver()
        self.solver.parameters.num_workers = 1
        # The same small model is solved again each round with only its objective changed:
        # presolving it every time costs more than it saves (a third of the time on a month).
        self.solver.parameters.cp_model_presolve = False
        variables = self.roster_model.model.proto.variables
        self.rule_domains = {
            var.Index(): tuple(variables[var.Index()].domain)
            for var in self.roster_model.x.values()
        }
        # Whether the last pricing that found no roster proved there is none (rather than
        # running out of time): a branch whose decisions leave a member no roster is empty.
        self.proven_empty = False
        # Each pricer its own stream of jitter: pricers run on several threads at once.
        self.rng = np.random.default_rng(zlib.crc32(member.id.encode()))

    def with_program(self) -> _Pricer:
        """The same member's pricer, by the state program first."""
        return _Pricer(self.problem, self.member, self.master, program=True)

    def force(self, day: int, code: str) -> None:
        """Only rosters working ``code`` on ``day`` from now on (a dive's forcing)."""
        if self.program is not None:
            self.program.force(day, code)
        self._set_domain(day, code, 1)

    def forbid(self, day: int, code: str) -> None:
        """Only rosters not working ``code`` on ``day`` from now on."""
        if self.program is not None:
            self.program.forbid(day, code)
        self._set_domain(day, code, 0)

    def restrict(
        self, forced: Iterable[tuple[int, str]], forbidden: Iterable[tuple[int, str]]
    ) -> None:
        """Only rosters working every ``forced`` cell and no ``forbidden`` one, whatever was
        forced before."""
        if self.program is not None:
            self.program.release()
        variables = self.roster_model.model.proto.variables
        for index, (lower, upper) in self.rule_domains.items():
            variables[index].domain[0], variables[index].domain[1] = lower, upper
        for day, code in forced:
            self.force(day, code)
        for day, code in forbidden:
            self.forbid(day, code)

    def _set_domain(self, day: int, code: str, value: int) -> None:
        index = self.roster_model.x[self.member.id, day, code].Index()
        domain = self.roster_model.model.proto.variables[index].domain
        domain[0] = domain[1] = value

    def _reward_matrix(self, num_rows: int) -> None:
        """Each shift variable's coverage rows, as a sparse matrix: its rewards in one product;
        and, for the state program, each variable's day and shift position."""
        pairs = [(k, r) for k, rows in enumerate(self.rows) for r in rows]
        self.incidence = sparse.csr_matrix(
            (np.ones(len(pairs)), ([k for k, _ in pairs], [r for _, r in pairs])),
            shape=(len(self.keys), num_rows),
        )
        if self.program is not None:
            position = {code: s for s, code in enumerate(self.program.codes)}
            self.key_days = np.array([day for _, day, _ in self.keys], dtype=int)
            self.key_shifts = np.array([position[code] for _, _, code in self.keys], dtype=int)

    def _rewards(self, duals: list[float]) -> np.ndarray:
        """Each shift variable's reward: the duals of the coverage rows it counts for."""
        return self.incidence @ np.asarray(duals)

    def price(
        self, duals: list[float], deadline: float, member_dual: float = math.inf
    ) -> _Price | None:
        """The member's roster of least reduced cost (None when none was found in time, or the
        member has none within the rules). ``member_dual`` is the member's convexity dual: a
        roster whose objective is below it improves the master and is enough."""
        self.proven_empty = False
        if time.monotonic() >= deadline:
            return None
        if self.program is None:
            return self._solve(duals, deadline)
        rewards = self._program_rewards(self._rewards(duals))
        priced = self.program.best(rewards, enough=member_dual - TOLERANCE)
        if priced is None:
            self.proven_empty = True
            return None
        improving = priced.objective < member_dual - TOLERANCE
        proven = priced.objective <= priced.lower + TOLERANCE or priced.lower >= member_dual
        if priced.within_limits and (improving or proven):
            return _Price(self._column_of(priced), priced.lower)
        exact = self._solve(duals, deadline)
        if exact is not None:
            exact.lower = max(exact.lower, priced.lower)
        return exact

    def jittered(self, duals: list[float], rng: np.random.Generator) -> Column | None:
        """The member's best roster within its rules under ``duals``' rewards each scaled by a
        random factor near 1 (None if the program has none within the limits per type)."""
        assert self.program is not None, "only members priced by the state program"
        scale = rng.uniform(1 - NEAR_JITTER, 1 + NEAR_JITTER, size=len(self.keys))
        priced = self.program.best(self._program_rewards(self._rewards(duals) * scale))
        if priced is None or not priced.within_limits:
            return None
        return self._column_of(priced)

    def _program_rewards(self, rewards: np.ndarray) -> np.ndarray:
        """Each shift variable's reward laid out as the state program reads them: by day and
        shift position (0 where the member may not work that shift)."""
        assert self.program is not None
        by_day = np.zeros((self.program.days, len(self.program.codes)))
        by_day[self.key_days, self.key_shifts] = rewards
        return by_day

    def _column_of(self, priced: PricedRoster) -> Column:
        return Column(self.member.id, frozenset(priced.cells.items()), priced.cost)

    def with_jittered(self, price: _Price | None, duals: list[float], tries: int) -> _Price | None:
        """``price`` offering up to ``tries`` other rosters besides: the member's optima under
        jittered rewards, each different from the rest."""
        if price is None or self.program is None:
            return price
        offered = {column.cells for column in price.columns()}
        for _ in range(tries):
            column = self.jittered(duals, self.rng)
            if column is not None and column.cells not in offered:
                offered.add(column.cells)
                price.others.append(column)
        return price

    def _solve(self, duals: list[float], deadline: float) -> _Price | None:
        """The member's part of the roster model under the rewards of ``duals``."""
        rewards = self._rewards(duals).tolist()
        variables = [self.roster_model.x[key] for key in self.keys]
        model = self.roster_model.model
        model.minimize(self.own_cost - cp_model.LinearExpr.weighted_sum(variables, rewards))
        self.solver.parameters.max_time_in_seconds = min(
            PRICING_SECONDS, deadline - time.monotonic()
        )
        if self.solver.parameters.max_time_in_seconds <= 0:
            return None
        rosters = _Rosters(self.member.id, self.roster_model, self.own_cost)
        status = self.solver.solve(model, rosters)
        self.proven_empty = status == cp_model.INFEASIBLE
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not rosters.found:
            return None
        *others, column = rosters.found
        # CP-SAT scales a fractional objective to whole numbers: its bound is kept a hair lower.
        return _Price(column, self.solver.best_objective_bound - 1e-3, others)


class _Master:
    """The master linear program: each member's mix of columns, and every coverage row with its
    shortfall and excess. GLOP re-solves it from the last basis as columns are added."""

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        self.members = {member.id: member for member in problem.staff}
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        # Presolve would hide the last basis from each re-solve after columns are added.
        self.lp.SetSolverSpecificParametersAsString("use_preprocessing: false")
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        self.by_cell: dict[tuple[int, str], list[tuple[int, str | None]]] = defaultdict(list)
        self.rows = [self._row(index, row) for index, row in enumerate(problem.coverage)]
        self.convexity = {member.id: self.lp.Constraint(1, 1) for member in problem.staff}
        self.columns: dict[str, list[tuple[Column, pywraplp.Variable]]] = {
            member.id: [] for member in problem.staff
        }
        # Each member's columns of positive weight in the last optimum, with their weights.
        self.mixed: dict[str, list[tuple[Column, float]]] = {}
        # Each member's cells forced (by a dive or a branch) and forbidden (by a branch): only
        # columns working every forced cell and no forbidden one may be mixed.
        self.forced: dict[str, set[tuple[int, str]]] = {
            member.id: set() for member in problem.staff
        }
        self.forbidden: dict[str, set[tuple[int, str]]] = {
            member.id: set() for member in problem.staff
        }
        # The columns each member may still mix: only theirs are read after each solve.
        self.allowed: dict[str, list[tuple[Column, pywraplp.Variable]]] = {
            member.id: [] for member in problem.staff
        }

    def _row(self, index: int, row) -> pywraplp.Constraint:
        self.by_cell[row.day, row.shift].append((index, row.skill))
        constraint = self.lp.Constraint(row.required, row.required)
        slacks = [(row.required - row.minimum, 1, row.under_weight)]
        if row.minimum > 0:
            slacks.append((row.minimum, 1, FLOOR_WEIGHT))
        slacks.append((self.lp.infinity(), -1, row.over_weight))
        for upper, sign, weight in slacks:
            slack = self.lp.NumVar(0, upper, "")
            constraint.SetCoefficient(slack, sign)
            self.objective.SetCoefficient(slack, weight)
        return constraint

    def rows_for(self, member: StaffMember, day: int, code: str) -> list[int]:
        """The coverage rows a member's shift on a day counts for."""
        return [
            index
            for index, skill in self.by_cell.get((day, code), ())
            if skill is None or skill in member.skills
        ]

    def opening_duals(self) -> list[float]:
        """Rewards for the first columns: each row worth half its shortfall weight."""
        return [row.under_weight / 2 for row in self.problem.coverage]

    def _column_rows(self, column: Column) -> list[int]:
        member = self.members[column.staff_id]
        return [r for day, code in column.cells for r in self.rows_for(member, day, code)]

    def add(self, column: Column) -> None:
        weight = self.lp.NumVar(0, self.lp.infinity(), "")
        self.objective.SetCoefficient(weight, column.cost)
        self.convexity[column.staff_id].SetCoefficient(weight, 1)
        for index in self._column_rows(column):
            self.rows[index].SetCoefficient(weight, 1)
        if self._allows(column):
            self.allowed[column.staff_id].append((column, weight))
        else:
            weight.SetBounds(0, 0)
        self.columns[column.staff_id].append((column, weight))

    def add_improving(self, prices: list[_Price], duals: list[float], member_duals) -> int:
        """Add each priced column of negative reduced cost; how many were added."""
        added = 0
        for price in prices:
            for column in price.columns():
                if self.reduced_cost(column, duals, member_duals) < -TOLERANCE:
                    self.add(column)
                    added += 1
        return added

    def to_fix(self, fixed: dict[str, Column], share: float) -> list[Column]:
        """Every free member's column of the mix that is already whole, or else the heaviest
        columns of ``share`` of the free members'."""
        heaviest = self._heaviest_pairs(fixed)
        whole = [column for column, weight in heaviest if weight > 1 - TOLERANCE]
        if whole:
            return whole
        return [column for column, _ in heaviest[: max(1, math.floor(len(heaviest) * share))]]

    def heaviest(self, fixed: dict[str, Column]) -> list[Column]:
        """Each free member's heaviest column in the last optimum."""
        return [column for column, _ in self._heaviest_pairs(fixed)]

    def _heaviest_pairs(self, fixed: dict[str, Column]) -> list[tuple[Column, float]]:
        """Each free member's heaviest column in the last optimum with its weight, heaviest
        first."""
        return sorted(
            (
                max(mix, key=lambda pair: pair[1])
                for sid, mix in self.mixed.items()
                if sid not in fixed
            ),
            key=lambda pair: -pair[1],
        )

    def cells_to_force(self, pace: float = 0.0) -> list[Cell]:
        """Cells of each member's heaviest column not yet forced: every one the member's mix
        works at least ``FORCE_AT``, and of the others the ``FORCE_SHARE`` (at least one, and
        at least ``pace`` of all these cells) it works most. None once every member's mix is a
        single column.

        Taken from one column, a member's forced cells always leave it a roster: that column.
        """
        if all(len(mix) == 1 for mix in self.mixed.values()):
            return []
        candidates: list[tuple[float, Cell]] = []
        for staff_id, mix in self.mixed.items():
            worked = self.worked_shares(staff_id)
            heaviest = max(mix, key=lambda pair: pair[1])[0]
            candidates += [
                (worked[day, code], (staff_id, day, code))
                for day, code in heaviest.cells
                if (day, code) not in self.forced[staff_id]
            ]
        sure = [cell for value, cell in candidates if value >= FORCE_AT]
        rest = sorted(((v, cell) for v, cell in candidates if v < FORCE_AT), reverse=True)
        count = max(
            1, math.floor(len(rest) * FORCE_SHARE), math.ceil(len(candidates) * pace) - len(sure)
        )
        return sure + [cell for _, cell in rest[:count]]

    def worked_shares(self, staff_id: str) -> dict[tuple[int, str], float]:
        """How much of each (day, shift) cell the member's mix in the last optimum works."""
        worked: dict[tuple[int, str], float] = defaultdict(float)
        for column, weight in self.mixed[staff_id]:
            for cell in column.cells:
                worked[cell] += weight
        return worked

    def force(self, cells: list[Cell]) -> None:
        """Only columns working ``cells`` from now on (each member keeps its heaviest)."""
        for staff_id, day, code in cells:
            self.forced[staff_id].add((day, code))
        for staff_id in {staff_id for staff_id, _, _ in cells}:
            self._reallow(staff_id)

    def restrict(
        self, staff_id: str, forced: set[tuple[int, str]], forbidden: set[tuple[int, str]]
    ) -> None:
        """Only the member's columns working every ``forced`` cell and no ``forbidden`` one,
        whatever was forced or fixed before."""
        self.forced[staff_id] = set(forced)
        self.forbidden[staff_id] = set(forbidden)
        self._reallow(staff_id)

    def _reallow(self, staff_id: str) -> None:
        allowed = []
        for column, weight in self.columns[staff_id]:
            if self._allows(column):
                weight.SetBounds(0, self.lp.infinity())
                allowed.append((column, weight))
            else:
                weight.SetBounds(0, 0)
        self.allowed[staff_id] = allowed

    def _allows(self, column: Column) -> bool:
        forbidden = self.forbidden[column.staff_id]
        return self.forced[column.staff_id] <= column.cells and not forbidden & column.cells

    def fix(self, chosen: Column) -> None:
        for column, weight in self.columns[chosen.staff_id]:
            if column is chosen:
                weight.SetBounds(1, 1)
            else:
                weight.SetBounds(0, 0)
        self.allowed[chosen.staff_id] = [
            pair for pair in self.columns[chosen.staff_id] if pair[0] is chosen
        ]

    def solve(self) -> tuple[float, list[float], dict[str, float]]:
        """The master's optimum, the coverage rows' duals and each member's."""
        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise MasterError(f"the master linear program has no optimum (GLOP status {status})")
        # Read now: adding a column invalidates the solution.
        self.mixed = {
            staff_id: [
                (column, value)
                for column, weight in pairs
                if (value := weight.solution_value()) > TOLERANCE
            ]
            for staff_id, pairs in self.allowed.items()
        }
        duals = [row.dual_value() for row in self.rows]
        member_duals = {sid: row.dual_value() for sid, row in self.convexity.items()}
        return self.objective.Value(), duals, member_duals

    def cost_of(self, roster: list[Column]) -> float:
        """The objective of one column per member (infinite where it leaves a hard coverage
        floor short)."""
        counts = np.zeros(len(self.rows))
        for column in roster:
            np.add.at(counts, self._column_rows(column), 1)
        total = sum(column.cost for column in roster)
        for count, row in zip(counts, self.problem.coverage, strict=True):
            if count < row.minimum:
                return math.inf
            total += row.under_weight * max(0, row.required - count)
            total += row.over_weight * max(0, count - row.required)
        return total

    def reduced_cost(self, column: Column, duals: list[float], member_duals) -> float:
        covered = sum(duals[index] for index in self._column_rows(column))
        return column.cost - covered - member_duals[column.staff_id]

    def lagrangian(self, duals: list[float], pricing_total: float) -> float:
        """The Lagrangian bound at ``duals``: each member's cheapest roster under them (their
        proven lower bounds summed in ``pricing_total``) plus the rows' own terms."""
        total = pricing_total
        for row, dual in zip(self.problem.coverage, duals, strict=True):
            if dual < -row.over_weight - TOLERANCE:
                return -math.inf
            total += dual * row.required
            total += min(0.0, row.under_weight - dual) * (row.required - row.minimum)
            total += min(0.0, FLOOR_WEIGHT - dual) * row.minimum
        return total

    def support(self) -> set[Cell]:
        return {
            (column.staff_id, day, code)
            for mix in self.mixed.values()
            for column, _ in mix
            for day, code in column.cells
        }


def solve_within(
    roster_model: RosterModel, cells: set[Cell], seconds: float, workers: int, seed: int
) -> Incumbent | None:
    """The whole model with every shift outside ``cells`` ruled out: a far smaller search."""
    return solve_with_fixed(roster_model, _ruled_out(roster_model, cells), seconds, workers, seed)


def improve_within(
    roster_model: RosterModel,
    cells: set[Cell],
    start: Incumbent,
    deadline: float,
    workers: int,
    seed: int,
    on_improvement: Callable[[Incumbent], None],
    floor: int | None,
) -> Incumbent:
    """``start`` bettered by the neighbourhood search on the model with every shift outside
    ``cells`` ruled out: its neighbourhoods are solved far faster there."""
    restricted = clone_with_fixed(roster_model, _ruled_out(roster_model, cells))
    return improve(
        replace(roster_model, model=restricted),
        start,
        deadline,
        workers,
        seed,
        on_improvement,
        floor=-math.inf if floor is None else floor,
    )


def _ruled_out(roster_model: RosterModel, cells: set[Cell]) -> dict[int, int]:
    """Every shift variable outside ``cells``, fixed to 0."""
    return {var.Index(): 0 for key, var in roster_model.x.items() if key not in cells}
