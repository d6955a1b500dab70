"""The one CP-SAT model of a roster, used by the app, the repair, the diagnosis and the benchmark.

With ``diagnostic=True`` every relaxable hard rule is switched on by an assumption literal, so an
infeasible problem can be traced back to the rules that conflict; otherwise the rules are posted
unconditionally (a stronger model).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .problem import RosterProblem, StaffMember

LinearTerm = cp_model.LinearExprT


@dataclass(frozen=True)
class Shortfall:
    """A coverage row someone can work, with the variable counting its missing people."""

    day: int
    shift: str
    skill: str | None
    variable: cp_model.IntVar


@dataclass
class RosterModel:
    problem: RosterProblem
    model: cp_model.CpModel
    # x[(staff_id, day, shift_code)] = 1 when that shift is worked.
    x: dict[tuple[str, int, str], cp_model.IntVar]
    works: dict[tuple[str, int], LinearTerm]
    objective_parts: dict[str, list[LinearTerm]]
    # Assumption literal -> description of the hard rule it switches on (diagnostic mode only).
    rule_literals: dict[int, tuple[cp_model.IntVar, str]] = field(default_factory=dict)
    shortfalls: list[Shortfall] = field(default_factory=list)

    def objective_expr(self, name: str) -> LinearTerm:
        return cp_model.LinearExpr.sum(self.objective_parts.get(name, []))

    def total_objective(self) -> LinearTerm:
        return cp_model.LinearExpr.sum([self.objective_expr(part) for part in self.objective_parts])


class _Builder:
    def __init__(self, problem: RosterProblem, diagnostic: bool) -> None:
        self.p = problem
        self.diagnostic = diagnostic
        self.m = cp_model.CpModel()
        self.shifts = problem.shift_by_code()
        self.x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.by_staff: dict[str, list[tuple[int, str, cp_model.IntVar]]] = defaultdict(list)
        self.works: dict[tuple[str, int], LinearTerm] = {}
        self.parts: dict[str, list[LinearTerm]] = defaultdict(list)
        self.rules: dict[int, tuple[cp_model.IntVar, str]] = {}
        self.weekend_cache: dict[str, list] = {}
        self.shortfalls: list[Shortfall] = []

    # -- rule switches -------------------------------------------------------------------------
    def rule(self, description: str) -> list[cp_model.IntVar]:
        """Enforcement literals for one hard rule: none outside the diagnostic mode."""
        if not self.diagnostic:
            return []
        literal = self.m.new_bool_var(description)
        self.rules[literal.Index()] = (literal, description)
        return [literal]

    def add(self, constraint_builder, enforcement: list[cp_model.IntVar]) -> None:
        constraint = constraint_builder()
        if enforcement:
            constraint.only_enforce_if(enforcement)

    def clause(self, literals: list, enforcement: list[cp_model.IntVar]) -> None:
        self.m.add_bool_or(literals + [lit.Not() for lit in enforcement])

    # -- variables -----------------------------------------------------------------------------
    def build_variables(self) -> None:
        leave_cleared = not self.diagnostic
        for member in self.p.staff:
            for day in range(self.p.num_days):
                if leave_cleared and (member.id, day) in self.p.leave:
                    self.works[member.id, day] = 0
                    continue
                cell = []
                for shift in self.p.shift_types:
                    if self.p.may_work(member, shift):
                        var = self.m.new_bool_var("")  # unnamed: large models build faster
                        self.x[member.id, day, shift.code] = var
                        self.by_staff[member.id].append((day, shift.code, var))
                        cell.append(var)
                self.works[member.id, day] = self._one_shift_a_day(cell)

    def _one_shift_a_day(self, cell: list[cp_model.IntVar]) -> LinearTerm:
        if not cell:
            return 0
        if len(cell) == 1:
            return cell[0]
        self.m.add_at_most_one(cell)
        return cp_model.LinearExpr.sum(cell)

    def shift_var(self, staff_id: str, day: int, code: str):
        return self.x.get((staff_id, day, code))

    def work_literal(self, staff_id: str, day: int):
        """A Boolean literal for 'works on day' (a new variable when the day has several shifts)."""
        expr = self.works[staff_id, day]
        if isinstance(expr, int):
            return None
        if isinstance(expr, cp_model.IntVar):
            return expr
        literal = self.m.new_bool_var(f"work[{staff_id},{day}]")
        self.m.add(literal == expr)
        self.works[staff_id, day] = literal
        return literal

    # -- hard rules per staff member -----------------------------------------------------------
    def build_staff_rules(self, member: StaffMember) -> None:
        days = range(self.p.num_days)
        for day in days:
            self.work_literal(member.id, day)
        if self.diagnostic:
            self._leave(member)
        self._rest(member)
        self._per_type_maxima(member)
        self._workload(member)
        self._max_consecutive(member)
        self._min_runs(member, member.min_consecutive_days, working=True)
        self._min_runs(member, member.min_consecutive_days_off, working=False)
        self._weekends(member)

    def _leave(self, member: StaffMember) -> None:
        for day in range(self.p.num_days):
            if (member.id, day) in self.p.leave:
                work = self.works[member.id, day]
                if not isinstance(work, int):
                    enforce = self.rule(f"leave:{member.id}:{day}")
                    self.add(lambda work=work: self.m.add(work == 0), enforce)

    def _rest(self, member: StaffMember) -> None:
        """No forbidden successor the next day. Shift types sharing the same forbidden set are
        grouped: at most one of them is worked anyway, so one constraint covers the group."""
        successors: dict[str, set[str]] = defaultdict(set)
        for first, second in self.p.forbidden_pairs():
            successors[first].add(second)
        groups: dict[frozenset[str], set[str]] = defaultdict(set)
        for first, seconds in successors.items():
            groups[frozenset(seconds)].add(first)
        if not groups:
            return
        enforce = self.rule(f"rest:{member.id}")
        by_day: dict[int, dict[str, cp_model.IntVar]] = defaultdict(dict)
        for day, code, var in self.by_staff[member.id]:
            by_day[day][code] = var
        for day in range(self.p.num_days - 1):
            today_cells, tomorrow_cells = by_day.get(day), by_day.get(day + 1)
            if not today_cells or not tomorrow_cells:
                continue
            for seconds, firsts in groups.items():
                today = [var for code, var in today_cells.items() if code in firsts]
                tomorrow = [var for code, var in tomorrow_cells.items() if code in seconds]
                if today and tomorrow:
                    self.add(lambda t=today, n=tomorrow: self.m.add_at_most_one(t + n), enforce)

    def _per_type_maxima(self, member: StaffMember) -> None:
        for code, limit in member.max_shifts_per_type.items():
            cells = [self.shift_var(member.id, d, code) for d in range(self.p.num_days)]
            cells = [var for var in cells if var is not None]
            if limit > 0 and len(cells) > limit:
                enforce = self.rule(f"max_type:{member.id}:{code}")
                self.add(
                    lambda c=cells, n=limit: self.m.add(cp_model.LinearExpr.sum(c) <= n), enforce
                )

    def minutes_expr(self, member: StaffMember) -> LinearTerm:
        cells = self.by_staff[member.id]
        return cp_model.LinearExpr.weighted_sum(
            [var for _, _, var in cells], [self.shifts[code].length_minutes for _, code, _ in cells]
        )

    def _workload(self, member: StaffMember) -> None:
        minutes = self.minutes_expr(member)
        if member.max_minutes is not None:
            enforce = self.rule(f"max_minutes:{member.id}")
            self.add(lambda: self.m.add(minutes <= member.max_minutes), enforce)
        if member.min_minutes > 0:
            if member.minima_soft:
                short = self.m.new_int_var(0, member.min_minutes, f"short[{member.id}]")
                self.m.add(short >= member.min_minutes - minutes)
                # Weighted per started hour short, keeping the weights comparable with shifts.
                hours = self.m.new_int_var(0, member.min_minutes // 60 + 1, f"hshort[{member.id}]")
                self.m.add(60 * hours >= short)
                self.parts["minima"].append(member.minimum_weight * hours)
            else:
                enforce = self.rule(f"min_minutes:{member.id}")
                self.add(lambda: self.m.add(minutes >= member.min_minutes), enforce)

    def _work_literals(self, member: StaffMember) -> list:
        return [self.work_literal(member.id, d) for d in range(self.p.num_days)]

    def _max_consecutive(self, member: StaffMember) -> None:
        limit = member.max_consecutive_days
        if limit is None or limit >= self.p.num_days:
            return
        work = self._work_literals(member)
        enforce = self.rule(f"max_consecutive:{member.id}")
        for start in range(self.p.num_days - limit):
            window = [w for w in work[start : start + limit + 1] if w is not None]
            if len(window) > limit:
                self.add(lambda win=window: self.m.add(sum(win) <= limit), enforce)

    def _min_runs(self, member: StaffMember, minimum: int, working: bool) -> None:
        """Forbid runs shorter than ``minimum`` that have a boundary on both sides.

        A run touching the first or last day of the period is left alone: its other part lies
        outside the period. For each short length and position one clause forbids the pattern
        (off, on x length, off) — or its complement for days off.
        """
        if minimum <= 1:
            return
        work = self._work_literals(member)
        name = "min_consecutive" if working else "min_days_off"
        enforce = [] if member.minima_soft else self.rule(f"{name}:{member.id}")
        for length in range(1, minimum):
            for start in range(1, self.p.num_days - length):
                pattern = [work[start - 1], *work[start : start + length], work[start + length]]
                # On a working run the boundary days are off and the run days on; a literal
                # that is fixed (None = never works) may already make the pattern impossible.
                inside = [not working] + [working] * length + [not working]
                clause = []
                impossible = False
                for literal, must_work in zip(pattern, inside, strict=True):
                    if literal is None:
                        if must_work:
                            impossible = True
                            break
                        continue
                    clause.append(literal.Not() if must_work else literal)
                if impossible:
                    continue
                if member.minima_soft:
                    violated = self.m.new_bool_var(f"{name}[{member.id},{start},{length}]")
                    self.m.add_bool_or([*clause, violated])
                    self.parts["minima"].append(member.minimum_weight * violated)
                else:
                    self.clause(clause, enforce)

    def weekend_literals(self, member: StaffMember) -> list:
        if member.id in self.weekend_cache:
            return self.weekend_cache[member.id]
        result: list = []
        self.weekend_cache[member.id] = result
        for index, days in enumerate(self.p.weekends()):
            literals = [w for w in (self.work_literal(member.id, d) for d in days) if w is not None]
            if not literals:
                continue
            if len(literals) == 1:
                result.append(literals[0])
                continue
            worked = self.m.new_bool_var(f"weekend[{member.id},{index}]")
            self.m.add_max_equality(worked, literals)
            result.append(worked)
        return result

    def _weekends(self, member: StaffMember) -> None:
        if member.max_weekends is None:
            return
        worked = self.weekend_literals(member)
        if len(worked) > member.max_weekends:
            enforce = self.rule(f"max_weekends:{member.id}")
            self.add(lambda: self.m.add(sum(worked) <= member.max_weekends), enforce)

    # -- cells fixed by the scheduler ----------------------------------------------------------
    def build_locks(self) -> None:
        for cell in self.p.locked:
            enforce = self.rule(f"lock:{cell.staff_id}:{cell.day}")
            if cell.shift is None:
                work = self.works[cell.staff_id, cell.day]
                if not isinstance(work, int):
                    self.add(lambda w=work: self.m.add(w == 0), enforce)
                continue
            var = self.shift_var(cell.staff_id, cell.day, cell.shift)
            if var is None:  # validation reports it; here it simply cannot hold
                self.add(lambda: self.m.add_bool_or([]), enforce)
            else:
                self.add(lambda v=var: self.m.add(v == 1), enforce)

    # -- coverage, preferences, repair, fairness -----------------------------------------------
    def build_coverage(self) -> None:
        skills = {m.id: m.skills for m in self.p.staff}
        for row in self.p.coverage:
            cells = [
                var
                for member in self.p.staff
                if row.skill is None or row.skill in skills[member.id]
                if (var := self.shift_var(member.id, row.day, row.shift)) is not None
            ]
            if not cells and row.minimum == 0:
                # Nobody can work it: the shortfall is a constant, no variable needed.
                self.parts["coverage_under"].append(row.under_weight * row.required)
                continue
            count = cp_model.LinearExpr.sum(cells)
            if row.minimum > 0:
                enforce = self.rule(f"cover_min:{row.day}:{row.shift}:{row.skill or ''}")
                self.add(lambda c=count, n=row.minimum: self.m.add(c >= n), enforce)
            label = f"{row.day},{row.shift},{row.skill}"
            under = self.m.new_int_var(0, row.required, f"under[{label}]")
            over = self.m.new_int_var(0, max(0, len(cells) - row.required), f"over[{label}]")
            self.m.add(count + under - over == row.required)
            self.shortfalls.append(Shortfall(row.day, row.shift, row.skill, under))
            self.parts["coverage_under"].append(row.under_weight * under)
            self.parts["coverage_over"].append(row.over_weight * over)

    def build_preferences(self) -> None:
        for pref in self.p.preferences:
            if pref.shift is None:
                var = self.work_literal(pref.staff_id, pref.day)
            else:
                var = self.shift_var(pref.staff_id, pref.day, pref.shift)
            if pref.wants:
                granted = var if var is not None else 0
                self.parts["preferences"].append(pref.weight * (1 - granted))
            elif var is not None:
                self.parts["preferences"].append(pref.weight * var)

    def build_change_penalty(self) -> None:
        previous = self.p.previous
        if previous is None:
            return
        for member in self.p.staff:
            for day in range(self.p.num_days):
                code = previous.get((member.id, day))
                if code is None:
                    work = self.works[member.id, day]
                    if not isinstance(work, int):
                        self.parts["changes"].append(self.p.change_weight * work)
                    continue
                var = self.shift_var(member.id, day, code)
                kept = var if var is not None else 0
                self.parts["changes"].append(self.p.change_weight * (1 - kept))

    def build_fairness(self) -> None:
        """Minimise the worst deviation of nights and weekends worked from the team mean.

        Counting in units of 1/n (n = team size) keeps everything integral: the deviation of one
        member is |n * own - team total|. The team total is one variable: written out in every
        member's two constraints, it made the model grow with the team size squared (a team of
        120 over four weeks: 1.8 million terms against 0.2 million, and a presolve of tens of
        seconds).
        """
        if self.p.fairness_weight <= 0 or len(self.p.staff) < 2:
            return
        night_codes = {s.code for s in self.p.shift_types if s.is_night}
        nights_by_staff = {
            m.id: [var for _, code, var in self.by_staff[m.id] if code in night_codes]
            for m in self.p.staff
        }
        night_team = [m for m in self.p.staff if nights_by_staff[m.id]]
        weekend_counts = {m.id: self.weekend_literals(m) for m in self.p.staff}
        for name, team, counts in (
            ("nights", night_team, {m.id: nights_by_staff[m.id] for m in night_team}),
            ("weekends", self.p.staff, weekend_counts),
        ):
            if len(team) < 2:
                continue
            size = len(team)
            bound = size * self.p.num_days
            total = self.m.new_int_var(0, bound, f"total_{name}")
            self.m.add(total == sum(sum(counts[m.id]) for m in team))
            worst = self.m.new_int_var(0, bound, f"worst_{name}")
            for member in team:
                own = sum(counts[member.id])
                self.m.add(worst >= size * own - total)
                self.m.add(worst >= total - size * own)
            # Rounded up to whole shifts so the weight reads as 'per shift of unfairness'.
            worst_shifts = self.m.new_int_var(0, self.p.num_days, f"worst_{name}_shifts")
            self.m.add(size * worst_shifts >= worst)
            self.parts["fairness"].append(self.p.fairness_weight * worst_shifts)


def build_model(problem: RosterProblem, diagnostic: bool = False) -> RosterModel:
    builder = _Builder(problem, diagnostic)
    builder.build_variables()
    for member in problem.staff:
        builder.build_staff_rules(member)
    builder.build_locks()
    builder.build_coverage()
    builder.build_preferences()
    builder.build_change_penalty()
    builder.build_fairness()
    terms = [term for part in builder.parts.values() for term in part]
    builder.m.minimize(cp_model.LinearExpr.sum(terms))
    return RosterModel(
        problem=problem,
        model=builder.m,
        x=builder.x,
        works=builder.works,
        objective_parts=dict(builder.parts),
        rule_literals=builder.rules,
        shortfalls=builder.shortfalls,
    )
