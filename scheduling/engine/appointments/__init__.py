"""Outpatient appointment scheduling: plain data types, one CP-SAT batch model, greedy baselines
and the evaluator of urgency-weighted waiting and breaches. No Django imports."""

from .evaluate import Metrics, evaluate, violations
from .greedy import deadline_first, first_come_first_served
from .model import Assignment, Request, Session, SolveResult
from .solver import SolverOptions, solve
from .validate import ProblemError

__all__ = [
    "Assignment",
    "Metrics",
    "ProblemError",
    "Request",
    "Session",
    "SolveResult",
    "SolverOptions",
    "deadline_first",
    "evaluate",
    "first_come_first_served",
    "solve",
    "violations",
]
