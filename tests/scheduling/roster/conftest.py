from __future__ import annotations

import datetime as dt

import pytest

from hospops.models import Department, Facility
from scheduling.models import CoverageRequirement, ShiftType, Skill, StaffMember

MONDAY = dt.date(2026, 12, 7)


@pytest.fixture
def ward(db) -> Department:
    facility = Facility.objects.create(code="T", name="Test hospital")
    return Department.objects.create(facility=facility, code="ICU", name="Intensive Care")


@pytest.fixture
def skills(db) -> dict[str, Skill]:
    return {code: Skill.objects.create(code=code, name=code) for code in ("RN", "ICU")}


@pytest.fixture
def day_shift(db) -> ShiftType:
    return ShiftType.objects.create(
        code="D", name="Day", start_time=dt.time(8), length_minutes=480, colour="#8ecae6"
    )


@pytest.fixture
def staffed_ward(ward, skills, day_shift) -> Department:
    """Three ICU nurses and a week of day-shift cover for two."""
    for number in range(3):
        member = StaffMember.objects.create(
            department=ward, code=f"N{number}", name=f"Nurse {number}", max_consecutive_days=5
        )
        member.skills.set([skills["RN"], skills["ICU"]])
    CoverageRequirement.objects.bulk_create(
        CoverageRequirement(
            department=ward, date=MONDAY + dt.timedelta(days=d), shift_type=day_shift, required=2
        )
        for d in range(7)
    )
    return ward
