import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from hospops import jobs, pipeline
from hospops.models import JobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered_steps():
    """Two real steps that write to the database, one of which fails; restored afterwards."""
    pipeline.steps()  # import the apps' pipeline modules now, so they do not register later
    saved = dict(pipeline._STEPS)
    pipeline._STEPS.clear()

    @pipeline.nightly_step("first_fails", order=1)
    def first_fails(job):
        JobRun.objects.filter(pk=job.pk).update(message="about to fail")
        raise ValueError("bad input in series 7")

    @pipeline.nightly_step("second_counts", order=2)
    def second_counts(job):
        return {"rows": JobRun.objects.count()}

    yield
    pipeline._STEPS.clear()
    pipeline._STEPS.update(saved)


def test_failing_step_is_recorded_and_later_steps_still_run(registered_steps):
    with pytest.raises(CommandError):
        call_command("run_nightly", "--date", "2026-03-01")
    parent = JobRun.objects.get(name="nightly")
    first, second = parent.steps.order_by("id")
    assert parent.run_date == dt.date(2026, 3, 1)
    assert (first.status, second.status, parent.status) == ("failed", "succeeded", "failed")
    assert "ValueError: bad input in series 7" in first.error
    assert second.counts["rows"] == 3
    assert second.progress == 100.0


def test_runs_page_lists_runs_with_steps_and_errors(registered_steps, admin_client_):
    with pytest.raises(CommandError):
        call_command("run_nightly")
    page = admin_client_.get("/runs/").content.decode()
    assert "nightly #" in page and "first_fails" in page and "second_counts" in page
    parent = JobRun.objects.get(name="nightly")
    detail = admin_client_.get(f"/runs/{parent.pk}/").content.decode()
    assert "bad input in series 7" in detail
    progress = admin_client_.get(f"/runs/{parent.pk}/progress.json").json()
    assert [step["status"] for step in progress["steps"]] == ["failed", "succeeded"]


def test_rerun_skips_steps_that_already_succeeded(registered_steps):
    parent = pipeline.create_run(dt.date(2026, 3, 2))
    pipeline.execute(parent.pk)
    second = parent.steps.get(name="second_counts")
    finished_at = second.finished_at
    pipeline.execute(parent.pk)  # a redelivered task after a lost worker
    second.refresh_from_db()
    assert second.finished_at == finished_at


def test_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD"):
        call_command("run_nightly", "--date", "01/03/2026")


def test_run_tracked_records_success_counts():
    job = jobs.create("import", run_date=dt.date(2026, 1, 1))
    jobs.run_tracked(job, lambda j: {"lines": 12})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.counts == {"lines": 12} and job.finished_at


def test_other_users_cannot_see_someone_elses_run(scheduler_client, supply_user):
    job = jobs.create("solve", user=supply_user)
    assert scheduler_client.get(f"/runs/{job.pk}/progress.json").status_code == 403
