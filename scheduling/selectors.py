"""Reads of appointment data for pages, the solver and the forecasting module."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models_appointments import Appointment, AppointmentRequest, ClinicianSession

COUNTED_STATUSES = (
    Appointment.Status.BOOKED,
    Appointment.Status.COMPLETED,
    Appointment.Status.NO_SHOW,
)
NO_SHOW_LOOKBACK_DAYS = 365


def daily_appointment_counts(
    start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Appointments per department and day (booked, completed and no-show; not cancelled).

    Columns ``department_id`` (Department pk), ``date`` (``datetime.date``), ``count`` (int);
    ``start`` and ``end`` are inclusive. Days without appointments have no row.
    """
    rows = Appointment.objects.filter(status__in=COUNTED_STATUSES)
    if start is not None:
        rows = rows.filter(date__gte=start)
    if end is not None:
        rows = rows.filter(date__lte=end)
    values = list(
        rows.values("department_id", "date")
        .annotate(count=Count("id"))
        .order_by("department_id", "date")
    )
    frame = pd.DataFrame(values, columns=["department_id", "date", "count"])
    return frame.astype({"department_id": "int64", "count": "int64"})


def no_show_rate(department_id: int, *, on: dt.date | None = None) -> float:
    """Share of attended-or-missed appointments that were missed over the last year, 0 if none."""
    on = on or timezone.localdate()
    counts = Appointment.objects.filter(
        department_id=department_id,
        date__lt=on,
        date__gte=on - dt.timedelta(days=NO_SHOW_LOOKBACK_DAYS),
    ).aggregate(
        missed=Count("id", filter=Q(status=Appointment.Status.NO_SHOW)),
        seen=Count(
            "id", filter=Q(status__in=[Appointment.Status.NO_SHOW, Appointment.Status.COMPLETED])
        ),
    )
    return counts["missed"] / counts["seen"] if counts["seen"] else 0.0


def pending_requests() -> QuerySet[AppointmentRequest]:
    return AppointmentRequest.objects.filter(
        status=AppointmentRequest.Status.PENDING
    ).select_related("department")


def open_sessions(start: dt.date, end: dt.date | None = None) -> QuerySet[ClinicianSession]:
    sessions = ClinicianSession.objects.filter(date__gte=start)
    if end is not None:
        sessions = sessions.filter(date__lte=end)
    return sessions.select_related("department")


def booked_appointments() -> QuerySet[Appointment]:
    return Appointment.objects.filter(status=Appointment.Status.BOOKED)
