from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import pipeline


@shared_task(name="hospops.tasks.execute_nightly")
def execute_nightly(parent_id: int) -> str:
    return pipeline.execute(parent_id).status


@shared_task(name="hospops.tasks.run_nightly_pipeline")
def run_nightly_pipeline(run_date: str | None = None) -> int:
    """Beat entry point: create tonight's run and execute it on this worker."""
    date = dt.date.fromisoformat(run_date) if run_date else None
    parent = pipeline.create_run(date)
    pipeline.execute(parent.pk)
    return parent.pk
