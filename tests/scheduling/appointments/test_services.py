"""Requests, batch solving, accepting and moving, against the real database."""

from __future__ import annotations

import datetime as dt

import pytest

from hospops import jobs
from hospops.privacy import pseudonymise
from scheduling import appointment_services as services
from scheduling.models import Appointment, AppointmentRequest, ProposedAppointment

from .conftest import NEXT_MONDAY, book, make_session


def new_request(department, identifier="NHS 123 456 7890", **fields):
    values = {
        "patient_identifier": identifier,
        "department": department,
        "duration_minutes": 30,
        "urgency": 1,
        "max_wait_days": 30,
        "earliest_date": NEXT_MONDAY,
    }
    return services.create_request(**{**values, **fields})


def test_request_stores_only_the_pseudonym(cardiology):
    request = new_request(cardiology)
    assert request.patient_ref == pseudonymise("NHS 123 456 7890")
    assert not AppointmentRequest.objects.filter(patient_ref__contains="123").exists()


def test_request_longer_than_every_session_is_refused(cardiology):
    make_session(cardiology, start="09:00", end="10:00")
    with pytest.raises(services.SchedulingError, match="longer than every session of CARD"):
        new_request(cardiology, duration_minutes=90)
    assert not AppointmentRequest.objects.exists()


def solve_now(time_limit: float = 2.0):
    job = jobs.create(services.SOLVE_JOB_NAME, run_date=NEXT_MONDAY - dt.timedelta(days=3))
    jobs.run_tracked(job, lambda j: services.solve_pending(j, time_limit=time_limit, workers=1))
    job.refresh_from_db()
    return job


def test_solve_proposes_around_existing_bookings_and_accept_books(cardiology):
    session = make_session(cardiology, start="09:00", end="10:30")
    book(session, start="09:30", minutes=30)
    first, second, third = (new_request(cardiology, f"p{i}") for i in range(3))
    job = solve_now()
    assert job.status == "succeeded", job.error
    assert job.counts["scheduled"] == 2 and job.counts["unscheduled"] == 1
    assert job.progress == 100 and job.message == "solved: OPTIMAL"
    starts = sorted(p.start for p in ProposedAppointment.objects.filter(job=job))
    assert starts == [dt.time(9, 0), dt.time(10, 0)]
    assert services.accept_proposal(job) == 2
    assert Appointment.objects.filter(status="booked").count() == 3
    assert AppointmentRequest.objects.filter(status="pending").count() == 1
    with pytest.raises(services.SchedulingError, match="no proposal left"):
        services.accept_proposal(job)


def test_accept_refuses_a_proposal_that_now_clashes_and_books_nothing(cardiology):
    session = make_session(cardiology)
    new_request(cardiology)
    job = solve_now()
    book(session, start="09:00", minutes=30)  # someone booked the slot meanwhile
    with pytest.raises(services.SchedulingError, match="clashes with appointment #"):
        services.accept_proposal(job)
    assert Appointment.objects.count() == 1
    assert AppointmentRequest.objects.get().status == "pending"


def test_move_names_the_clashing_appointment(cardiology):
    morning = make_session(cardiology, clinician="C1", room="R1")
    other_room = make_session(cardiology, clinician="C2", room="R1", start="10:00", end="11:00")
    moving = book(morning, start="09:00")
    blocking = book(other_room, start="10:00")
    with pytest.raises(services.SchedulingError) as error:
        services.move_appointment(moving, other_room, dt.time(10, 15))
    assert f"clashes with appointment #{blocking.pk} of clinician C2 in room R1" in str(error.value)
    moved = services.move_appointment(moving, other_room, dt.time(10, 30))
    assert (moved.clinician, moved.date, moved.start) == ("C2", NEXT_MONDAY, dt.time(10, 30))


def test_move_checks_hours_marks_department_and_patient_dates(cardiology, orthopaedics):
    request = new_request(cardiology, unavailable_dates=[NEXT_MONDAY + dt.timedelta(days=1)])
    monday = make_session(cardiology)
    tuesday = make_session(cardiology, date=NEXT_MONDAY + dt.timedelta(days=1))
    ortho = make_session(orthopaedics, clinician="O1", room="O1")
    appointment = book(monday, request=request)
    cases = [
        (monday, dt.time(9, 45), "09:45-10:15 is outside the session 09:00-10:00"),
        (monday, dt.time(9, 7), "09:07 is not on a 5-minute mark"),
        (ortho, dt.time(9, 0), "belongs to another department"),
        (tuesday, dt.time(9, 0), "the patient cannot come on"),
    ]
    for session, start, message in cases:
        with pytest.raises(services.SchedulingError, match=message):
            services.move_appointment(appointment, session, start)
    appointment.refresh_from_db()
    assert appointment.start == dt.time(9, 0) and appointment.session == monday


def test_overbooking_uses_the_learned_no_show_rate(cardiology):
    past = make_session(cardiology, clinician="OLD", room="OLD", date=dt.date(2029, 11, 5))
    book(past, status=Appointment.Status.COMPLETED)
    book(past, start="09:30", status=Appointment.Status.NO_SHOW)  # learned rate: 0.5
    make_session(cardiology, start="09:00", end="10:00")
    for i in range(3):
        new_request(cardiology, f"p{i}")
    job = jobs.create(services.SOLVE_JOB_NAME, run_date=NEXT_MONDAY - dt.timedelta(days=3))
    jobs.run_tracked(
        job,
        lambda j: services.solve_pending(
            j, time_limit=2, workers=1, overbooking=True, overbooking_cap=0.5
        ),
    )
    job.refresh_from_db()
    assert (job.counts["scheduled"], job.counts["overbooked"]) == (3, 1)
    assert services.accept_proposal(job) == 3
    assert Appointment.objects.filter(status="booked", overbooked=True).count() == 1
    # The next batch finds the session full, double bookings included.
    new_request(cardiology, "p-late")
    assert solve_now().counts["scheduled"] == 0


def test_solve_skips_and_names_a_request_longer_than_every_session(cardiology):
    too_long = new_request(cardiology, duration_minutes=120)  # no session exists yet
    make_session(cardiology, start="09:00", end="10:00")
    fits = new_request(cardiology, "p-fits")
    job = solve_now()
    assert job.status == "succeeded", job.error
    assert (job.counts["scheduled"], job.counts["unscheduled"]) == (1, 1)
    assert job.details["skipped"] == [
        f"request #{too_long.pk}: duration_minutes 120 is longer than every session of "
        "department CARD (longest 60 minutes)"
    ]
    assert ProposedAppointment.objects.get(job=job).request == fits
