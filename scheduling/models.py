from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from hospops.models import Department, JobRun

# ---------------------------------------------------------------------------------------------
# Staff rostering
# ---------------------------------------------------------------------------------------------


class Skill(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ShiftType(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    start_time = models.TimeField()
    length_minutes = models.PositiveIntegerField()
    min_rest_minutes = models.PositiveIntegerField(
        default=0, help_text="Minimum rest after this shift before the next day's shift."
    )
    forbidden_successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        help_text="Shift types that may not be worked the day after this one.",
    )
    required_skills = models.ManyToManyField(
        Skill, blank=True, help_text="Staff need one of these skills; empty means anyone."
    )
    is_night = models.BooleanField(default=False)
    colour = models.CharField(max_length=7, default="#8ecae6")

    class Meta:
        ordering = ["start_time", "code"]

    def __str__(self) -> str:
        return self.code


class StaffMember(models.Model):
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff")
    code = models.CharField(max_length=32, unique=True, help_text="Staff number.")
    name = models.CharField(max_length=200)
    skills = models.ManyToManyField(Skill, blank=True, related_name="staff")
    active = models.BooleanField(default=True)
    # Contract, per roster period; blank maxima do not apply.
    min_minutes = models.PositiveIntegerField(default=0)
    max_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_consecutive_days = models.PositiveIntegerField(null=True, blank=True)
    min_consecutive_days = models.PositiveIntegerField(default=1)
    min_consecutive_days_off = models.PositiveIntegerField(default=1)
    max_weekends = models.PositiveIntegerField(null=True, blank=True)
    minima_soft = models.BooleanField(
        default=False, help_text="Treat the contract minima as wishes rather than hard rules."
    )

    class Meta:
        ordering = ["department__code", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ShiftLimit(models.Model):
    """The most shifts of one type a staff member works in a period (0: never)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="shift_limits")
    shift_type = models.ForeignKey(ShiftType, on_delete=models.CASCADE, related_name="+")
    max_shifts = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "shift_type"], name="uniq_shift_limit")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.shift_type}: at most {self.max_shifts}"


class CoverageRequirement(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        FORECAST = "forecast", "Forecast"

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(db_index=True)
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+")
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.PROTECT)
    required = models.PositiveIntegerField()
    minimum = models.PositiveIntegerField(default=0, help_text="Hard safe-staffing floor.")
    under_weight = models.PositiveIntegerField(default=100)
    over_weight = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["date", "shift_type__start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "date", "shift_type", "skill"], name="uniq_coverage_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.shift_type} {self.skill or 'any'}: {self.required}"


class StaffingRatio(models.Model):
    """Staff needed per forecast appointment, by department, shift and skill (scheduler-edited)."""

    class Level(models.TextChoices):
        POINT = "value", "Point forecast"
        HI80 = "hi80", "Upper 80%"
        HI95 = "hi95", "Upper 95%"

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    shift_type = models.ForeignKey(ShiftType, on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.CASCADE)
    appointments_per_staff = models.DecimalField(max_digits=7, decimal_places=2)
    base_staff = models.PositiveIntegerField(default=0, help_text="Staff needed at zero load.")
    minimum = models.PositiveIntegerField(default=0, help_text="Hard floor on every day.")
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.POINT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "shift_type", "skill"], name="uniq_staffing_ratio"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.shift_type} {self.skill or 'any'}"


class Leave(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="leave")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED)
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return f"{self.staff} {self.start_date}–{self.end_date}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Leave ends before it starts."})


class ShiftPreference(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="preferences")
    date = models.DateField()
    shift_type = models.ForeignKey(
        ShiftType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Empty: any shift (a wish to work, or a day-off wish).",
    )
    wants = models.BooleanField(help_text="True: wants the shift; False: wants it off.")
    weight = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        wish = "wants" if self.wants else "avoids"
        return f"{self.staff} {self.date} {wish} {self.shift_type or 'work'}"


class Roster(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="rosters")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        help_text="The published roster this draft repairs.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(JobRun, null=True, blank=True, on_delete=models.SET_NULL)
    # Solver statistics of the latest solve.
    solver_status = models.CharField(max_length=16, blank=True)
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    wall_seconds = models.FloatField(null=True, blank=True)
    time_limit_seconds = models.PositiveIntegerField(default=20)
    penalties = models.JSONField(default=dict, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.department.code} {self.start_date}–{self.end_date} ({self.status})"

    @property
    def num_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class Assignment(models.Model):
    """One cell of a roster: a shift, or (``shift_type`` empty) a day off the scheduler locked."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="assignments")
    date = models.DateField()
    shift_type = models.ForeignKey(ShiftType, null=True, blank=True, on_delete=models.PROTECT)
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "staff__name"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "staff", "date"], name="uniq_roster_cell")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.date} {self.shift_type or 'off'}"


from .models_appointments import *  # noqa: E402,F401,F403
