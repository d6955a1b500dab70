from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        # Celery autodiscovery imports only ``scheduling.tasks``; register these tasks too.
        from . import appointment_tasks  # noqa: F401
