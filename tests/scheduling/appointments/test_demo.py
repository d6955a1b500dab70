"""The demo seeder: sessions ahead, a backlog, history with no-shows; idempotent."""

from __future__ import annotations

import pytest

from hospops.demo import seed_core
from scheduling import demo_appointments
from scheduling.models import Appointment, AppointmentRequest, ClinicianSession
from scheduling.selectors import daily_appointment_counts, no_show_rate


@pytest.fixture
def short_history(monkeypatch):
    # Two months of history keep the test fast; the demo itself seeds two years.
    monkeypatch.setattr(demo_appointments, "HISTORY_DAYS", 60)


def test_demo_adds_sessions_backlog_and_history_once(db, short_history):
    context = seed_core(seed=5, write=lambda line: None)
    demo_appointments.seed_appointments(context)
    sessions, requests = ClinicianSession.objects.count(), AppointmentRequest.objects.count()
    history = Appointment.objects.filter(date__lt=context.today).count()
    assert sessions > 100 and requests == demo_appointments.BACKLOG and history > 5000
    assert all(s.date > context.today for s in ClinicianSession.objects.all())
    cardiology = context.departments["CARD"]
    assert 0.05 < no_show_rate(cardiology.pk, on=context.today) < 0.25
    counts = daily_appointment_counts(end=context.today)
    weekdays = {d.weekday() for d in counts["date"]}
    assert weekdays <= {0, 1, 2, 3, 4}
    demo_appointments.seed_appointments(context)
    assert ClinicianSession.objects.count() == sessions
    assert AppointmentRequest.objects.count() == requests
    assert Appointment.objects.filter(date__lt=context.today).count() == history
