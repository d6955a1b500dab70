"""Celery tasks of the forecast queue: they load ids and call the services."""

from __future__ import annotations

from celery import shared_task

from . import selectors, services
from .models import ForecastRun


@shared_task(name="forecasting.tasks.forecast_supply_chunk")
def forecast_supply_chunk(run_id: int, pairs: list[list[int]]) -> dict:
    run = ForecastRun.objects.get(pk=run_id)
    return services.forecast_supply(run, [(item, location) for item, location in pairs])


@shared_task(name="forecasting.tasks.forecast_appointment_chunk")
def forecast_appointment_chunk(run_id: int, department_ids: list[int]) -> dict:
    run = ForecastRun.objects.get(pk=run_id)
    counts = selectors.appointment_counts(end=run.run_date)
    if counts is None:
        return {"series": 0, "fallbacks": 0}
    counts = counts[counts["department_id"].isin(department_ids)]
    return services.forecast_appointments(run, counts)
