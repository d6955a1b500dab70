import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from hospops.models import AuditEvent
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(scheduler_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "scheduler1", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "scheduler1", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_successful_and_failed_logins_are_audited(scheduler_user):
    client = Client()
    client.post("/accounts/login/", {"username": "scheduler1", "password": "nope"})
    client.post("/accounts/login/", {"username": "scheduler1", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert actions == [("login_failed", ""), ("login", "scheduler1")]


def test_session_expires_after_idle_timeout_default_15_minutes():
    assert settings.SESSION_IDLE_MINUTES == 15
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # sliding: each request restarts the idle clock


def test_password_validators_reject_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password")
    validate_password("Correct-Horse-Battery-9")


PRODUCTION_ENV = {
    "HOSPOPS_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-production-secret-" + "z" * 30,
    "HOSPOPS_PSEUDONYM_KEY": "p" * 40,
    "ALLOWED_HOSTS": "hospops.example.org",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "deploy-check.sqlite3"),
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    inherited = ("HOSPOPS_", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_default_secret():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
