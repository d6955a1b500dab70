"""Writing audit events. Call :func:`record` for every view of patient- or claim-level data,
every decision and every export."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.http import HttpRequest

from .models import AuditEvent

Action = AuditEvent.Action


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    request_or_user: HttpRequest | AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    actor: AbstractBaseUser | None = None,
) -> AuditEvent:
    """Append one audit event. ``summary`` must not hold patient identifiers."""
    request = request_or_user if isinstance(request_or_user, HttpRequest) else None
    user = actor or (getattr(request, "user", None) if request is not None else request_or_user)
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
    authenticated = user is not None and user.is_authenticated
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        client_address=client_address(request),
    )
