"""Outpatient appointments: clinician sessions, pending requests, proposals and appointments.

Patients appear only as pseudonymous references (``hospops.privacy.pseudonymise``); no raw
identifier is stored. Clinics are :class:`hospops.models.Department` rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from hospops.models import Department, JobRun

__all__ = ["Appointment", "AppointmentRequest", "ClinicianSession", "ProposedAppointment"]

URGENCY_CHOICES = [(1, "1 routine"), (2, "2 soon"), (3, "3 priority"), (4, "4 urgent")]


def minutes_of(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def time_of(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


class ClinicianSession(models.Model):
    """A clinic held by one clinician in one room on one date, from start to end."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="clinician_sessions"
    )
    clinician = models.CharField(max_length=64, help_text="Clinician staff code.")
    room = models.CharField(max_length=64)
    date = models.DateField(db_index=True)
    start = models.TimeField()
    end = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField(
        default=5, help_text="Appointments start on marks this many minutes apart."
    )

    class Meta:
        ordering = ["date", "start", "clinician"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="session_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinician} {self.date} {self.start:%H:%M}-{self.end:%H:%M} ({self.room})"


class AppointmentRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    patient_ref = models.CharField(max_length=64, db_index=True, help_text="Pseudonym.")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="appointment_requests"
    )
    duration_minutes = models.PositiveSmallIntegerField()
    urgency = models.PositiveSmallIntegerField(choices=URGENCY_CHOICES, default=1)
    max_wait_days = models.PositiveSmallIntegerField()
    earliest_date = models.DateField()
    preferred_clinician = models.CharField(max_length=64, blank=True)
    unavailable_dates = models.JSONField(default=list, blank=True, help_text="ISO dates.")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["earliest_date", "-urgency", "id"]

    def __str__(self) -> str:
        return f"Request #{self.pk} ({self.department.code}, urgency {self.urgency})"

    @property
    def deadline(self) -> dt.date:
        return self.earliest_date + dt.timedelta(days=self.max_wait_days)

    @property
    def unavailable(self) -> set[dt.date]:
        return {dt.date.fromisoformat(day) for day in self.unavailable_dates}


class Appointment(models.Model):
    """A booked, attended, missed or cancelled appointment. History rows may have no session."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    request = models.OneToOneField(
        AppointmentRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointment",
    )
    session = models.ForeignKey(
        ClinicianSession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    patient_ref = models.CharField(max_length=64, db_index=True, help_text="Pseudonym.")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="appointments"
    )
    clinician = models.CharField(max_length=64, blank=True)
    room = models.CharField(max_length=64, blank=True)
    date = models.DateField(db_index=True)
    start = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.BOOKED, db_index=True
    )
    overbooked = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "start", "id"]
        indexes = [models.Index(fields=["department", "date"], name="appointment_dept_date")]

    def __str__(self) -> str:
        return f"Appointment #{self.pk} {self.date} {self.start:%H:%M}"

    @property
    def end(self) -> dt.time:
        return time_of(minutes_of(self.start) + self.duration_minutes)


class ProposedAppointment(models.Model):
    """One booking of a solver run's proposal, kept until the scheduler accepts it."""

    job = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="proposed_appointments")
    request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="proposals"
    )
    session = models.ForeignKey(
        ClinicianSession, on_delete=models.CASCADE, related_name="proposals"
    )
    start = models.TimeField()
    overbooked = models.BooleanField(default=False)

    class Meta:
        ordering = ["session__date", "session__start", "start", "id"]

    def __str__(self) -> str:
        return f"Proposal of run #{self.job_id}: request #{self.request_id} at {self.start:%H:%M}"

    @property
    def end(self) -> dt.time:
        return time_of(minutes_of(self.start) + self.request.duration_minutes)
