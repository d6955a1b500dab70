import pytest
from django.urls import reverse

from fraud import services
from fraud.models import Flag, FlagDecision
from hospops import roles
from hospops.models import AuditEvent
from tests.conftest import logged_in, make_user


@pytest.fixture
def flag(scored) -> Flag:
    return Flag.objects.order_by("-risk_score", "id").first()


def test_second_reviewer_with_a_stale_version_gets_an_error_and_overwrites_nothing(
    flag, billing_user
):
    other = make_user("billing2", roles.BILLING_REVIEWER)
    loaded_version = flag.version  # both reviewers opened the page at this version
    services.change_flag(
        flag.pk,
        billing_user,
        action="confirm",
        note="Lines match the pattern.",
        expected_version=loaded_version,
    )
    with pytest.raises(services.StaleFlagError, match="changed by billing1"):
        services.change_flag(
            flag.pk,
            other,
            action="clear",
            note="Looks fine to me.",
            expected_version=loaded_version,
        )
    flag.refresh_from_db()
    assert flag.status == "confirmed" and flag.version == loaded_version + 1
    assert list(flag.decisions.values_list("action", "decided_by__username")) == [
        ("confirm", "billing1")
    ]


def test_stale_decision_through_the_view_shows_a_clear_message(flag, billing_client):
    other = logged_in(make_user("billing2", roles.BILLING_REVIEWER))
    url = reverse("fraud:decide", args=[flag.pk])
    first = billing_client.post(
        url, {"action": "escalate", "note": "Needs a senior look.", "version": flag.version}
    )
    assert first.status_code == 302
    second = other.post(
        url, {"action": "clear", "note": "Fine.", "version": flag.version}, follow=True
    )
    assert "was changed by billing1 while you were reviewing it" in second.content.decode()
    flag.refresh_from_db()
    assert flag.status == "escalated" and flag.decisions.count() == 1
    assert AuditEvent.objects.filter(action="decide", object_id=str(flag.pk)).count() == 1


def test_decision_needs_a_note(flag, billing_client):
    response = billing_client.post(
        reverse("fraud:decide", args=[flag.pk]),
        {"action": "confirm", "note": "  ", "version": flag.version},
        follow=True,
    )
    assert "Decision not saved" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open" and not flag.decisions.exists()


def test_assignment_and_history(flag, billing_client, billing_user):
    billing_client.post(
        reverse("fraud:assign", args=[flag.pk]),
        {"assignee": billing_user.pk, "note": "Mine.", "version": flag.version},
    )
    flag.refresh_from_db()
    assert flag.assignee == billing_user and flag.version == 2
    page = billing_client.get(reverse("fraud:claim", args=[flag.claim_id])).content.decode()
    assert "Assign</strong> by billing1" in page and "Mine." in page


def test_flag_assigned_to_someone_else_cannot_be_decided(flag, billing_client):
    owner = make_user("billing2", roles.BILLING_REVIEWER)
    services.change_flag(
        flag.pk, owner, action="assign", note="Mine.", expected_version=flag.version, assignee=owner
    )
    response = billing_client.post(
        reverse("fraud:decide", args=[flag.pk]),
        {"action": "clear", "note": "x", "version": flag.version + 1},
    )
    assert response.status_code == 403
    assert Flag.objects.get(pk=flag.pk).status == "open"


def test_queue_filters_and_keyset_pages(scored, billing_client):
    first = billing_client.get(reverse("fraud:index"))
    assert first.status_code == 200
    page = first.context["page"]
    flags = Flag.objects.filter(status="open").order_by("-risk_score", "id")
    assert [f.pk for f in page.flags] == [f.pk for f in flags[:50]]
    if page.next_cursor:
        second = billing_client.get(reverse("fraud:index"), {"after": page.next_cursor})
        assert [f.pk for f in second.context["page"].flags] == [f.pk for f in flags[50:100]]
    death = billing_client.get(reverse("fraud:index"), {"detector": "after_death"})
    assert all(",after_death," in f.detectors for f in death.context["page"].flags)
    assert AuditEvent.objects.filter(action="view", object_type="fraud.Flag").exists()


