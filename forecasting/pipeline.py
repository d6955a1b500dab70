"""The nightly forecast: every supply series and every department's appointment load, fanned
out in chunks over the forecast workers, then the reorder recommendations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from hospops import jobs
from hospops.models import JobRun
from hospops.pipeline import nightly_step

from . import selectors, services, tasks
from .models import DailyUsage

CHUNK_SIZE = 20


def candidates_setting(name: str) -> list[str] | None:
    """Optional comma-separated candidate list from settings (default: every candidate)."""
    value = getattr(settings, name, "") or ""
    names = [part.strip() for part in value.split(",") if part.strip()]
    return names or None


def supply_pairs(run_date: dt.date) -> list[list[int]]:
    start = run_date - dt.timedelta(days=services.HISTORY_DAYS - 1)
    pairs = (
        DailyUsage.objects.filter(date__range=(start, run_date))
        .values_list("item_id", "location_id")
        .distinct()
        .order_by("item_id", "location_id")
    )
    return [list(pair) for pair in pairs]


def chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


@nightly_step("forecast_all", order=20)
def forecast_all(job: JobRun) -> dict:
    run_date = job.run_date
    config = {
        "supply_candidates": candidates_setting("HOSPOPS_FORECAST_CANDIDATES"),
        "appointment_candidates": candidates_setting("HOSPOPS_FORECAST_CANDIDATES"),
    }
    run = services.start_run(run_date, job=job, config=config)
    signatures = [
        tasks.forecast_supply_chunk.s(run.pk, chunk)
        for chunk in chunks(supply_pairs(run_date), CHUNK_SIZE)
    ]
    counts = selectors.appointment_counts(end=run_date)
    if counts is not None and not counts.empty:
        departments = sorted(int(dep) for dep in counts["department_id"].unique())
        signatures += [
            tasks.forecast_appointment_chunk.s(run.pk, chunk)
            for chunk in chunks(departments, CHUNK_SIZE)
        ]
    results = jobs.run_chunks(job, signatures, message="forecast chunks")
    totals = {
        "series": sum(result["series"] for result in results),
        "fallbacks": sum(result["fallbacks"] for result in results),
        "chunks": len(results),
    }
    jobs.report_progress(job.pk, 99.0, "reorder recommendations", counts=totals)
    totals.update(services.compute_recommendations(run))
    return totals
