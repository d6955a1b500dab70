from django.http import HttpRequest
from django.urls import reverse

from .roles import can_open_module, user_roles

NAV = (
    (
        "forecasting",
        "Forecasting",
        "forecasting:index",
        "Supply demand and appointment-load forecasts, reorder recommendations.",
    ),
    (
        "scheduling",
        "Scheduling",
        "scheduling:index",
        "Staff rosters and outpatient appointment schedules.",
    ),
    ("fraud", "Claims review", "fraud:index", "Flagged insurance claims with their evidence."),
    ("runs", "Pipeline runs", "runs", "Nightly batch steps, their progress and errors."),
    ("audit", "Audit log", "audit", "Who viewed, decided and exported what, and when."),
)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_names": []}
    items = [
        {"module": module, "label": label, "url": reverse(url_name), "description": description}
        for module, label, url_name, description in NAV
        if can_open_module(user, module)
    ]
    current = request.path
    for item in items:
        item["active"] = current.startswith(item["url"])
    return {"nav_items": items, "user_role_names": sorted(user_roles(user))}
