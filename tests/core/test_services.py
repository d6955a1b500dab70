"""The real services: a Celery worker on the real broker and database, and headless Chromium."""

import os
import signal
import time

import pytest
from django.core.management import call_command

from hospops import roles
from hospops.models import JobRun
from tests.conftest import PASSWORD, make_user, wait_for_job


@pytest.mark.worker
def test_run_nightly_async_is_executed_by_a_real_worker(celery_worker):
    call_command("run_nightly", "--date", "2026-02-14", "--async")
    parent = JobRun.objects.get(name="nightly")
    wait_for_job(parent, celery_worker)
    assert parent.status == JobRun.Status.SUCCEEDED, parent.error
    assert parent.details["pid"] != os.getpid()
    assert parent.details["pid"] != celery_worker.pid  # a pool process, not the main one
    for step in parent.steps.all():
        assert step.status == JobRun.Status.SUCCEEDED, (step.name, step.error)


MODULES = {
    "forecasting": "Forecasting",
    "scheduling": "Scheduling",
    "fraud": "Claims review",
    "runs": "Pipeline runs",
    "audit": "Audit log",
}


@pytest.fixture
def chief(transactional_db):
    # Created before the browser starts: Playwright's event loop changes where Django keeps
    # the connection, and one opened under it would outlive the test database.
    return make_user("chief", roles.ADMINISTRATOR)


@pytest.mark.browser
def test_administrator_logs_in_and_opens_each_module(chief, live_server, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/forecasting/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/forecasting/")
    for module, heading in MODULES.items():
        page.click(f"nav.modules a[data-module={module}]")
        page.wait_for_load_state()
        assert page.locator("h1").first.inner_text().startswith(heading), module
        assert page.evaluate("getComputedStyle(document.body).fontFamily")  # CSS was served
    page.close()


@pytest.fixture
def fast_forecasts(monkeypatch):
    """The worker process reads its settings from the environment it starts with."""
    monkeypatch.setenv("HOSPOPS_FORECAST_CANDIDATES", "seasonal_naive,theta")


@pytest.mark.worker
def test_forecast_chunks_fan_out_over_a_real_worker(fast_forecasts, celery_worker):
    from forecasting.models import ForecastPoint, ForecastSeries
    from forecasting.pipeline import CHUNK_SIZE
    from tests.forecasting.factories import RUN_DATE, make_supply

    items = 2 * CHUNK_SIZE + 1
    make_supply(items=items)
    call_command("run_nightly", "--date", RUN_DATE.isoformat(), "--async")
    parent = JobRun.objects.get(name="nightly")
    wait_for_job(parent, celery_worker)
    step = parent.steps.get(name="forecast_all")
    assert step.status == JobRun.Status.SUCCEEDED, step.error
    assert step.counts["chunks"] == 3 and step.counts["series"] == items
    assert ForecastSeries.objects.filter(run__run_date=RUN_DATE).count() == items
    assert ForecastPoint.objects.filter(series__run__run_date=RUN_DATE).exists()
    assert step.details["pid"] != os.getpid()


@pytest.mark.worker
def test_a_killed_worker_process_has_its_task_redone_without_duplicates(
    fast_forecasts, celery_worker
):
    from forecasting.models import ForecastSeries
    from tests.forecasting.factories import RUN_DATE, make_supply

    items = 41
    make_supply(items=items)
    call_command("run_nightly", "--date", RUN_DATE.isoformat(), "--async")
    parent = JobRun.objects.get(name="nightly")
    deadline = time.monotonic() + 120
    while not parent.details.get("pid") and time.monotonic() < deadline:
        time.sleep(0.1)
        parent.refresh_from_db()
    killed_pid = parent.details["pid"]
    os.kill(killed_pid, signal.SIGKILL)  # the pool process running the nightly orchestrator

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        parent.refresh_from_db()
        if parent.is_finished and parent.details["pid"] != killed_pid:
            break
        time.sleep(0.5)
    errors = list(parent.steps.values_list("name", "error"))
    assert parent.status == JobRun.Status.SUCCEEDED, errors
    assert parent.details["pid"] != killed_pid  # redelivered to a fresh pool process
    assert ForecastSeries.objects.filter(run__run_date=RUN_DATE).count() == items
