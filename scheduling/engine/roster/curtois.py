"""The Curtois–Qu shift scheduling benchmark text format: parser, conversion, evaluator.

The instance is converted into a :class:`RosterProblem` and solved by the app's own model. The
evaluator recomputes the instance's penalty and checks its hard constraints from a roster alone,
independently of the model, so the two can be checked against each other.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .problem import (
    CoverageRequirement,
    RosterProblem,
    ShiftPreference,
    ShiftType,
    StaffMember,
)

# Day 0 of every instance is a Monday; any Monday gives the same weekends.
FIRST_MONDAY = dt.date(2024, 1, 1)
SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class CurtoisFormatError(ValueError):
    """A malformed instance file; the message names the file line and section."""


@dataclass
class CurtoisShift:
    id: str
    minutes: int
    forbidden_next: tuple[str, ...]


@dataclass
class CurtoisEmployee:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass
class CurtoisRequest:
    employee: str
    day: int
    shift: str
    weight: int


@dataclass
class CurtoisCover:
    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass
class CurtoisInstance:
    name: str
    days: int
    shifts: list[CurtoisShift] = field(default_factory=list)
    employees: list[CurtoisEmployee] = field(default_factory=list)
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on_requests: list[CurtoisRequest] = field(default_factory=list)
    off_requests: list[CurtoisRequest] = field(default_factory=list)
    cover: list[CurtoisCover] = field(default_factory=list)


def parse_file(path: str | Path) -> CurtoisInstance:
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError as exc:
        raise CurtoisFormatError(f"{path.name}: not a plain ASCII instance file") from exc
    return parse_text(text, name=path.stem)


def parse_text(text: str, name: str = "instance") -> CurtoisInstance:
    sections = _split_sections(text, name)
    missing = [s for s in SECTIONS if s not in sections]
    if missing:
        raise CurtoisFormatError(f"{name}: missing section(s) {', '.join(missing)}")
    horizon = sections["SECTION_HORIZON"]
    if len(horizon) != 1:
        raise CurtoisFormatError(f"{name}: SECTION_HORIZON must hold exactly one value")
    instance = CurtoisInstance(name=name, days=_int(horizon[0], 0, "horizon", name))
    if instance.days <= 0:
        raise CurtoisFormatError(f"{name} line {horizon[0][0]}: horizon must be positive")
    for line in sections["SECTION_SHIFTS"]:
        instance.shifts.append(_shift(line, name))
    shift_ids = {s.id for s in instance.shifts}
    for line in sections["SECTION_STAFF"]:
        instance.employees.append(_employee(line, shift_ids, name))
    employee_ids = {e.id for e in instance.employees}
    for line in sections["SECTION_DAYS_OFF"]:
        number, fields = line
        _known(fields[0], employee_ids, "employee", number, name)
        days = {_day(line, i, instance.days, name) for i in range(1, len(fields)) if fields[i]}
        instance.days_off.setdefault(fields[0], set()).update(days)
    for key, target in (
        ("SECTION_SHIFT_ON_REQUESTS", instance.on_requests),
        ("SECTION_SHIFT_OFF_REQUESTS", instance.off_requests),
    ):
        for line in sections[key]:
            target.append(_request(line, instance, employee_ids, shift_ids, name))
    for line in sections["SECTION_COVER"]:
        instance.cover.append(_cover(line, instance, shift_ids, name))
    return instance


Line = tuple[int, list[str]]


def _split_sections(text: str, name: str) -> dict[str, list[Line]]:
    sections: dict[str, list[Line]] = {}
    current: list[Line] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise CurtoisFormatError(f"{name} line {number}: unknown section {line}")
            current = sections.setdefault(line, [])
            continue
        if current is None:
            raise CurtoisFormatError(f"{name} line {number}: data before the first section")
        current.append((number, [field.strip() for field in line.split(",")]))
    return sections


def _int(line: Line, index: int, what: str, name: str) -> int:
    number, fields = line
    if index >= len(fields):
        raise CurtoisFormatError(f"{name} line {number}: missing field {what}")
    try:
        return int(fields[index])
    except ValueError:
        raise CurtoisFormatError(
            f"{name} line {number}: {what} must be an integer, got {fields[index]!r}"
        ) from None


def _expect(line: Line, count: int, section: str, name: str) -> None:
    number, fields = line
    if len(fields) != count:
        raise CurtoisFormatError(
            f"{name} line {number}: {section} expects {count} fields, found {len(fields)}"
        )


def _known(value: str, known: set[str], what: str, number: int, name: str) -> None:
    if value not in known:
        raise CurtoisFormatError(f"{name} line {number}: unknown {what} {value!r}")


def _day(line: Line, index: int, days: int, name: str) -> int:
    day = _int(line, index, "day", name)
    if not 0 <= day < days:
        raise CurtoisFormatError(f"{name} line {line[0]}: day {day} outside 0..{days - 1}")
    return day


def _shift(line: Line, name: str) -> CurtoisShift:
    _expect(line, 3, "SECTION_SHIFTS", name)
    fields = line[1]
    successors = tuple(s for s in fields[2].split("|") if s)
    return CurtoisShift(fields[0], _int(line, 1, "length_minutes", name), successors)


def _employee(line: Line, shift_ids: set[str], name: str) -> CurtoisEmployee:
    _expect(line, 8, "SECTION_STAFF", name)
    number, fields = line
    max_shifts = {}
    for item in filter(None, fields[1].split("|")):
        code, _, value = item.partition("=")
        _known(code, shift_ids, "shift", number, name)
        try:
            max_shifts[code] = int(value)
        except ValueError:
            raise CurtoisFormatError(f"{name} line {number}: bad MaxShifts item {item!r}") from None
    labels = ("MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts", "MinConsecutiveShifts")
    values = [_int(line, i, label, name) for i, label in enumerate(labels, start=2)]
    return CurtoisEmployee(
        fields[0],
        max_shifts,
        *values,
        min_days_off=_int(line, 6, "MinConsecutiveDaysOff", name),
        max_weekends=_int(line, 7, "MaxWeekends", name),
    )


def _request(line: Line, instance, employee_ids, shift_ids, name: str) -> CurtoisRequest:
    _expect(line, 4, "a request section", name)
    number, fields = line
    _known(fields[0], employee_ids, "employee", number, name)
    _known(fields[2], shift_ids, "shift", number, name)
    day = _day(line, 1, instance.days, name)
    return CurtoisRequest(fields[0], day, fields[2], _int(line, 3, "weight", name))


def _cover(line: Line, instance, shift_ids, name: str) -> CurtoisCover:
    _expect(line, 5, "SECTION_COVER", name)
    _known(line[1][1], shift_ids, "shift", line[0], name)
    return CurtoisCover(
        _day(line, 0, instance.days, name),
        line[1][1],
        _int(line, 2, "requirement", name),
        _int(line, 3, "weight_under", name),
        _int(line, 4, "weight_over", name),
    )


def to_problem(instance: CurtoisInstance) -> RosterProblem:
    """The instance as the project's own problem: every hard constraint hard, no fairness term."""
    shift_types = [
        ShiftType(code=s.id, length_minutes=s.minutes, forbidden_successors=s.forbidden_next)
        for s in instance.shifts
    ]
    staff = [
        StaffMember(
            id=e.id,
            max_shifts_per_type=dict(e.max_shifts),
            min_minutes=e.min_minutes,
            max_minutes=e.max_minutes,
            max_consecutive_days=e.max_consecutive,
            min_consecutive_days=e.min_consecutive,
            min_consecutive_days_off=e.min_days_off,
            max_weekends=e.max_weekends,
        )
        for e in instance.employees
    ]
    preferences = [
        ShiftPreference(r.employee, r.day, r.shift, wants=True, weight=r.weight)
        for r in instance.on_requests
    ] + [
        ShiftPreference(r.employee, r.day, r.shift, wants=False, weight=r.weight)
        for r in instance.off_requests
    ]
    coverage = [
        CoverageRequirement(
            day=c.day,
            shift=c.shift,
            required=c.requirement,
            under_weight=c.weight_under,
            over_weight=c.weight_over,
        )
        for c in instance.cover
    ]
    return RosterProblem(
        start_date=FIRST_MONDAY,
        num_days=instance.days,
        staff=staff,
        shift_types=shift_types,
        coverage=coverage,
        leave={(e, d) for e, days in instance.days_off.items() for d in days},
        preferences=preferences,
    )


