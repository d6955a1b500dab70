import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command

from hospops import roles
from hospops.demo import DEMO_USERS
from hospops.models import AuditEvent, JobRun


def row_counts() -> dict[str, int]:
    skipped = (AuditEvent, JobRun)  # seeding records its own runs; they are history, not data
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"hospops", "forecasting", "scheduling", "fraud", "auth"}
        and model not in skipped
    }


@pytest.mark.django_db
def test_seed_demo_builds_every_module_and_is_idempotent(capsys):
    call_command("seed_demo", "--seed", "7")
    printed = capsys.readouterr().out
    for role, (username, password) in DEMO_USERS.items():
        assert f"{username}" in printed and password in printed
        user = User.objects.get(username=username)
        assert user.check_password(password) and roles.has_role(user, [role])
    first = row_counts()
    for label in (
        "forecasting.DailyUsage",
        "forecasting.ForecastSeries",
        "forecasting.ReorderRecommendation",
        "scheduling.StaffMember",
        "scheduling.AppointmentRequest",
        "scheduling.Appointment",
        "fraud.ClaimLine",
        "fraud.Flag",
    ):
        assert first[label] > 0, label
    call_command("seed_demo", "--seed", "7")
    assert row_counts() == first
