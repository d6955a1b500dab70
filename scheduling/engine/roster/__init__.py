"""Staff rostering with OR-Tools CP-SAT: problem types, one model, solving, repair, diagnosis."""

from .problem import (
    CoverageRequirement,
    LockedCell,
    ProblemError,
    ProgressPoint,
    RosterProblem,
    RosterSolution,
    ShiftPreference,
    ShiftType,
    StaffMember,
)
from .solver import SolveParameters, repair, roster_changes, solve
from .validation import problem_errors, validate

__all__ = [
    "CoverageRequirement",
    "LockedCell",
    "ProblemError",
    "ProgressPoint",
    "RosterProblem",
    "RosterSolution",
    "ShiftPreference",
    "ShiftType",
    "SolveParameters",
    "StaffMember",
    "problem_errors",
    "repair",
    "roster_changes",
    "solve",
    "validate",
]
