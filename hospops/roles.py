"""Roles are Django groups created by a data migration; module access is checked against them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ADMINISTRATOR = "Administrator"
SCHEDULER = "Scheduler"
SUPPLY_MANAGER = "Supply manager"
BILLING_REVIEWER = "Billing reviewer"
ALL_ROLES = (ADMINISTRATOR, SCHEDULER, SUPPLY_MANAGER, BILLING_REVIEWER)

# Who may open each module at all; views narrow this further where needed.
MODULE_ROLES = {
    "forecasting": (ADMINISTRATOR, SUPPLY_MANAGER, SCHEDULER),
    "scheduling": (ADMINISTRATOR, SCHEDULER),
    "fraud": (ADMINISTRATOR, BILLING_REVIEWER),
    "runs": (ADMINISTRATOR,),
    "audit": (ADMINISTRATOR,),
}


def user_roles(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_hospops_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMINISTRATOR)
        user._hospops_roles = cached
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, roles: Iterable[str]) -> bool:
    """True when the user holds any of ``roles``; administrators hold every module."""
    held = user_roles(user)
    return ADMINISTRATOR in held or bool(held.intersection(roles))


def can_open_module(user: AbstractBaseUser | AnonymousUser, module: str) -> bool:
    return has_role(user, MODULE_ROLES[module])


def role_required(*roles: str) -> Callable:
    """View decorator: 403 unless the user holds one of ``roles``; administrators always pass."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def module_required(module: str) -> Callable:
    return role_required(*MODULE_ROLES[module])


class RoleRequiredMixin:
    """Class-based-view counterpart of :func:`role_required`."""

    required_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not has_role(request.user, self.required_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
