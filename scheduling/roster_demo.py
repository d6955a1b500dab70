"""Demo rostering data: four wards of 15 staff, shift types, four weeks of coverage needs,
leave and shift preferences. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from hospops.demo import DemoContext, demo_seeder

from .models import (
    CoverageRequirement,
    Leave,
    ShiftLimit,
    ShiftPreference,
    ShiftType,
    Skill,
    StaffingRatio,
    StaffMember,
)

WARDS = ("ICU", "MED", "SURG", "PAED")
STAFF_PER_WARD = 15
SKILLS = {
    "RN": "Registered nurse",
    "HCA": "Healthcare assistant",
    "SENIOR": "Nurse in charge",
    "ICU": "Critical care",
    "PAED": "Paediatric nursing",
}
# code, name, start, minutes, rest after (min), night, colour
SHIFTS = (
    ("E", "Early", dt.time(7, 0), 480, 660, False, "#8ecae6"),
    ("L", "Late", dt.time(14, 30), 480, 660, False, "#ffd166"),
    ("N", "Night", dt.time(21, 30), 600, 660, True, "#b8a1e3"),
)
# Headcount per shift on weekdays / weekends, and the ward's specialist skill if any.
DEMAND = {"E": (3, 3), "L": (3, 2), "N": (2, 2)}
SPECIALIST = {"ICU": "ICU", "PAED": "PAED"}
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jo",
    "Kim",
    "Lee",
    "Pat",
    "Robin",
    "Chris",
    "Dana",
    "Jamie",
    "Morgan",
    "Taylor",
    "Casey",
    "Jordan",
    "Riley",
    "Avery",
    "Quinn",
    "Sasha",
    "Noor",
    "Amir",
    "Lena",
    "Marta",
    "Ines",
    "Tomas",
    "Oskar",
    "Priya",
    "Ravi",
    "Mei",
    "Yusuf",
    "Zara",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Patel",
    "Khan",
    "Garcia",
    "Novak",
    "Silva",
    "Brown",
    "Wilson",
    "Ahmed",
    "Costa",
    "Muller",
    "Rossi",
    "Lopez",
    "Nguyen",
    "Kowalski",
    "Okafor",
    "Hansen",
    "Dubois",
    "Moreau",
]


@demo_seeder(order=30)
def seed_rosters(ctx: DemoContext) -> None:
    skills = {
        code: Skill.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in SKILLS.items()
    }
    shifts = _shift_types(skills)
    start = ctx.today + dt.timedelta(days=(7 - ctx.today.weekday()) % 7 or 7)
    staff_created = leave_created = prefs_created = cover_created = 0
    for ward_index, code in enumerate(WARDS):
        department = ctx.departments[code]
        members, new = _staff(ctx, department, ward_index, skills, shifts)
        staff_created += new
        cover_created += _coverage(department, start, shifts, skills)
        leave_created += _leave(ctx, members, start)
        prefs_created += _preferences(ctx, members, start, shifts)
        StaffingRatio.objects.get_or_create(
            department=department,
            shift_type=shifts["E"],
            skill=None,
            defaults={"appointments_per_staff": 12, "base_staff": 2, "minimum": 2},
        )
    ctx.write(
        f"rosters: {staff_created} staff, {cover_created} coverage rows, {leave_created} leave, "
        f"{prefs_created} preferences (period from {start})"
    )


def _shift_types(skills) -> dict[str, ShiftType]:
    shifts = {}
    for code, name, start, minutes, rest, night, colour in SHIFTS:
        shifts[code], _ = ShiftType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "start_time": start,
                "length_minutes": minutes,
                "min_rest_minutes": rest,
                "is_night": night,
                "colour": colour,
            },
        )
    # Rest after a night: no early or late shift the next day.
    shifts["N"].forbidden_successors.add(shifts["E"], shifts["L"])
    return shifts


def _staff(ctx, department, ward_index, skills, shifts) -> tuple[list[StaffMember], int]:
    existing = list(StaffMember.objects.filter(department=department, code__startswith="D-"))
    if existing:
        return existing, 0
    members, limits = [], []
    for number in range(STAFF_PER_WARD):
        name = (
            f"{FIRST_NAMES[(ward_index * 7 + number) % len(FIRST_NAMES)]} "
            f"{LAST_NAMES[(ward_index * 3 + number * 7) % len(LAST_NAMES)]}"
        )
        part_time = number % 5 == 4
        members.append(
            StaffMember(
                department=department,
                code=f"D-{department.code}-{number + 1:02d}",
                name=name,
                min_minutes=(40 if part_time else 120) * 60,
                max_minutes=(80 if part_time else 160) * 60,
                max_consecutive_days=5,
                min_consecutive_days=2,
                min_consecutive_days_off=2,
                max_weekends=2,
                minima_soft=True,
            )
        )
    StaffMember.objects.bulk_create(members)
    members = list(StaffMember.objects.filter(department=department, code__startswith="D-"))
    specialist = SPECIALIST.get(department.code)
    for number, member in enumerate(members):
        held = [skills["HCA"]] if number >= 12 else [skills["RN"]]
        if number in (0, 1):
            held.append(skills["SENIOR"])
        if specialist and number < 9:
            held.append(skills[specialist])
        member.skills.set(held)
        if number % 6 == 5:  # some staff do not work nights
            limits.append(ShiftLimit(staff=member, shift_type=shifts["N"], max_shifts=0))
        else:
            limits.append(ShiftLimit(staff=member, shift_type=shifts["N"], max_shifts=7))
    ShiftLimit.objects.bulk_create(limits)
    return members, len(members)


def _coverage(department, start, shifts, skills) -> int:
    rows = []
    specialist = SPECIALIST.get(department.code)
    for offset in range(28):
        date = start + dt.timedelta(days=offset)
        weekend = date.weekday() >= 5
        for code, (weekday_need, weekend_need) in DEMAND.items():
            need = weekend_need if weekend else weekday_need
            rows.append(
                CoverageRequirement(
                    department=department,
                    date=date,
                    shift_type=shifts[code],
                    skill=None,
                    required=need,
                    minimum=1,
                )
            )
            if specialist:
                rows.append(
                    CoverageRequirement(
                        department=department,
                        date=date,
                        shift_type=shifts[code],
                        skill=skills[specialist],
                        required=1,
                        minimum=1,
                        under_weight=200,
                    )
                )
            rows.append(
                CoverageRequirement(
                    department=department,
                    date=date,
                    shift_type=shifts[code],
                    skill=skills["SENIOR"],
                    required=1 if code == "E" else 0,
                    under_weight=50,
                )
            )
    # The unique constraint treats a NULL skill as distinct, so existing rows are skipped here.
    existing = set(
        CoverageRequirement.objects.filter(department=department).values_list(
            "date", "shift_type_id", "skill_id"
        )
    )
    new = [row for row in rows if (row.date, row.shift_type_id, row.skill_id) not in existing]
    CoverageRequirement.objects.bulk_create(new)
    return len(new)


def _leave(ctx, members, start) -> int:
    if Leave.objects.filter(staff__in=members).exists():
        return 0
    items = []
    for member in ctx.random.sample(members, 3):
        first = start + dt.timedelta(days=ctx.random.randrange(0, 22))
        items.append(
            Leave(
                staff=member,
                start_date=first,
                end_date=first + dt.timedelta(days=ctx.random.randrange(2, 6)),
                reason="annual leave",
            )
        )
    Leave.objects.bulk_create(items)
    return len(items)


def _preferences(ctx, members, start, shifts) -> int:
    if ShiftPreference.objects.filter(staff__in=members).exists():
        return 0
    items = []
    codes = list(shifts)
    for member in members:
        for _ in range(4):
            date = start + dt.timedelta(days=ctx.random.randrange(28))
            wants = ctx.random.random() < 0.4
            shift = shifts[ctx.random.choice(codes)] if ctx.random.random() < 0.6 else None
            items.append(
                ShiftPreference(
                    staff=member,
                    date=date,
                    shift_type=shift,
                    wants=wants,
                    weight=ctx.random.choice((1, 2, 3)),
                )
            )
    ShiftPreference.objects.bulk_create(items)
    return len(items)
