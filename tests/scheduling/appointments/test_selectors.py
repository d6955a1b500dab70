"""Reads the forecasting module relies on, against the real database."""

from __future__ import annotations

import datetime as dt

from scheduling.models import Appointment
from scheduling.selectors import daily_appointment_counts, no_show_rate

from .conftest import book, make_session


def history(department, date, status, count=1):
    session = make_session(department, date=date)
    for _ in range(count):
        book(session, status=status)


def test_daily_counts_skip_cancelled_and_keep_types(cardiology, orthopaedics):
    monday, tuesday = dt.date(2029, 3, 5), dt.date(2029, 3, 6)
    history(cardiology, monday, Appointment.Status.COMPLETED, 3)
    history(cardiology, monday, Appointment.Status.NO_SHOW, 1)
    history(cardiology, monday, Appointment.Status.CANCELLED, 5)
    history(cardiology, tuesday, Appointment.Status.BOOKED, 2)
    history(orthopaedics, monday, Appointment.Status.COMPLETED, 1)
    frame = daily_appointment_counts()
    assert list(frame.columns) == ["department_id", "date", "count"]
    rows = {(r.department_id, r.date): r.count for r in frame.itertuples()}
    assert rows == {
        (cardiology.pk, monday): 4,
        (cardiology.pk, tuesday): 2,
        (orthopaedics.pk, monday): 1,
    }
    assert all(isinstance(value, dt.date) for value in frame["date"])
    assert str(frame["count"].dtype) == "int64" and str(frame["department_id"].dtype) == "int64"
    only_tuesday = daily_appointment_counts(start=tuesday, end=tuesday)
    assert only_tuesday.to_dict("records") == [
        {"department_id": cardiology.pk, "date": tuesday, "count": 2}
    ]


def test_daily_counts_of_an_empty_range_is_an_empty_frame(db):
    frame = daily_appointment_counts(dt.date(2001, 1, 1), dt.date(2001, 1, 31))
    assert frame.empty and list(frame.columns) == ["department_id", "date", "count"]


def test_no_show_rate_is_learned_from_the_last_year(cardiology):
    today = dt.date(2029, 6, 1)
    history(cardiology, dt.date(2029, 5, 2), Appointment.Status.COMPLETED, 6)
    history(cardiology, dt.date(2029, 5, 3), Appointment.Status.NO_SHOW, 2)
    history(cardiology, dt.date(2029, 5, 4), Appointment.Status.CANCELLED, 9)
    history(cardiology, dt.date(2027, 5, 4), Appointment.Status.NO_SHOW, 9)  # too old
    assert no_show_rate(cardiology.pk, on=today) == 0.25


def test_no_show_rate_without_history_is_zero(cardiology):
    assert no_show_rate(cardiology.pk) == 0.0
