from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hospops.models import AuditEvent
from scheduling import roster_services as services
from scheduling.models import Roster

from .conftest import MONDAY


@pytest.fixture
def solved_roster(staffed_ward, django_capture_on_commit_callbacks) -> Roster:
    roster = services.create_roster(staffed_ward, MONDAY, MONDAY + dt.timedelta(days=6), None, 5)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_solve(roster)
    roster.refresh_from_db()
    return roster


def test_scheduler_opens_the_roster_pages(scheduler_client, solved_roster):
    assert scheduler_client.get(reverse("scheduling:roster_list")).status_code == 200
    assert scheduler_client.get(reverse("scheduling:roster_coverage")).status_code == 200
    page = scheduler_client.get(reverse("scheduling:roster_detail", args=[solved_roster.pk]))
    assert page.status_code == 200
    assert b"Cover D (staffed/required)" in page.content
    assert b'id="solver-trajectory"' in page.content  # data of the objective/bound chart
    member = solved_roster.assignments.first().staff
    staff_page = reverse("scheduling:roster_staff", args=[solved_roster.pk, member.pk])
    assert scheduler_client.get(staff_page).status_code == 200


@pytest.mark.parametrize(
    "name", ["roster_list", "roster_coverage", "roster_detail", "roster_export_csv"]
)
def test_billing_reviewer_is_refused(billing_client, solved_roster, name):
    args = [] if name in ("roster_list", "roster_coverage") else [solved_roster.pk]
    assert billing_client.get(reverse(f"scheduling:{name}", args=args)).status_code == 403


def test_billing_reviewer_cannot_publish(billing_client, solved_roster):
    response = billing_client.post(reverse("scheduling:roster_publish", args=[solved_roster.pk]))
    assert response.status_code == 403
    solved_roster.refresh_from_db()
    assert solved_roster.status == Roster.Status.DRAFT


def test_generate_from_the_page_creates_and_solves(
    scheduler_client, staffed_ward, django_capture_on_commit_callbacks
):
    data = {"department": staffed_ward.pk, "start_date": "2026-12-07", "weeks": 1, "time_limit": 5}
    with django_capture_on_commit_callbacks(execute=True):
        response = scheduler_client.post(reverse("scheduling:roster_list"), data)
    roster = Roster.objects.get()
    assert response.status_code == 302
    assert roster.solver_status == "OPTIMAL" and roster.assignments.count() == 14


def test_publish_then_export_csv_and_ical_are_audited(scheduler_client, solved_roster):
    scheduler_client.post(reverse("scheduling:roster_publish", args=[solved_roster.pk]))
    solved_roster.refresh_from_db()
    assert solved_roster.status == Roster.Status.PUBLISHED
    csv_response = scheduler_client.get(
        reverse("scheduling:roster_export_csv", args=[solved_roster.pk])
    )
    lines = csv_response.content.decode().splitlines()
    assert lines[0] == "date,staff_code,staff_name,shift,start,minutes"
    assert len(lines) == 1 + 14
    ics = scheduler_client.get(reverse("scheduling:roster_export_ics", args=[solved_roster.pk]))
    text = ics.content.decode()
    assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") == 14
    assert "DTSTART:20261207T080000" in text
    exports = AuditEvent.objects.filter(action="export", object_id=str(solved_roster.pk))
    assert exports.count() == 2


def test_draft_export_is_refused(scheduler_client, solved_roster):
    url = reverse("scheduling:roster_export_csv", args=[solved_roster.pk])
    response = scheduler_client.get(url)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()


def test_lock_from_the_grid_form(scheduler_client, solved_roster):
    member = solved_roster.assignments.first().staff
    url = reverse("scheduling:roster_lock", args=[solved_roster.pk])
    scheduler_client.post(
        url, {"staff": member.pk, "date": "2026-12-08", "shift": "-", "locked": "on"}
    )
    cell = solved_roster.assignments.get(staff=member, date=dt.date(2026, 12, 8))
    assert cell.locked and cell.shift_type is None