# -- evaluation from a roster alone --------------------------------------------------------------

Roster = dict[tuple[str, int], str]


def penalty(instance: CurtoisInstance, roster: Roster) -> int:
    """The instance's objective: unmet on-requests, violated off-requests, cover deviation."""
    total = sum(
        r.weight for r in instance.on_requests if roster.get((r.employee, r.day)) != r.shift
    )
    total += sum(
        r.weight for r in instance.off_requests if roster.get((r.employee, r.day)) == r.shift
    )
    counts: dict[tuple[int, str], int] = {}
    for (_, day), shift in roster.items():
        counts[day, shift] = counts.get((day, shift), 0) + 1
    for c in instance.cover:
        staffed = counts.get((c.day, c.shift), 0)
        total += c.weight_under * max(0, c.requirement - staffed)
        total += c.weight_over * max(0, staffed - c.requirement)
    return total


def violations(instance: CurtoisInstance, roster: Roster) -> list[str]:
    """Every broken hard constraint (an empty list means the roster is feasible)."""
    problems: list[str] = []
    lengths = {s.id: s.minutes for s in instance.shifts}
    forbidden = {s.id: set(s.forbidden_next) for s in instance.shifts}
    employees = {e.id: e for e in instance.employees}
    for (employee, day), shift in roster.items():
        if employee not in employees or shift not in lengths or not 0 <= day < instance.days:
            problems.append(f"unknown cell {employee},{day},{shift}")
    for e in instance.employees:
        row = [roster.get((e.id, d)) for d in range(instance.days)]
        problems += _employee_violations(instance, e, row, lengths, forbidden)
    return problems


