"""Checks of the problem data before any model is built: each error names the item at fault."""

from __future__ import annotations

from collections import Counter

from .problem import ProblemError, RosterProblem


def problem_errors(problem: RosterProblem, known_skills: set[str] | None = None) -> list[str]:
    """Every data error in ``problem`` (empty when the data is consistent)."""
    errors: list[str] = []
    if problem.num_days <= 0:
        errors.append("The roster period has no days.")
    if not problem.staff:
        errors.append("No staff: add staff members before generating a roster.")
    if not problem.shift_types:
        errors.append("No shift types: add at least one shift type.")
    errors += _duplicate_errors(problem)
    staff_ids = {member.id for member in problem.staff}
    shifts = problem.shift_by_code()
    skills = known_skills if known_skills is not None else _held_skills(problem)
    errors += _coverage_errors(problem, shifts, skills)
    errors += _unworkable_shift_errors(problem)
    errors += _cell_errors(problem, staff_ids, shifts)
    return errors


def validate(problem: RosterProblem, known_skills: set[str] | None = None) -> None:
    """Raise :class:`ProblemError` listing every data error."""
    errors = problem_errors(problem, known_skills)
    if errors:
        raise ProblemError(errors)


def _held_skills(problem: RosterProblem) -> set[str]:
    skills: set[str] = set()
    for member in problem.staff:
        skills |= member.skills
    return skills


def _duplicate_errors(problem: RosterProblem) -> list[str]:
    errors = []
    for staff_id, count in Counter(m.id for m in problem.staff).items():
        if count > 1:
            errors.append(f"Staff member {staff_id} is listed {count} times.")
    for code, count in Counter(s.code for s in problem.shift_types).items():
        if count > 1:
            errors.append(f"Shift type {code} is listed {count} times.")
    return errors


def _coverage_errors(problem: RosterProblem, shifts: dict, skills: set[str]) -> list[str]:
    errors = []
    for number, row in enumerate(problem.coverage, start=1):
        where = f"Coverage row {number} ({_day(problem, row.day)} {row.shift})"
        if row.shift not in shifts:
            errors.append(f"{where}: unknown shift type {row.shift!r}.")
        if row.skill is not None and row.skill not in skills:
            errors.append(f"{where}: unknown skill {row.skill!r}.")
        if not 0 <= row.day < problem.num_days:
            errors.append(f"{where}: day {row.day} is outside the roster period.")
        if row.required < 0 or row.minimum < 0:
            errors.append(f"{where}: required and minimum headcounts must not be negative.")
        if row.minimum > row.required:
            errors.append(f"{where}: minimum {row.minimum} exceeds required {row.required}.")
    return errors


def _unworkable_shift_errors(problem: RosterProblem) -> list[str]:
    """A shift type with demand that no staff member may work (skills or contract)."""
    demanded = {row.shift for row in problem.coverage if row.required > 0 or row.minimum > 0}
    errors = []
    for shift in problem.shift_types:
        if (
            shift.code in demanded
            and problem.staff
            and not any(problem.may_work(m, shift) for m in problem.staff)
        ):
            needs = f" (needs one of: {', '.join(sorted(shift.required_skills))})"
            errors.append(
                f"Shift type {shift.code}: no staff member can work it"
                f"{needs if shift.required_skills else ''}."
            )
    return errors


def _cell_errors(problem: RosterProblem, staff_ids: set[str], shifts: dict) -> list[str]:
    errors = []
    members = {m.id: m for m in problem.staff}
    for staff_id, day in sorted(problem.leave):
        if staff_id not in staff_ids:
            errors.append(f"Leave on {_day(problem, day)}: unknown staff member {staff_id}.")
    for pref in problem.preferences:
        if pref.staff_id not in staff_ids:
            errors.append(
                f"Preference on {_day(problem, pref.day)}: unknown staff {pref.staff_id}."
            )
        elif pref.shift is not None and pref.shift not in shifts:
            errors.append(f"Preference of {pref.staff_id}: unknown shift type {pref.shift!r}.")
    for cell in problem.locked:
        where = f"Locked cell {cell.staff_id} on {_day(problem, cell.day)}"
        if cell.staff_id not in staff_ids:
            errors.append(f"{where}: unknown staff member.")
            continue
        if cell.shift is None:
            continue
        if cell.shift not in shifts:
            errors.append(f"{where}: unknown shift type {cell.shift!r}.")
        elif not problem.may_work(members[cell.staff_id], shifts[cell.shift]):
            errors.append(f"{where}: {cell.staff_id} may not work shift {cell.shift}.")
        if (cell.staff_id, cell.day) in problem.leave:
            errors.append(
                f"{where}: contradicts approved leave on that day (locked to {cell.shift})."
            )
    return errors


def _day(problem: RosterProblem, day: int) -> str:
    return problem.day_label(day) if 0 <= day < problem.num_days else f"day {day}"
