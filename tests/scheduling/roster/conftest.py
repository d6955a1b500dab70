from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client

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


def session_client(user) -> Client:
    """A client with a logged-in session, made without the test client's login() (whose bare
    request object lacks ``user`` and so trips the project's login audit signal)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return client


@pytest.fixture
def scheduler_client(scheduler_user) -> Client:
    return session_client(scheduler_user)


@pytest.fixture
def billing_client(billing_user) -> Client:
    return session_client(billing_user)
