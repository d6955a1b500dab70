"""The real services: a Celery worker on the real broker and database, and headless Chromium."""

import os

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
