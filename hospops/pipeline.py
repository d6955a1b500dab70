"""The nightly pipeline: steps that the domain apps register in their ``pipeline`` modules.

A step is a function ``step(job: JobRun) -> dict | None`` returning counts; ``job.run_date`` is
the night processed. Steps must be idempotent: running the same night twice leaves no
duplicates. One failing step is recorded and the following steps still run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from . import jobs
from .models import JobRun

StepFunction = Callable[[JobRun], dict | None]


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    function: StepFunction


_STEPS: dict[str, Step] = {}


def nightly_step(name: str, order: int) -> Callable[[StepFunction], StepFunction]:
    def register(function: StepFunction) -> StepFunction:
        _STEPS[name] = Step(name=name, order=order, function=function)
        return function

    return register


def steps() -> list[Step]:
    autodiscover_modules("pipeline")
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


def create_run(run_date: dt.date | None = None, user=None) -> JobRun:
    run_date = run_date or timezone.localdate()
    parent = jobs.create("nightly", run_date=run_date, user=user)
    for step in steps():
        jobs.create(step.name, run_date=run_date, parent=parent, user=user)
    return parent


def execute(parent_id: int) -> JobRun:
    """Run the steps of one nightly run in order. Steps already succeeded (a redelivered task
    after a lost worker) are not run again."""
    parent = JobRun.objects.get(pk=parent_id)
    registered = {step.name: step for step in steps()}

    def run_all(job: JobRun) -> dict:
        children = list(job.steps.order_by("id"))
        failed = []
        for index, child in enumerate(children):
            if child.status != JobRun.Status.SUCCEEDED:
                step = registered.get(child.name)
                if step is None:
                    child.status, child.error = JobRun.Status.FAILED, "step no longer registered"
                    child.save(update_fields=["status", "error"])
                else:
                    jobs.run_tracked(child, step.function)
            if child.status == JobRun.Status.FAILED:
                failed.append(child.name)
            jobs.report_progress(job.pk, 100.0 * (index + 1) / len(children), child.name)
        if failed:
            raise RuntimeError(f"failed steps: {', '.join(failed)}")
        return {"steps": len(children)}

    return jobs.run_tracked(parent, run_all)
