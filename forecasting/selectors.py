"""Reads of the forecasting module, including what other modules use."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pandas as pd
from django.db.models import Avg, Count, Q, QuerySet

from .models import (
    DailyUsage,
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    ReorderRecommendation,
)

LOAD_COLUMNS = ["date", "value", "lo80", "hi80", "lo95", "hi95"]


def latest_run(kind: str | None = None) -> ForecastRun | None:
    runs = ForecastRun.objects.all()
    if kind:
        runs = runs.filter(series__kind=kind).distinct()
    return runs.order_by("-run_date").first()


def appointment_counts(start: dt.date | None = None, end: dt.date | None = None):
    """Daily appointment counts per department from the scheduling module, or None while that
    module does not provide them."""
    try:
        module = import_module("scheduling.selectors")
    except ImportError:
        return None
    reader = getattr(module, "daily_appointment_counts", None)
    if reader is None:
        return None
    return reader(start=start, end=end)


def appointment_load_forecast(department_id: int, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Forecast daily appointments of a department from the latest run that has one, as
    columns date, value, lo80, hi80, lo95, hi95 (empty when there is none)."""
    series = (
        ForecastSeries.objects.filter(
            kind=ForecastSeries.Kind.APPOINTMENTS, department_id=department_id
        )
        .order_by("-run__run_date")
        .first()
    )
    if series is None:
        return pd.DataFrame(columns=LOAD_COLUMNS)
    rows = series.points.filter(date__range=(start, end)).values_list(*LOAD_COLUMNS)
    return pd.DataFrame(list(rows), columns=LOAD_COLUMNS)


def supply_series(run: ForecastRun, location: str = "", model: str = "", query: str = ""):
    series = ForecastSeries.objects.filter(run=run, kind=ForecastSeries.Kind.SUPPLY)
    if location:
        series = series.filter(location__code=location)
    if model:
        series = series.filter(model=model)
    if query:
        series = series.filter(Q(item__item_id__icontains=query) | Q(item__name__icontains=query))
    return series.select_related("item", "location").order_by("item__item_id", "location__code")


def department_series(run: ForecastRun) -> QuerySet[ForecastSeries]:
    return (
        ForecastSeries.objects.filter(run=run, kind=ForecastSeries.Kind.APPOINTMENTS)
        .select_related("department")
        .order_by("department__name")
    )


def supply_history(series: ForecastSeries, days: int) -> pd.Series:
    start = series.history_end - dt.timedelta(days=days - 1)
    rows = DailyUsage.objects.filter(
        item_id=series.item_id,
        location_id=series.location_id,
        date__gte=start,
        date__lte=series.history_end,
    ).values_list("date", "quantity")
    values = pd.Series(dict(rows), dtype=float)
    days_index = pd.date_range(start, series.history_end, freq="D").date
    return values.reindex(days_index, fill_value=0.0)


def appointment_history(series: ForecastSeries, days: int) -> pd.Series:
    start = series.history_end - dt.timedelta(days=days - 1)
    counts = appointment_counts(start=start, end=series.history_end)
    days_index = pd.date_range(start, series.history_end, freq="D").date
    if counts is None or counts.empty:
        return pd.Series(dtype=float)
    part = counts[counts["department_id"] == series.department_id]
    values = part.groupby("date")["count"].sum().astype(float)
    return values.reindex(days_index, fill_value=0.0)


def chart_data(series: ForecastSeries, history_days: int = 180) -> dict:
    """History, forecast and bands for Chart.js."""
    if series.kind == ForecastSeries.Kind.SUPPLY:
        history = supply_history(series, history_days)
    else:
        history = appointment_history(series, history_days)
    points = list(series.points.all())
    return {
        "history": [{"x": day.isoformat(), "y": value} for day, value in history.items()],
        "forecast": [{"x": p.date.isoformat(), "y": round(p.value, 3)} for p in points],
        "lo80": [{"x": p.date.isoformat(), "y": round(p.lo80, 3)} for p in points],
        "hi80": [{"x": p.date.isoformat(), "y": round(p.hi80, 3)} for p in points],
        "lo95": [{"x": p.date.isoformat(), "y": round(p.lo95, 3)} for p in points],
        "hi95": [{"x": p.date.isoformat(), "y": round(p.hi95, 3)} for p in points],
    }


def portfolio(run: ForecastRun) -> list[dict]:
    """Backtest accuracy of each model family over the run's series, and how often chosen."""
    rows = (
        ForecastSeries.objects.filter(run=run)
        .values("kind", "family")
        .annotate(series=Count("id"), mean_mase=Avg("backtest_mase"))
        .order_by("kind", "family")
    )
    return list(rows)


def candidate_accuracy(run: ForecastRun) -> list[dict]:
    """Mean backtest MASE of every candidate over the series where it was tried."""
    totals: dict[tuple[str, str], list[float]] = {}
    for kind, scores in ForecastSeries.objects.filter(run=run).values_list(
        "kind", "candidate_mase"
    ):
        for name, value in (scores or {}).items():
            totals.setdefault((kind, name), []).append(value)
    return [
        {"kind": kind, "model": name, "series": len(values), "mean_mase": sum(values) / len(values)}
        for (kind, name), values in sorted(totals.items())
    ]


def recommendations(run: ForecastRun, status: str = "", location: str = "", query: str = ""):
    rows = ReorderRecommendation.objects.filter(run=run).select_related(
        "item", "location", "decided_by"
    )
    if status:
        rows = rows.filter(status=status)
    if location:
        rows = rows.filter(location__code=location)
    if query:
        rows = rows.filter(Q(item__item_id__icontains=query) | Q(item__name__icontains=query))
    return rows.order_by("urgency_days", "item__item_id", "location__code")


def approved_orders(run: ForecastRun) -> QuerySet[ReorderRecommendation]:
    return recommendations(run).filter(
        status__in=[ReorderRecommendation.Status.APPROVED, ReorderRecommendation.Status.EDITED]
    )


def forecast_points(series: ForecastSeries) -> QuerySet[ForecastPoint]:
    return series.points.order_by("date")
