import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasting import selectors, services
from forecasting.models import ForecastPoint, ForecastRun, ForecastSeries, ReorderRecommendation
from forecasting.pipeline import forecast_all
from hospops import jobs
from hospops.models import Department, Facility, JobRun

from .factories import RUN_DATE, make_supply

FAST = "seasonal_naive,theta"


def run_step(run_date: dt.date) -> JobRun:
    job = jobs.create("forecast_all", run_date=run_date)
    return jobs.run_tracked(job, forecast_all)


@pytest.mark.django_db
def test_nightly_step_forecasts_every_series_and_rerun_replaces_rows(settings):
    settings.HOSPOPS_FORECAST_CANDIDATES = FAST
    make_supply(items=3)
    job = run_step(RUN_DATE)
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert job.counts["series"] == 3 and job.progress == 100.0
    run = ForecastRun.objects.get(run_date=RUN_DATE)
    assert run.series.count() == 3
    assert ForecastPoint.objects.filter(series__run=run).count() == 3 * 28
    first = ForecastPoint.objects.filter(series__run=run).order_by("date").first()
    assert first.date == RUN_DATE + dt.timedelta(days=1)
    # The nearly empty item needs an order; the well-stocked ones do not.
    recommendation = ReorderRecommendation.objects.get()
    assert recommendation.item.item_id == "IT-0"
    assert recommendation.recommended_quantity % 10 == 0
    assert recommendation.stockout_date <= RUN_DATE + dt.timedelta(days=3)

    recommendation.status = ReorderRecommendation.Status.APPROVED
    recommendation.approved_quantity = recommendation.recommended_quantity
    recommendation.save()
    again = run_step(RUN_DATE)
    assert again.status == JobRun.Status.SUCCEEDED, again.error
    assert ForecastRun.objects.count() == 1
    assert ForecastSeries.objects.count() == 3
    assert ForecastPoint.objects.count() == 3 * 28
    # The decision survives the rerun, and no second recommendation appears beside it.
    assert list(ReorderRecommendation.objects.values_list("status", flat=True)) == ["approved"]


@pytest.mark.django_db
def test_appointment_loads_from_a_counts_frame_feed_the_roster_selector():
    facility = Facility.objects.create(code="H", name="H")
    ed = Department.objects.create(facility=facility, code="ED", name="Emergency")
    rng = np.random.default_rng(0)
    days = pd.date_range(RUN_DATE - dt.timedelta(days=111), RUN_DATE, freq="D")
    weekly = np.array([60, 55, 52, 50, 58, 70, 72])
    counts = pd.DataFrame(
        {
            "department_id": ed.pk,
            "date": days.date,
            "count": [int(weekly[d.weekday()] + rng.normal(0, 3)) for d in days],
        }
    )
    run = services.start_run(RUN_DATE)
    result = services.forecast_appointments(run, counts, candidates=FAST.split(","))
    assert result == {"series": 1, "fallbacks": 0}
    load = selectors.appointment_load_forecast(
        ed.pk, RUN_DATE + dt.timedelta(days=1), RUN_DATE + dt.timedelta(days=56)
    )
    assert list(load.columns) == ["date", "value", "lo80", "hi80", "lo95", "hi95"]
    assert len(load) == 56
    assert ((load.lo95 <= load.lo80) & (load.lo80 <= load.value) & (load.value <= load.hi80)).all()
    saturday = load[pd.to_datetime(load.date).dt.weekday == 5].value.mean()
    wednesday = load[pd.to_datetime(load.date).dt.weekday == 2].value.mean()
    assert saturday > wednesday + 10


@pytest.mark.django_db
def test_appointment_load_forecast_is_empty_without_a_run():
    frame = selectors.appointment_load_forecast(1, RUN_DATE, RUN_DATE)
    assert frame.empty and list(frame.columns)[0] == "date"
