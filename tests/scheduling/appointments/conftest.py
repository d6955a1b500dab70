from __future__ import annotations

import datetime as dt

import pytest

from hospops.models import Department, Facility
from scheduling.models import Appointment, ClinicianSession

NEXT_MONDAY = dt.date(2030, 1, 7)


@pytest.fixture
def facility(db) -> Facility:
    return Facility.objects.create(code="TST", name="Test Hospital")


@pytest.fixture
def cardiology(facility) -> Department:
    return Department.objects.create(facility=facility, code="CARD", name="Cardiology")


@pytest.fixture
def orthopaedics(facility) -> Department:
    return Department.objects.create(facility=facility, code="ORTH", name="Orthopaedics")


def make_session(
    department, clinician="C1", room="R1", date=NEXT_MONDAY, start="09:00", end="10:00"
):
    return ClinicianSession.objects.create(
        department=department,
        clinician=clinician,
        room=room,
        date=date,
        start=dt.time.fromisoformat(start),
        end=dt.time.fromisoformat(end),
    )


def book(session, start="09:00", minutes=30, **fields) -> Appointment:
    values = {
        "session": session,
        "patient_ref": "f" * 64,
        "department": session.department,
        "clinician": session.clinician,
        "room": session.room,
        "date": session.date,
        "start": dt.time.fromisoformat(start),
        "duration_minutes": minutes,
    }
    return Appointment.objects.create(**{**values, **fields})
