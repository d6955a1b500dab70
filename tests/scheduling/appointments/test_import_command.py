"""import_appointments: pseudonymised, atomic, every bad row named."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hospops.models import AuditEvent
from hospops.privacy import pseudonymise
from scheduling.models import AppointmentRequest, ClinicianSession

from .conftest import make_session
from .helpers import REQUEST_HEADER, write

SESSIONS = """session_id,clinician_id,room_id,department_id,date,start,end
S1,CARD-C1,R1,CARD,2030-01-07,09:00,10:00
S2,ORTH-C1,R2,ORTH,2030-01-07,09:00,12:00
"""
REQUESTS = f"""{REQUEST_HEADER}
Q1,NHS-111,CARD,30,4,3,2030-01-07,CARD-C1,
Q2,NHS-222,ORTH,90,1,30,2030-01-07,,2030-01-08|2030-01-09
"""


def run(tmp_path, sessions=SESSIONS, requests=REQUESTS) -> str:
    stdout = StringIO()
    call_command(
        "import_appointments",
        "--sessions", str(write(tmp_path, "s.csv", sessions)),
        "--requests", str(write(tmp_path, "r.csv", requests)),
        stdout=stdout,
    )  # fmt: skip
    return stdout.getvalue()


def test_import_stores_pseudonyms_and_is_audited(tmp_path, cardiology, orthopaedics):
    assert "imported 2 sessions and 2 requests" in run(tmp_path)
    stored = AppointmentRequest.objects.get(department=orthopaedics)
    assert stored.patient_ref == pseudonymise("NHS-222")
    assert stored.unavailable_dates == ["2030-01-08", "2030-01-09"]
    assert not AppointmentRequest.objects.filter(patient_ref__contains="NHS").exists()
    assert ClinicianSession.objects.get(department=cardiology).end == dt.time(10, 0)
    assert AuditEvent.objects.filter(action="import").exists()


def test_bad_rows_are_all_named_and_nothing_is_saved(tmp_path, cardiology, orthopaedics):
    make_session(cardiology, clinician="CARD-C1", room="OLD", start="09:30", end="11:00")
    sessions = SESSIONS + "S3,X1,R9,DERM,2030-01-07,09:00,10:00\n"
    with pytest.raises(CommandError) as error:
        run(tmp_path, sessions=sessions)
    message = str(error.value)
    assert "row 2, session S1: overlaps stored session #" in message
    assert "row 4, department_id: unknown department 'DERM'" in message
    assert "nothing imported" in message
    assert ClinicianSession.objects.count() == 1 and not AppointmentRequest.objects.exists()


def test_request_longer_than_every_session_is_refused(tmp_path, cardiology, orthopaedics):
    requests = REQUESTS + "Q3,NHS-333,CARD,75,1,30,2030-01-07,,\n"
    with pytest.raises(CommandError, match="row 4, request Q3: duration_minutes 75 is longer"):
        run(tmp_path, requests=requests)
    assert not ClinicianSession.objects.exists() and not AppointmentRequest.objects.exists()
