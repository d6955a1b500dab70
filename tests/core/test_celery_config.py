from celery.schedules import crontab

from hospops import celery_app
from hospops.celery import QUEUES, nightly_schedule


def test_killed_worker_tasks_are_redelivered():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_domain_tasks_route_to_their_queues():
    assert set(QUEUES) == {"default", "forecast", "solver", "fraud"}
    router = celery_app.amqp.router
    assert router.route({}, "forecasting.tasks.anything")["queue"].name == "forecast"
    assert router.route({}, "scheduling.tasks.anything")["queue"].name == "solver"
    assert router.route({}, "fraud.tasks.anything")["queue"].name == "fraud"
    assert router.route({}, "hospops.tasks.execute_nightly")["queue"].name == "default"


def test_nightly_time_comes_from_settings(settings):
    settings.HOSPOPS_NIGHTLY_AT = "04:15"
    entry = nightly_schedule()["nightly-pipeline"]
    assert entry["task"] == "hospops.tasks.run_nightly_pipeline"
    assert entry["schedule"] == crontab(hour=4, minute=15)
