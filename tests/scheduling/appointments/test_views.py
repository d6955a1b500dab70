"""Scheduler pages: role checks, audit of patient-level views, pseudonyms only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hospops import jobs
from hospops.models import AuditEvent
from scheduling import appointment_services as services
from scheduling.models import Appointment

from .conftest import NEXT_MONDAY, book, make_session

PAGES = ["scheduling:appointment_requests", "scheduling:appointment_schedule"]


@pytest.fixture
def pending(cardiology):
    make_session(cardiology)
    return services.create_request(
        patient_identifier="MRN-0042",
        department=cardiology,
        duration_minutes=20,
        urgency=3,
        max_wait_days=5,
        earliest_date=NEXT_MONDAY,
    )


@pytest.mark.parametrize("name", PAGES)
def test_scheduler_sees_the_pages_and_the_view_is_audited(scheduler_client, pending, name):
    response = scheduler_client.get(reverse(name))
    assert response.status_code == 200
    assert b"MRN-0042" not in response.content
    assert AuditEvent.objects.filter(action="view", username="scheduler1").exists()


@pytest.mark.parametrize("name", PAGES)
def test_billing_reviewer_is_refused(billing_client, pending, name):
    assert billing_client.get(reverse(name)).status_code == 403


def test_billing_reviewer_cannot_solve_accept_or_move(billing_client, pending):
    appointment = book(make_session(pending.department, clinician="C9", room="R9"))
    job = jobs.create(services.SOLVE_JOB_NAME)
    assert billing_client.post(reverse("scheduling:appointment_solve")).status_code == 403
    proposal = reverse("scheduling:appointment_proposal", args=[job.pk])
    assert billing_client.get(proposal).status_code == 403
    accept = reverse("scheduling:appointment_accept", args=[job.pk])
    assert billing_client.post(accept).status_code == 403
    move = reverse("scheduling:appointment_move", args=[appointment.pk])
    assert billing_client.get(move).status_code == 403
    assert billing_client.post(move, {"start": "09:30"}).status_code == 403
    assert Appointment.objects.get(pk=appointment.pk).start == appointment.start


def test_scheduler_solves_sees_the_proposal_and_accepts(scheduler_client, pending):
    response = scheduler_client.post(reverse("scheduling:appointment_solve"), {"time_limit": 2})
    job = jobs.JobRun.objects.get(name=services.SOLVE_JOB_NAME)
    assert response.url == reverse("scheduling:appointment_proposal", args=[job.pk])
    page = scheduler_client.get(response.url)
    assert page.status_code == 200
    assert pending.patient_ref[:12].encode() in page.content
    accepted = scheduler_client.post(reverse("scheduling:appointment_accept", args=[job.pk]))
    assert accepted.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "scheduled"
    assert AuditEvent.objects.filter(action="decide", object_id=str(job.pk)).exists()


def test_move_page_shows_the_conflict(scheduler_client, cardiology):
    session = make_session(cardiology, clinician="C5", room="R5", start="09:00", end="11:00")
    moving, blocking = book(session, start="09:00"), book(session, start="10:00")
    url = reverse("scheduling:appointment_move", args=[moving.pk])
    assert scheduler_client.get(url).status_code == 200
    response = scheduler_client.post(url, {"session": session.pk, "start": "10:10"})
    assert response.status_code == 400
    assert f"clashes with appointment #{blocking.pk}".encode() in response.content
    response = scheduler_client.post(url, {"session": session.pk, "start": "10:30"})
    assert response.status_code == 302
    moving.refresh_from_db()
    assert moving.start == dt.time(10, 30)
    assert AuditEvent.objects.filter(action="update", object_id=str(moving.pk)).exists()
