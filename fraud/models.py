"""Claims, reference tables, scores and the review workflow.

Patients are pseudonymous: ``Patient.key`` is a keyed hash of the source identifier
(``hospops.privacy.pseudonymise``); the raw identifier is never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .engine import detectors

DETECTOR_CHOICES = [(name, detectors.LABELS[name]) for name in detectors.DETECTORS]


class Provider(models.Model):
    provider_id = models.CharField(max_length=64, unique=True, help_text="e.g. an NPI")
    name = models.CharField(max_length=200, blank=True)
    specialty = models.CharField(max_length=100, db_index=True)

    class Meta:
        ordering = ["provider_id"]

    def __str__(self) -> str:
        return self.name or self.provider_id


class Patient(models.Model):
    key = models.CharField(max_length=64, unique=True, help_text="Keyed hash of the source id.")
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=[("F", "F"), ("M", "M"), ("U", "U")])
    death_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"patient {self.short_key}"

    @property
    def short_key(self) -> str:
        return self.key[:12]


class Payer(models.Model):
    payer_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name or self.payer_id


class Claim(models.Model):
    claim_id = models.CharField(max_length=64, unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="claims")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="claims")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="claims")
    service_date = models.DateField(help_text="The earliest service date of its lines.")
    total_billed = models.DecimalField(max_digits=14, decimal_places=2)
    line_count = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64, help_text="Hash of the imported content.")
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["provider", "service_date"], name="fraud_claim_prov_date")]

    def __str__(self) -> str:
        return self.claim_id


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    service_date = models.DateField()
    procedure_code = models.CharField(max_length=5, db_index=True)
    modifiers = models.CharField(max_length=40, blank=True)
    diagnosis_codes = models.CharField(max_length=200, blank=True)
    units = models.PositiveIntegerField()
    billed_amount = models.DecimalField(max_digits=12, decimal_places=2)
    place_of_service = models.CharField(max_length=4, blank=True)

    class Meta:
        ordering = ["claim_id", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "line_number"], name="uniq_claim_line")
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}/{self.line_number} {self.procedure_code}"


class ProcedureCode(models.Model):
    code = models.CharField(max_length=5, unique=True)
    minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Typical clinician minutes for time-based codes."
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PtpEdit(models.Model):
    """Procedure-to-procedure pair not billed together for one patient, provider and day."""

    column1 = models.CharField(max_length=5)
    column2 = models.CharField(max_length=5)
    modifier_allowed = models.BooleanField(default=False)

    class Meta:
        ordering = ["column1", "column2"]
        constraints = [models.UniqueConstraint(fields=["column1", "column2"], name="uniq_ptp")]

    def __str__(self) -> str:
        return f"{self.column1}/{self.column2}"


class MueLimit(models.Model):
    code = models.CharField(max_length=5, unique=True)
    max_units = models.PositiveIntegerField(help_text="Per patient, provider and day.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} <= {self.max_units}"


class DetectorSetting(models.Model):
    detector = models.CharField(max_length=32, unique=True, choices=DETECTOR_CHOICES)
    weight = models.FloatField(default=1.0, help_text="0 to 1: how much a finding counts.")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_detector_display()


class ScoringSettings(models.Model):
    """A single row: the risk threshold above which a claim becomes a flag."""

    threshold = models.FloatField(default=0.5)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name_plural = "scoring settings"

    def __str__(self) -> str:
        return f"threshold {self.threshold:.2f}"

    @classmethod
    def current(cls) -> ScoringSettings:
        return cls.objects.get_or_create(pk=1)[0]


class ScoringBaseline(models.Model):
    """Peer baselines fitted on the whole population for one scoring run (pickled), so the
    per-provider chunks on the workers all score against the same reference."""

    created_at = models.DateTimeField(default=timezone.now)
    lines = models.PositiveIntegerField(default=0)
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"baseline {self.pk} ({self.lines} lines)"


class ClaimScore(models.Model):
    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="score")
    risk_score = models.FloatField(db_index=True)
    reasons = models.JSONField(default=list, help_text="Strongest first.")
    detectors = models.CharField(max_length=200, blank=True, help_text="',a,b,' for filtering")
    claim_hash = models.CharField(max_length=64, help_text="Claim content scored.")
    settings_hash = models.CharField(max_length=64, help_text="Weights and reference scored with.")
    scored_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.risk_score:.3f}"


class Flag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLEARED = "cleared", "Cleared"
        CONFIRMED = "confirmed", "Confirmed"
        ESCALATED = "escalated", "Escalated"
        RECORDS_REQUESTED = "records_requested", "Records requested"

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="flag")
    risk_score = models.FloatField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fraud_flags",
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every change.")
    # Copies of the claim's attributes so that the queue filters on one indexed table.
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="flags")
    specialty = models.CharField(max_length=100)
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="flags")
    service_date = models.DateField()
    total_billed = models.DecimalField(max_digits=14, decimal_places=2)
    detectors = models.CharField(max_length=200, blank=True)
    top_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-risk_score", "id"], name="fraud_flag_queue"),
            models.Index(fields=["status", "-risk_score", "id"], name="fraud_flag_status_queue"),
            models.Index(fields=["assignee", "status"], name="fraud_flag_assignee"),
            models.Index(fields=["specialty", "-risk_score"], name="fraud_flag_specialty"),
            models.Index(fields=["provider", "-risk_score"], name="fraud_flag_provider"),
            models.Index(fields=["service_date"], name="fraud_flag_date"),
        ]

    def __str__(self) -> str:
        return f"flag on {self.claim_id} ({self.status})"


class FlagDecision(models.Model):
    """One entry of a flag's history: a decision or an assignment, with its note."""

    class Action(models.TextChoices):
        CLEAR = "clear", "Clear"
        CONFIRM = "confirm", "Confirm"
        ESCALATE = "escalate", "Escalate"
        REQUEST_RECORDS = "request_records", "Request records"
        ASSIGN = "assign", "Assign"

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField()
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(help_text="The flag's version this decision created.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on flag {self.flag_id}"
