from django.http import HttpRequest
from django.urls import reverse

from .roles import can_open_module, user_roles

NAV = (
    ("forecasting", "Forecasting", "forecasting:index"),
    ("scheduling", "Scheduling", "scheduling:index"),
    ("fraud", "Claims review", "fraud:index"),
    ("runs", "Pipeline runs", "runs"),
    ("audit", "Audit log", "audit"),
)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_names": []}
    items = [
        {"module": module, "label": label, "url": reverse(url_name)}
        for module, label, url_name in NAV
        if can_open_module(user, module)
    ]
    current = request.path
    for item in items:
        item["active"] = current.startswith(item["url"])
    return {"nav_items": items, "user_role_names": sorted(user_roles(user))}
