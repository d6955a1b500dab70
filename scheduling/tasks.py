"""Celery tasks of the scheduling app (routed to the ``solver`` queue)."""

from __future__ import annotations

from celery import shared_task

from hospops import jobs
from hospops.models import JobRun


@shared_task(name="scheduling.tasks.solve_roster")
def solve_roster(roster_id: int, job_id: int) -> str:
    """Solve (or repair) one roster, recording progress in its JobRun."""
    from .roster_services import run_solve

    return run_solve(roster_id, job_id).status


@shared_task(name="scheduling.tasks.solve_appointments")
def solve_appointments(
    job_id: int, time_limit: float = 30.0, workers: int = 2, overbooking: bool = False
) -> int:
    """Solve the pending appointment requests in one batch, recording progress in the JobRun."""
    from .appointment_services import solve_pending

    job = JobRun.objects.get(pk=job_id)
    jobs.run_tracked(
        job,
        lambda tracked: solve_pending(
            tracked, time_limit=time_limit, workers=workers, overbooking=overbooking
        ),
    )
    return job_id
