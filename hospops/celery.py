"""Celery application: one queue per kind of work so each can get its own workers."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hospops.settings")

app = Celery("hospops")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "forecast", "solver", "fraud")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_routes = {
    "forecasting.tasks.*": {"queue": "forecast"},
    "scheduling.tasks.*": {"queue": "solver"},
    "fraud.tasks.*": {"queue": "fraud"},
}
app.autodiscover_tasks()


def nightly_schedule() -> dict:
    from django.conf import settings

    hour, minute = (int(part) for part in settings.HOSPOPS_NIGHTLY_AT.split(":"))
    return {
        "nightly-pipeline": {
            "task": "hospops.tasks.run_nightly_pipeline",
            "schedule": crontab(hour=hour, minute=minute),
            "options": {"queue": "default"},
        }
    }


@app.on_after_finalize.connect
def setup_beat(sender: Celery, **kwargs) -> None:
    sender.conf.beat_schedule = nightly_schedule()
