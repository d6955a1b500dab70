from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record(request, audit.Action.LOGIN, user, actor=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(request, audit.Action.LOGOUT, user, actor=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted user name may be a typo of a password: keep only that a failure happened.
    audit.record(request, audit.Action.LOGIN_FAILED, object_type="auth.User")
