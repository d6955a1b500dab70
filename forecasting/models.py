"""Supply items and their usage, forecast runs with their points, and reorder decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from hospops.models import Department, JobRun


class Location(models.Model):
    """A store or ward that holds stock."""

    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class SupplyItem(models.Model):
    item_id = models.CharField("item id", max_length=50, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    lead_time_days = models.PositiveIntegerField()
    pack_size = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    minimum_order = models.PositiveIntegerField(default=0)
    service_level = models.FloatField(
        default=0.95, validators=[MinValueValidator(0.5), MaxValueValidator(0.999)]
    )
    review_days = models.PositiveIntegerField(
        default=7, help_text="Days between orders: the order-up-to level covers them too."
    )

    class Meta:
        ordering = ["item_id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.name}"


class StockLevel(models.Model):
    item = models.ForeignKey(SupplyItem, on_delete=models.CASCADE, related_name="stock")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="stock")
    on_hand = models.FloatField(default=0)
    on_order = models.FloatField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "location"], name="uniq_stock_item_location")
        ]

    def __str__(self) -> str:
        return f"{self.item.item_id} @ {self.location.code}: {self.on_hand:g}"


class DailyUsage(models.Model):
    """Quantity used of an item at a location on a day. A day without a row used nothing."""

    item = models.ForeignKey(SupplyItem, on_delete=models.CASCADE, related_name="usage")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="usage")
    date = models.DateField()
    quantity = models.FloatField(validators=[MinValueValidator(0)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "location", "date"], name="uniq_usage_item_location_date"
            )
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.item_id}@{self.location_id}: {self.quantity:g}"


class ForecastRun(models.Model):
    """The forecasts of one night. Re-running that night replaces its series."""

    run_date = models.DateField(
        unique=True, help_text="Last day of history; forecasts start after."
    )
    job = models.ForeignKey(JobRun, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    config = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return f"Forecast run {self.run_date}"


class ForecastSeries(models.Model):
    class Kind(models.TextChoices):
        SUPPLY = "supply", "Supply usage"
        APPOINTMENTS = "appointments", "Appointment load"

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="series")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    item = models.ForeignKey(SupplyItem, null=True, blank=True, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    model = models.CharField(max_length=30, help_text="Candidate chosen by the backtest.")
    family = models.CharField(max_length=40)
    backtest_mase = models.FloatField(null=True, blank=True)
    candidate_mase = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why a fallback was used.")
    notes = models.JSONField(default=list, blank=True)
    history_end = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "item", "location"],
                condition=models.Q(kind="supply"),
                name="uniq_forecast_supply_series",
            ),
            models.UniqueConstraint(
                fields=["run", "department"],
                condition=models.Q(kind="appointments"),
                name="uniq_forecast_department_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.model})"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.APPOINTMENTS:
            return str(self.department)
        return f"{self.item} @ {self.location}"


class ForecastPoint(models.Model):
    series = models.ForeignKey(ForecastSeries, on_delete=models.CASCADE, related_name="points")
    date = models.DateField()
    value = models.FloatField()
    lo80 = models.FloatField()
    hi80 = models.FloatField()
    lo95 = models.FloatField()
    hi95 = models.FloatField()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="uniq_forecast_point_date")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.value:.1f}"


class ReorderRecommendation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        EDITED = "edited", "Approved with changes"
        REJECTED = "rejected", "Rejected"

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="recommendations")
    item = models.ForeignKey(SupplyItem, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, on_delete=models.CASCADE)
    on_hand = models.FloatField()
    on_order = models.FloatField()
    lead_time_demand = models.FloatField()
    safety_stock = models.FloatField()
    reorder_point = models.FloatField()
    order_up_to = models.FloatField()
    recommended_quantity = models.PositiveIntegerField()
    days_of_cover = models.FloatField(null=True, blank=True)
    stockout_date = models.DateField(null=True, blank=True)
    urgency_days = models.FloatField(
        help_text="Days of cover minus lead time: below zero, stock runs out before an order "
        "placed today arrives."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    approved_quantity = models.PositiveIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["urgency_days", "item__item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "item", "location"], name="uniq_recommendation_run_item_location"
            )
        ]

    def __str__(self) -> str:
        return f"Order {self.recommended_quantity} {self.item.item_id} @ {self.location.code}"

    @property
    def is_decided(self) -> bool:
        return self.status != self.Status.PENDING

    @property
    def order_cost(self) -> float:
        quantity = self.approved_quantity or 0
        return float(self.item.unit_cost) * quantity
