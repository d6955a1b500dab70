import logging

import pytest
from django.contrib import admin

from hospops import audit
from hospops.models import AuditEvent
from hospops.privacy import RedactIdentifiersFilter, pseudonymise

pytestmark = pytest.mark.django_db


def test_audit_events_cannot_be_changed_or_deleted(admin_user):
    event = audit.record(admin_user, audit.Action.EXPORT, object_type="fraud.Flag", object_id=7)
    event.summary = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(summary="tampered")
    assert AuditEvent.objects.get().summary == ""


def test_admin_offers_no_add_change_or_delete_for_audit_events(rf, admin_user):
    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/admin/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_audit_page_filters_by_action(admin_client_, admin_user):
    audit.record(admin_user, audit.Action.EXPORT, object_type="fraud.Flag", object_id=1)
    audit.record(admin_user, audit.Action.DECIDE, object_type="fraud.Flag", object_id=2)
    page = admin_client_.get("/audit/", {"action": "decide"}).content.decode()
    assert "Decide" in page and "fraud.Flag 2" in page
    assert "fraud.Flag 1" not in page


def test_audit_records_client_address(rf, admin_user):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = admin_user
    event = audit.record(request, audit.Action.VIEW, object_type="fraud.Claim", object_id="C1")
    assert event.client_address == "10.1.2.3"
    assert event.username == admin_user.username


def test_pseudonymise_is_keyed_and_stable(settings):
    token = pseudonymise("PATIENT-123")
    assert token == pseudonymise(" PATIENT-123 ")
    assert "PATIENT-123" not in token and len(token) == 64
    settings.HOSPOPS_PSEUDONYM_KEY = "another-key"
    assert pseudonymise("PATIENT-123") != token


def test_log_filter_masks_identifier_shapes():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "patient %s mail %s", ("123-45-6789", "a@b.org"), None
    )
    RedactIdentifiersFilter().filter(record)
    assert record.getMessage() == "patient [redacted] mail [redacted]"
