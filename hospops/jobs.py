"""Recording background work in :class:`JobRun` rows, in-process or across Celery workers."""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from celery import current_app, group
from celery.canvas import Signature
from celery.result import allow_join_result
from django.utils import timezone

from .models import JobRun

logger = logging.getLogger(__name__)
Status = JobRun.Status


def tasks_run_in_process() -> bool:
    """True in the embedded mode (no broker): tasks execute in the calling process."""
    return bool(current_app.conf.task_always_eager)


def create(name: str, *, run_date=None, parent: JobRun | None = None, user=None) -> JobRun:
    return JobRun.objects.create(
        name=name,
        run_date=run_date,
        parent=parent,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def report_progress(
    job_id: int, progress: float, message: str = "", counts: dict | None = None, **details: Any
) -> None:
    """Write progress without touching other fields, so concurrent writers do not clobber."""
    fields: dict[str, Any] = {"progress": max(0.0, min(100.0, progress)), "message": message[:300]}
    if counts is not None:
        fields["counts"] = counts
    if details:
        job = JobRun.objects.only("details").get(pk=job_id)
        fields["details"] = {**job.details, **details}
    JobRun.objects.filter(pk=job_id).update(**fields)


def run_tracked(job: JobRun, work: Callable[[JobRun], dict | None]) -> JobRun:
    """Run ``work(job)``, recording start, finish, counts and any error; never raises."""
    job.status, job.started_at, job.finished_at, job.error = (
        Status.RUNNING,
        timezone.now(),
        None,
        "",
    )
    job.details = {**job.details, "host": socket.gethostname(), "pid": os.getpid()}
    job.save(update_fields=["status", "started_at", "finished_at", "error", "details"])
    try:
        counts = work(job)
    except Exception as exc:  # noqa: BLE001 - the failure is recorded, the caller goes on
        logger.exception("job %s #%s failed", job.name, job.pk)
        job.refresh_from_db(fields=["progress", "message", "counts", "details"])
        job.status, job.error = Status.FAILED, f"{type(exc).__name__}: {exc}"
        job.details = {**job.details, "traceback": traceback.format_exc(limit=8)}
    else:
        job.refresh_from_db(fields=["counts", "details", "message"])
        job.status, job.progress = Status.SUCCEEDED, 100.0
        if counts:
            job.counts = {**job.counts, **counts}
    job.finished_at = timezone.now()
    job.save()
    return job


def run_chunks(
    job: JobRun,
    signatures: Sequence[Signature],
    *,
    message: str = "chunks",
    poll_seconds: float = 0.5,
) -> list[Any]:
    """Run chunk tasks (in-process when eager, else across workers) and report progress.

    Returns each chunk's result in order. A failing chunk raises after all chunks finish, so
    one bad chunk never hides the work of the others.
    """
    total = len(signatures)
    if total == 0:
        return []
    if tasks_run_in_process():
        results = []
        # The caller may itself be an eagerly run task; waiting on its chunks is then safe.
        with allow_join_result():
            for done, signature in enumerate(signatures, start=1):
                results.append(signature.apply().get())
                report_progress(job.pk, 100.0 * done / total, f"{done}/{total} {message}")
        return results
    group_result = group(signatures).apply_async()
    while not group_result.ready():
        done = group_result.completed_count()
        report_progress(job.pk, 100.0 * done / total, f"{done}/{total} {message}")
        time.sleep(poll_seconds)
    report_progress(job.pk, 100.0, f"{total}/{total} {message}")
    with allow_join_result():
        return group_result.get(propagate=True, disable_sync_subtasks=False)


def dispatch(task, *args: Any, **kwargs: Any):
    """Send a task to its queue, or run it in-process in the embedded mode."""
    return task.apply_async(args=args, kwargs=kwargs)
