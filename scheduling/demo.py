from . import demo_appointments  # noqa: F401