def test_claim_page_shows_reasons_chart_data_and_is_audited(flag, billing_client):
    response = billing_client.get(reverse("fraud:claim", args=[flag.claim_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert flag.claim.score.reasons[0]["evidence"][:40] in body
    assert 'id="mix-data"' in body and "vendor/chart.umd.min.js" in body
    assert AuditEvent.objects.filter(
        action="view", object_type="fraud.Claim", object_id=str(flag.claim_id)
    ).exists()


def test_export_of_confirmed_cases(flag, billing_client, billing_user):
    services.change_flag(
        flag.pk, billing_user, action="confirm", note="Confirmed.", expected_version=flag.version
    )
    response = billing_client.get(reverse("fraud:export"), {"status": "confirmed"})
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[0].startswith("claim_id,risk_score,status")
    assert len(rows) == 2 and rows[1].startswith(flag.claim.claim_id)
    assert AuditEvent.objects.filter(action="export", object_type="fraud.Flag").exists()


def test_metrics_page(flag, billing_client, billing_user):
    services.change_flag(
        flag.pk, billing_user, action="confirm", note="Confirmed.", expected_version=flag.version
    )
    response = billing_client.get(reverse("fraud:metrics"))
    assert response.status_code == 200
    metrics = response.context["metrics"]
    assert sum(row["flags"] for row in metrics["by_sex"]) == Flag.objects.count()
    assert any(row["confirmed"] == 1 for row in metrics["per_detector"])
    assert metrics["precision_over_time"]["series"]


@pytest.mark.parametrize("name", ["index", "metrics", "upload", "export"])
def test_billing_reviewer_may_open_and_scheduler_may_not(
    db, billing_client, scheduler_client, name
):
    url = reverse(f"fraud:{name}")
    assert billing_client.get(url).status_code == 200
    assert scheduler_client.get(url).status_code == 403


def test_claim_and_decision_views_are_forbidden_to_schedulers(flag, scheduler_client):
    assert scheduler_client.get(reverse("fraud:claim", args=[flag.claim_id])).status_code == 403
    response = scheduler_client.post(
        reverse("fraud:decide", args=[flag.pk]),
        {"action": "clear", "note": "x", "version": flag.version},
    )
    assert response.status_code == 403


def test_detector_settings_are_for_administrators_only(db, billing_client, admin_client_):
    url = reverse("fraud:settings")
    assert billing_client.get(url).status_code == 403
    assert admin_client_.get(url).status_code == 200
    data = {"threshold": "0.6"}
    for name in (
        "duplicate",
        "after_death",
        "mue",
        "impossible_day",
        "unbundling",
        "upcoding",
        "amount",
        "volume",
        "isolation",
    ):
        data[f"weight_{name}"] = "0.5"
        data[f"enabled_{name}"] = "on"
    assert admin_client_.post(url, data).status_code == 302
    assert services.current_config().threshold == 0.6
    assert services.current_config().weights["mue"] == 0.5


def test_upload_form_imports_or_lists_errors(db, billing_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.fraud.builders import csv_text

    bad = SimpleUploadedFile("c.csv", csv_text({"units": "0"}).encode())
    response = billing_client.post(reverse("fraud:upload"), {"file": bad})
    assert "nothing was imported" in response.content.decode()
    assert response.context["errors"][0].row == 2
    good = SimpleUploadedFile("c.csv", csv_text({}).encode())
    assert billing_client.post(reverse("fraud:upload"), {"file": good}).status_code == 302
    assert AuditEvent.objects.filter(action="import").exists()
    assert FlagDecision.objects.count() == 0


def test_administrator_scores_now_and_lands_on_the_run(imported, admin_client_, billing_client):
    from hospops.models import JobRun

    assert billing_client.post(reverse("fraud:score_now")).status_code == 403
    response = admin_client_.post(reverse("fraud:score_now"))
    job = JobRun.objects.get(name="score_claims")
    assert response["Location"] == reverse("run_detail", args=[job.pk])
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert job.counts["claims_scored"] > 0
    assert AuditEvent.objects.filter(action="create", object_id=str(job.pk)).exists()
