"""Explaining in words why hard rules cannot all hold.

Two stages: cheap counting checks that catch the usual cases (too few skilled staff left after
leave, a contract that cannot be met), then, if the solver still proves the problem infeasible,
the diagnostic model: every hard rule behind an assumption literal, and the conflicting subset
reported by CP-SAT shrunk by deletion so each listed rule matters.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from .model import build_model
from .problem import RosterProblem

MAX_CORE_TO_SHRINK = 40


def precheck_messages(problem: RosterProblem) -> list[str]:
    return _coverage_minimum_messages(problem) + _contract_messages(problem)


def _coverage_minimum_messages(problem: RosterProblem) -> list[str]:
    shifts = problem.shift_by_code()
    locked = {(c.staff_id, c.day): c.shift for c in problem.locked}
    messages = []
    for row in problem.coverage:
        if row.minimum <= 0:
            continue
        shift = shifts[row.shift]
        skilled = [
            m
            for m in problem.staff
            if (row.skill is None or row.skill in m.skills) and problem.may_work(m, shift)
        ]
        free = [
            m
            for m in skilled
            if (m.id, row.day) not in problem.leave
            and locked.get((m.id, row.day), row.shift) == row.shift
        ]
        if len(free) >= row.minimum:
            continue
        who = _staff_with(row.skill)
        on_leave = sum(1 for m in skilled if (m.id, row.day) in problem.leave)
        reason = "after approved leave" if on_leave else "in the team"
        if len(free) < len(skilled) - on_leave:
            reason = "after approved leave and locked cells" if on_leave else "after locked cells"
        messages.append(
            f"{problem.day_label(row.day)} {_shift_name(shift)}: {row.minimum} {who} needed, "
            f"{len(free)} available {reason}."
        )
    return messages


def out_of_time_messages(seconds: float) -> list[str]:
    """Why a roster could not be returned when the time ran out before any was found."""
    return [
        f"No roster was found within the time limit of {seconds:g} s, and no hard rule was "
        "proven to conflict: a longer time limit may find one."
    ]


def short_floor_messages(problem: RosterProblem, placed: list[int], most: int = 10) -> list[str]:
    """Why a roster could not be returned although no rule is proven to conflict: the hard
    coverage floors the best attempt (``placed``: staff counted by each coverage row) left
    short within the time limit, the first ``most`` of them named and the rest counted."""
    shifts = problem.shift_by_code()
    short = [
        f"{problem.day_label(row.day)} {_shift_name(shifts[row.shift])}: at least {row.minimum} "
        f"{_staff_with(row.skill)} needed, {count} placed."
        for row, count in zip(problem.coverage, placed, strict=True)
        if count < row.minimum
    ]
    lead = (
        f"No roster meeting every hard coverage floor was found within the time limit; the "
        f"best attempt left {len(short)} short. A longer time limit may find one."
    )
    rest = [f"... and {len(short) - most} more."] if len(short) > most else []
    return [lead, *short[:most], *rest]


def _contract_messages(problem: RosterProblem) -> list[str]:
    longest = {m.id: 0 for m in problem.staff}
    for member in problem.staff:
        lengths = [s.length_minutes for s in problem.shift_types if problem.may_work(member, s)]
        longest[member.id] = max(lengths, default=0)
    messages = []
    for member in problem.staff:
        if member.minima_soft or member.min_minutes <= 0:
            continue
        if member.max_minutes is not None and member.min_minutes > member.max_minutes:
            messages.append(
                f"{_who(member)}: contract minimum {_hours(member.min_minutes)} exceeds its "
                f"maximum {_hours(member.max_minutes)}."
            )
            continue
        free_days = sum(1 for d in range(problem.num_days) if (member.id, d) not in problem.leave)
        reachable = free_days * longest[member.id]
        if reachable < member.min_minutes:
            messages.append(
                f"{_who(member)}: contract needs at least {_hours(member.min_minutes)}, but only "
                f"{_hours(reachable)} can be worked in {free_days} days without approved leave."
            )
    return messages


def explain_infeasibility(problem: RosterProblem, seconds: float = 10.0) -> list[str]:
    """Name a set of hard rules that cannot hold together (each one needed for the conflict)."""
    messages = precheck_messages(problem)
    if messages:
        return messages
    deadline = time.monotonic() + seconds
    core = _infeasible_core(problem, list(_all_rule_keys(problem)), seconds / 2)
    if core is None:
        return [
            "The hard rules cannot all hold, but no smaller conflicting set was found in time: "
            "review leave, locked cells and contract limits for the period."
        ]
    core = _shrink(problem, core, deadline)
    return [
        "These hard rules cannot all hold together:",
        *(f"- {describe_rule(problem, key)}" for key in core),
    ]


def _all_rule_keys(problem: RosterProblem) -> list[str]:
    return [description for _, description in build_model(problem, True).rule_literals.values()]


def _infeasible_core(problem: RosterProblem, keys: list[str], seconds: float) -> list[str] | None:
    """Assumptions sufficient for infeasibility among ``keys`` (rules outside ``keys`` off)."""
    roster_model = build_model(problem, diagnostic=True)
    wanted = set(keys)
    by_index = {}
    for index, (literal, key) in roster_model.rule_literals.items():
        if key in wanted:
            by_index[index] = key
            roster_model.model.add_assumption(literal)
        else:
            roster_model.model.add(literal == 0)
    roster_model.model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, seconds)
    solver.parameters.num_workers = 1
    status = solver.solve(roster_model.model)
    if status != cp_model.INFEASIBLE:
        return None
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return core or None


def _shrink(problem: RosterProblem, core: list[str], deadline: float) -> list[str]:
    """Drop each rule whose removal keeps the conflict, while time allows."""
    if len(core) > MAX_CORE_TO_SHRINK:
        return core
    kept = list(core)
    for key in list(core):
        remaining = deadline - time.monotonic()
        if remaining <= 0.2:
            break
        trial = [k for k in kept if k != key]
        if trial and _infeasible_core(problem, trial, min(2.0, remaining)) is not None:
            kept = trial
    return kept


def describe_rule(problem: RosterProblem, key: str) -> str:
    kind, *rest = key.split(":")
    members = {m.id: m for m in problem.staff}
    shifts = problem.shift_by_code()
    if kind == "cover_min":
        day, code, skill = int(rest[0]), rest[1], rest[2]
        row = next(
            r
            for r in problem.coverage
            if r.day == day and r.shift == code and (r.skill or "") == skill
        )
        who = _staff_with(skill)
        return f"{problem.day_label(day)} {_shift_name(shifts[code])}: at least {row.minimum} {who}"
    member = members[rest[0]]
    if kind == "leave":
        return f"{_who(member)}: approved leave on {problem.day_label(int(rest[1]))}"
    if kind == "lock":
        day = int(rest[1])
        locked = next(c for c in problem.locked if c.staff_id == member.id and c.day == day)
        what = f"shift {locked.shift}" if locked.shift else "a day off"
        return f"{_who(member)}: locked to {what} on {problem.day_label(day)}"
    if kind == "rest":
        return f"{_who(member)}: minimum rest / forbidden shift successions"
    if kind == "max_type":
        limit = member.max_shifts_per_type[rest[1]]
        return f"{_who(member)}: at most {limit} {rest[1]} shifts (contract)"
    if kind == "max_minutes":
        return f"{_who(member)}: at most {_hours(member.max_minutes or 0)} (contract)"
    if kind == "min_minutes":
        return f"{_who(member)}: at least {_hours(member.min_minutes)} (contract)"
    if kind == "max_consecutive":
        return f"{_who(member)}: at most {member.max_consecutive_days} consecutive working days"
    if kind == "min_consecutive":
        return f"{_who(member)}: at least {member.min_consecutive_days} consecutive working days"
    if kind == "min_days_off":
        return f"{_who(member)}: at least {member.min_consecutive_days_off} consecutive days off"
    if kind == "max_weekends":
        return f"{_who(member)}: at most {member.max_weekends} working weekends"
    return key


def _staff_with(skill: str | None) -> str:
    return f"{skill}-skilled staff" if skill else "staff"


def _who(member) -> str:
    return member.name or member.id


def _shift_name(shift) -> str:
    return shift.name or shift.code


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:g} h"