def _employee_violations(instance, e: CurtoisEmployee, row, lengths, forbidden) -> list[str]:
    found = []
    for day, shift in enumerate(row):
        if shift and day in instance.days_off.get(e.id, set()):
            found.append(f"{e.id} works on day off {day}")
        if shift and day + 1 < len(row) and row[day + 1] in forbidden[shift]:
            found.append(f"{e.id} {shift} on day {day} followed by {row[day + 1]}")
    for code in lengths:
        worked = sum(1 for s in row if s == code)
        if worked > e.max_shifts.get(code, len(row)):
            found.append(f"{e.id} works {worked} {code} shifts > {e.max_shifts[code]}")
    minutes = sum(lengths[s] for s in row if s)
    if not e.min_minutes <= minutes <= e.max_minutes:
        found.append(f"{e.id} works {minutes} min outside [{e.min_minutes}, {e.max_minutes}]")
    working = [s is not None for s in row]
    for value, start, length in _runs(working):
        interior = start > 0 and start + length < len(row)
        if value and length > e.max_consecutive:
            found.append(f"{e.id} works {length} days in a row from day {start}")
        if value and interior and length < e.min_consecutive:
            found.append(f"{e.id} works only {length} days in a row from day {start}")
        if not value and interior and length < e.min_days_off:
            found.append(f"{e.id} has only {length} days off from day {start}")
    weekends = sum(1 for w in range(len(row) // 7) if working[7 * w + 5] or working[7 * w + 6])
    if weekends > e.max_weekends:
        found.append(f"{e.id} works {weekends} weekends > {e.max_weekends}")
    return found


def _runs(values: list[bool]) -> Iterable[tuple[bool, int, int]]:
    start = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or values[index] != values[start]:
            yield values[start], start, index - start
            start = index


def write_roster_csv(path: str | Path, roster: Roster, instance: CurtoisInstance) -> None:
    order = {e.id: i for i, e in enumerate(instance.employees)}
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_id", "day", "shift_id"])
        for (employee, day), shift in sorted(
            roster.items(), key=lambda i: (order[i[0][0]], i[0][1])
        ):
            writer.writerow([employee, day, shift])


def read_roster_csv(path: str | Path) -> Roster:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["employee_id", "day", "shift_id"]:
            raise CurtoisFormatError(f"{path}: header must be employee_id,day,shift_id")
        return {(row["employee_id"], int(row["day"])): row["shift_id"] for row in reader}
