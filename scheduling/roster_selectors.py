"""Reads for staff rostering: the roster grid with its coverage row, per-staff views, exports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from hospops.models import Department

from .models import Assignment, CoverageRequirement, Leave, Roster, ShiftType, StaffMember


def rosters(department: Department | None = None) -> QuerySet[Roster]:
    items = Roster.objects.select_related("department", "job", "based_on")
    return items.filter(department=department) if department else items


@dataclass
class GridCell:
    shift: ShiftType | None = None
    locked: bool = False
    on_leave: bool = False


@dataclass
class CoverageCell:
    required: int = 0
    staffed: int = 0

    @property
    def state(self) -> str:
        if self.staffed < self.required:
            return "short"
        return "excess" if self.staffed > self.required else "ok"


@dataclass
class RosterGrid:
    days: list[dt.date]
    rows: list[tuple[StaffMember, list[GridCell]]]
    # shift code -> one CoverageCell per day (headcount of any skill).
    coverage: dict[str, list[CoverageCell]] = field(default_factory=dict)
    shift_types: list[ShiftType] = field(default_factory=list)


def roster_grid(roster: Roster) -> RosterGrid:
    days = [roster.start_date + dt.timedelta(days=i) for i in range(roster.num_days)]
    index = {day: i for i, day in enumerate(days)}
    staff = list(StaffMember.objects.filter(department=roster.department, active=True))
    cells = {member.pk: [GridCell() for _ in days] for member in staff}
    for item in Leave.objects.filter(
        staff__in=staff,
        status=Leave.Status.APPROVED,
        start_date__lte=roster.end_date,
        end_date__gte=roster.start_date,
    ):
        for day in days:
            if item.start_date <= day <= item.end_date:
                cells[item.staff_id][index[day]].on_leave = True
    shift_types = list(ShiftType.objects.all())
    coverage = {shift.code: [CoverageCell() for _ in days] for shift in shift_types}
    by_pk = {shift.pk: shift for shift in shift_types}
    for cell in Assignment.objects.filter(roster=roster):
        if cell.staff_id not in cells:
            continue
        grid_cell = cells[cell.staff_id][index[cell.date]]
        grid_cell.shift = by_pk.get(cell.shift_type_id)
        grid_cell.locked = cell.locked
        if grid_cell.shift is not None:
            coverage[grid_cell.shift.code][index[cell.date]].staffed += 1
    for row in CoverageRequirement.objects.filter(
        department=roster.department,
        date__range=(roster.start_date, roster.end_date),
        skill__isnull=True,
    ).select_related("shift_type"):
        coverage[row.shift_type.code][index[row.date]].required = row.required
    return RosterGrid(
        days=days,
        rows=[(member, cells[member.pk]) for member in staff],
        coverage=coverage,
        shift_types=shift_types,
    )


def skill_coverage(roster: Roster) -> list[dict]:
    """Per (date, shift, skill) requirement: required, minimum and staffed with that skill."""
    staffed: dict[tuple, int] = defaultdict(int)
    for date, shift_id, skill_id in Assignment.objects.filter(
        roster=roster, shift_type__isnull=False
    ).values_list("date", "shift_type_id", "staff__skills"):
        staffed[date, shift_id, skill_id] += 1
    rows = []
    for row in CoverageRequirement.objects.filter(
        department=roster.department,
        date__range=(roster.start_date, roster.end_date),
        skill__isnull=False,
    ).select_related("shift_type", "skill"):
        have = staffed[row.date, row.shift_type_id, row.skill_id]
        if have != row.required:
            rows.append(
                {
                    "date": row.date,
                    "shift": row.shift_type.code,
                    "skill": row.skill.code,
                    "required": row.required,
                    "minimum": row.minimum,
                    "staffed": have,
                }
            )
    return rows


def staff_shifts(roster: Roster, staff: StaffMember) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(roster=roster, staff=staff, shift_type__isnull=False)
        .select_related("shift_type")
        .order_by("date")
    )


def export_rows(roster: Roster) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(roster=roster, shift_type__isnull=False)
        .select_related("staff", "shift_type")
        .order_by("date", "shift_type__start_time", "staff__name")
    )


def ical_text(roster: Roster, assignments) -> str:
    """An iCalendar (RFC 5545) document with one event per worked shift, in local time."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HospOps//Roster//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(str(roster.department))} roster",
    ]
    for cell in assignments:
        shift = cell.shift_type
        start = dt.datetime.combine(cell.date, shift.start_time)
        end = start + dt.timedelta(minutes=shift.length_minutes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:roster{roster.pk}-cell{cell.pk}@hospops",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start:%Y%m%dT%H%M%S}",
            f"DTEND:{end:%Y%m%dT%H%M%S}",
            f"SUMMARY:{_escape(f'{shift.name or shift.code} - {cell.staff.name}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
