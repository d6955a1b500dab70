"""Celery tasks of the scheduling app (routed to the ``solver`` queue)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="scheduling.tasks.solve_roster")
def solve_roster(roster_id: int, job_id: int) -> str:
    """Solve (or repair) one roster, recording progress in its JobRun."""
    from .roster_services import run_solve

    return run_solve(roster_id, job_id).status
