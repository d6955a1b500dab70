"""Plain data types of a rostering problem and its solution.

Days are indexed from 0 (``start_date``); a cell is one staff member on one day, holding at most
one shift. Everything here is independent of Django so the solver can be run and benchmarked alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

MINUTES_PER_DAY = 24 * 60


class ProblemError(ValueError):
    """The problem data itself is wrong (unknown skill, no staff, ...); ``errors`` lists each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ShiftType:
    code: str
    length_minutes: int
    start_minute: int = 0  # minutes after midnight
    forbidden_successors: tuple[str, ...] = ()
    # Minimum rest (minutes) between the end of this shift and the start of the next day's shift.
    min_rest_minutes: int = 0
    # Staff must hold at least one of these skills to work the shift; empty means anyone may.
    required_skills: frozenset[str] = frozenset()
    is_night: bool = False
    name: str = ""

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.length_minutes


@dataclass(frozen=True)
class StaffMember:
    """A staff member with skills and contract limits. ``None`` means the limit does not apply."""

    id: str
    skills: frozenset[str] = frozenset()
    name: str = ""
    # Most shifts of each type in the period; a missing type is unlimited, 0 forbids the type.
    max_shifts_per_type: dict[str, int] = field(default_factory=dict)
    min_minutes: int = 0
    max_minutes: int | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    # When the scheduler marks the contract minima soft, each minute short of ``min_minutes`` and
    # each too-short run costs ``minimum_weight`` instead of being forbidden.
    minima_soft: bool = False
    minimum_weight: int = 10

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class CoverageRequirement:
    """Wanted headcount for a day, shift and skill (``None``: any staff member).

    ``required`` is the soft target (each missing person costs ``under_weight``, each extra one
    ``over_weight``); ``minimum`` is a hard safe-staffing floor.
    """

    day: int
    shift: str
    required: int
    skill: str | None = None
    under_weight: int = 100
    over_weight: int = 1
    minimum: int = 0


@dataclass(frozen=True)
class ShiftPreference:
    """A wish for (``wants=True``) or against a shift (``shift=None``: any shift) on a day."""

    staff_id: str
    day: int
    shift: str | None
    wants: bool
    weight: int = 1


@dataclass(frozen=True)
class LockedCell:
    """A cell the solver must keep: ``shift=None`` locks a day off."""

    staff_id: str
    day: int
    shift: str | None


@dataclass
class RosterProblem:
    start_date: dt.date
    num_days: int
    staff: list[StaffMember]
    shift_types: list[ShiftType]
    coverage: list[CoverageRequirement] = field(default_factory=list)
    # Approved leave: (staff_id, day) pairs on which the staff member works no shift (hard).
    leave: set[tuple[str, int]] = field(default_factory=set)
    preferences: list[ShiftPreference] = field(default_factory=list)
    locked: list[LockedCell] = field(default_factory=list)
    # A published roster to repair: (staff_id, day) -> shift code; missing cells were days off.
    previous: dict[tuple[str, int], str] | None = None
    change_weight: int = 50
    # Weight of the worst deviation from the team mean of nights and of weekends worked.
    fairness_weight: int = 0

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def of_member(self, member: StaffMember) -> RosterProblem:
        """The member's own part of the problem: its rules, leave, locks and preferences, with
        no coverage and nothing team-wide."""
        return replace(
            self,
            staff=[member],
            coverage=[],
            leave={cell for cell in self.leave if cell[0] == member.id},
            preferences=[p for p in self.preferences if p.staff_id == member.id],
            locked=[cell for cell in self.locked if cell.staff_id == member.id],
            previous=None,
            fairness_weight=0,
        )

    def day_label(self, day: int) -> str:
        return self.date_of(day).isoformat()

    def weekends(self) -> list[list[int]]:
        """Days of each (Saturday, Sunday) weekend touching the horizon."""
        groups: dict[int, list[int]] = {}
        for day in range(self.num_days):
            date = self.date_of(day)
            if date.weekday() >= 5:
                monday = date - dt.timedelta(days=date.weekday())
                groups.setdefault(monday.toordinal(), []).append(day)
        return [days for _, days in sorted(groups.items())]

    def shift_by_code(self) -> dict[str, ShiftType]:
        return {shift.code: shift for shift in self.shift_types}

    def may_work(self, member: StaffMember, shift: ShiftType) -> bool:
        """Skills and contract allow this staff member to work this shift type at all."""
        if member.max_shifts_per_type.get(shift.code, 1) == 0:
            return False
        return not shift.required_skills or bool(shift.required_skills & member.skills)

    def forbidden_pairs(self) -> set[tuple[str, str]]:
        """(first, next day's) shift pairs ruled out by listed successors or by minimum rest."""
        pairs = set()
        for first in self.shift_types:
            for second in self.shift_types:
                rest = MINUTES_PER_DAY + second.start_minute - first.end_minute
                if second.code in first.forbidden_successors or rest < first.min_rest_minutes:
                    pairs.add((first.code, second.code))
        return pairs


@dataclass
class ProgressPoint:
    seconds: float
    objective: float
    bound: float


@dataclass
class RosterSolution:
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    assignments: dict[tuple[str, int], str] = field(default_factory=dict)
    objective: float | None = None
    bound: float | None = None
    wall_seconds: float = 0.0
    progress: list[ProgressPoint] = field(default_factory=list)
    # Objective parts: coverage_under, coverage_over, preferences, minima, fairness, changes.
    penalties: dict[str, int] = field(default_factory=dict)
    # (staff_id, day, previous shift or None, new shift or None) for a repair.
    changes: list[tuple[str, int, str | None, str | None]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    @property
    def has_roster(self) -> bool:
        return self.status in {"OPTIMAL", "FEASIBLE"}

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0 if self.bound >= 0 else 1.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))
