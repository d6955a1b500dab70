"""Celery tasks: they load ids and call services (queue ``fraud``)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="fraud.tasks.score_providers")
def score_providers(baseline_id: int, provider_pks: list[int], fingerprint: str) -> dict:
    return services.score_providers(baseline_id, provider_pks, fingerprint)


@shared_task(name="fraud.tasks.score_job")
def score_job(job_id: int) -> str:
    from hospops import jobs
    from hospops.models import JobRun

    job = jobs.run_tracked(JobRun.objects.get(pk=job_id), services.score_claims)
    return job.status
