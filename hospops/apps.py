from django.apps import AppConfig


class HospopsConfig(AppConfig):
    name = "hospops"
    verbose_name = "HospOps core"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login audit receivers)
