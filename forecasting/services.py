"""Writes of the forecasting module: forecast runs, their series and points, reorder
recommendations and the decisions on them. Every write runs in a transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .engine import MODEL_FAMILIES, ForecastConfig, SeriesResult, forecast_many
from .engine.reorder import ReorderInput, plan_reorder, sigma_from_upper_bound
from .models import (
    DailyUsage,
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    ReorderRecommendation,
    StockLevel,
)

SUPPLY_HORIZON_DAYS = 28
APPOINTMENT_HORIZON_DAYS = 56  # the 8 weeks the rosters plan ahead
HISTORY_DAYS = 3 * 366  # enough for two yearly cycles plus backtest windows


def holiday_country() -> str | None:
    return getattr(settings, "HOSPOPS_HOLIDAY_COUNTRY", None) or None


def supply_config(candidates: Sequence[str] | None = None) -> ForecastConfig:
    return ForecastConfig(
        freq="D",
        horizon=SUPPLY_HORIZON_DAYS,
        season=7,
        candidates=tuple(candidates) if candidates else None,
        holiday_country=holiday_country(),
    )


def appointment_config(candidates: Sequence[str] | None = None) -> ForecastConfig:
    return ForecastConfig(
        freq="D",
        horizon=APPOINTMENT_HORIZON_DAYS,
        season=7,
        candidates=tuple(candidates) if candidates else None,
        holiday_country=holiday_country(),
    )


def start_run(run_date: dt.date, job=None, config: dict | None = None) -> ForecastRun:
    """The night's forecast run, emptied if it exists, so that a rerun replaces its rows.
    Decided recommendations of that night are kept."""
    with transaction.atomic():
        run, created = ForecastRun.objects.select_for_update().get_or_create(
            run_date=run_date, defaults={"job": job, "config": config or {}}
        )
        if not created:
            run.series.all().delete()
            run.recommendations.filter(status=ReorderRecommendation.Status.PENDING).delete()
            run.job, run.config, run.created_at = job, config or {}, timezone.now()
            run.save(update_fields=["job", "config", "created_at"])
    return run


def usage_series(
    pairs: Iterable[tuple[int, int]], history_end: dt.date, history_days: int = HISTORY_DAYS
) -> dict[tuple[int, int], pd.Series]:
    """Daily usage of each (item pk, location pk) up to ``history_end``; days without a usage
    row count as zero, from the first recorded day on."""
    pairs = list(pairs)
    start = history_end - dt.timedelta(days=history_days - 1)
    rows = DailyUsage.objects.filter(
        item_id__in={item for item, _ in pairs},
        location_id__in={location for _, location in pairs},
        date__range=(start, history_end),
    ).values_list("item_id", "location_id", "date", "quantity")
    frame = pd.DataFrame(list(rows), columns=["item", "location", "date", "quantity"])
    series = {}
    for pair in pairs:
        part = frame[(frame["item"] == pair[0]) & (frame["location"] == pair[1])]
        if part.empty:
            series[pair] = pd.Series([0.0], index=pd.DatetimeIndex([history_end]))
            continue
        values = part.set_index(pd.DatetimeIndex(part["date"]))["quantity"].astype(float)
        days = pd.date_range(values.index.min(), history_end, freq="D")
        series[pair] = values.groupby(level=0).sum().reindex(days, fill_value=0.0)
    return series


def save_results(run: ForecastRun, kind: str, results: list[tuple[dict, SeriesResult]]) -> int:
    """Store forecasts; ``results`` pairs the series' foreign keys with its engine result.

    A series already stored for this run is replaced: a chunk redelivered after a lost worker
    may race its first delivery, so writers of one run are serialised on the run's row.
    """
    with transaction.atomic():
        ForecastRun.objects.select_for_update().only("pk").get(pk=run.pk)
        for keys, _ in results:
            run.series.filter(kind=kind, **keys).delete()
        series_rows = [
            ForecastSeries(
                run=run,
                kind=kind,
                model=result.model,
                family=MODEL_FAMILIES.get(result.model, "Other"),
                backtest_mase=result.selected_mase,
                candidate_mase={k: round(v, 4) for k, v in result.backtest_mase.items()},
                reason=result.reason[:300],
                notes=result.notes[:10],
                history_end=run.run_date,
                **keys,
            )
            for keys, result in results
        ]
        created = ForecastSeries.objects.bulk_create(series_rows)
        points = [
            ForecastPoint(
                series=series,
                date=row.date.date(),
                value=row.value,
                lo80=row.lo80,
                hi80=row.hi80,
                lo95=row.lo95,
                hi95=row.hi95,
            )
            for series, (_, result) in zip(created, results, strict=True)
            for row in result.forecast.itertuples()
            if not pd.isna(row.date)
        ]
        ForecastPoint.objects.bulk_create(points, batch_size=2000)
    return len(created)


def forecast_supply(
    run: ForecastRun,
    pairs: Sequence[tuple[int, int]],
    candidates: Sequence[str] | None = None,
    config: ForecastConfig | None = None,
) -> dict:
    """Forecast the usage of the given (item pk, location pk) pairs into ``run``."""
    config = config or supply_config(candidates or run.config.get("supply_candidates"))
    series = usage_series(pairs, run.run_date)
    results = forecast_many(
        [(f"{item}:{location}", values) for (item, location), values in series.items()], config
    )
    keyed = [
        ({"item_id": item, "location_id": location}, result)
        for (item, location), result in zip(series, results, strict=True)
    ]
    saved = save_results(run, ForecastSeries.Kind.SUPPLY, keyed)
    return {
        "series": saved,
        "fallbacks": sum(bool(result.reason) for result in results),
        "fit_seconds": round(sum(r.fit_seconds for r in results), 3),
    }


def appointment_series(counts: pd.DataFrame, history_end: dt.date) -> dict[int, pd.Series]:
    """Daily appointment counts per department (columns department_id, date, count); days
    without appointments count as zero."""
    series = {}
    if counts.empty:
        return series
    counts = counts[pd.to_datetime(counts["date"]) <= pd.Timestamp(history_end)]
    for department_id, part in counts.groupby("department_id"):
        values = part.set_index(pd.DatetimeIndex(part["date"]))["count"].astype(float)
        days = pd.date_range(values.index.min(), history_end, freq="D")
        series[int(department_id)] = values.groupby(level=0).sum().reindex(days, fill_value=0.0)
    return series


def forecast_appointments(
    run: ForecastRun, counts: pd.DataFrame, candidates: Sequence[str] | None = None
) -> dict:
    """Forecast the next 8 weeks of appointments per department from their daily counts."""
    config = appointment_config(candidates or run.config.get("appointment_candidates"))
    series = appointment_series(counts, run.run_date)
    results = forecast_many([(str(dep), values) for dep, values in series.items()], config)
    keyed = [({"department_id": dep}, result) for dep, result in zip(series, results, strict=True)]
    saved = save_results(run, ForecastSeries.Kind.APPOINTMENTS, keyed)
    return {"series": saved, "fallbacks": sum(bool(result.reason) for result in results)}


def recommendation_for(stock: StockLevel, series: ForecastSeries, run: ForecastRun):
    points = list(series.points.all())
    item = stock.item
    plan = plan_reorder(
        ReorderInput(
            on_hand=stock.on_hand,
            on_order=stock.on_order,
            lead_time_days=item.lead_time_days,
            review_days=item.review_days,
            pack_size=item.pack_size,
            minimum_order=item.minimum_order,
            service_level=item.service_level,
            daily_forecast=tuple(point.value for point in points),
            daily_sigma=tuple(
                sigma_from_upper_bound(point.value, point.hi95, 0.95) for point in points
            ),
        ),
        today=run.run_date,
    )
    cover = plan.days_of_cover
    horizon = len(points)
    urgency = (cover if cover is not None else float(horizon)) - item.lead_time_days
    return ReorderRecommendation(
        run=run,
        item=item,
        location=stock.location,
        on_hand=stock.on_hand,
        on_order=stock.on_order,
        lead_time_demand=round(plan.lead_time_demand, 3),
        safety_stock=round(plan.safety_stock, 3),
        reorder_point=round(plan.reorder_point, 3),
        order_up_to=round(plan.order_up_to, 3),
        recommended_quantity=plan.order_quantity,
        days_of_cover=round(cover, 2) if cover is not None else None,
        stockout_date=plan.stockout_date,
        urgency_days=round(urgency, 2),
    )


def compute_recommendations(run: ForecastRun) -> dict:
    """Recommend orders for every stocked item and location whose stock position is at or
    below its reorder point. Pending recommendations of the run are replaced; decided ones
    stay as they are."""
    series_by_pair = {
        (series.item_id, series.location_id): series
        for series in ForecastSeries.objects.filter(
            run=run, kind=ForecastSeries.Kind.SUPPLY
        ).prefetch_related("points")
    }
    with transaction.atomic():
        run.recommendations.filter(status=ReorderRecommendation.Status.PENDING).delete()
        decided = set(run.recommendations.values_list("item_id", "location_id"))
        new = []
        for stock in StockLevel.objects.select_related("item", "location"):
            pair = (stock.item_id, stock.location_id)
            series = series_by_pair.get(pair)
            if series is None or pair in decided:
                continue
            recommendation = recommendation_for(stock, series, run)
            if recommendation.recommended_quantity > 0:
                new.append(recommendation)
        ReorderRecommendation.objects.bulk_create(new)
    return {"recommendations": len(new), "kept_decisions": len(decided)}


class DecisionError(ValueError):
    pass


def decide(
    recommendation: ReorderRecommendation,
    user,
    action: str,
    quantity: int | None = None,
    note: str = "",
) -> ReorderRecommendation:
    """Approve (as recommended), edit (approve another quantity) or reject. An approval
    with a quantity other than the recommended one counts as an edit."""
    status = ReorderRecommendation.Status
    if action == "approve" and quantity and quantity != recommendation.recommended_quantity:
        action = "edit"
    if action == "approve":
        recommendation.status = status.APPROVED
        recommendation.approved_quantity = recommendation.recommended_quantity
    elif action == "edit":
        if quantity is None or quantity <= 0:
            raise DecisionError("an edited order needs a quantity above zero")
        pack = recommendation.item.pack_size
        if quantity % pack:
            raise DecisionError(f"the quantity must be a whole number of packs of {pack}")
        recommendation.status = status.EDITED
        recommendation.approved_quantity = quantity
    elif action == "reject":
        recommendation.status = status.REJECTED
        recommendation.approved_quantity = None
    else:
        raise DecisionError(f"unknown decision {action!r}")
    recommendation.decided_by = user
    recommendation.decided_at = timezone.now()
    recommendation.decision_note = note[:300]
    with transaction.atomic():
        recommendation.save(
            update_fields=[
                "status",
                "approved_quantity",
                "decided_by",
                "decided_at",
                "decision_note",
            ]
        )
    return recommendation
