from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from hospops.models import AuditEvent, JobRun
from scheduling import roster_services as services
from scheduling.models import (
    Assignment,
    CoverageRequirement,
    Leave,
    Roster,
    ShiftType,
    StaffingRatio,
    StaffMember,
)

from .conftest import MONDAY

SUNDAY = MONDAY + dt.timedelta(days=6)


def solve_now(roster, capture):
    with capture(execute=True):
        job = services.start_solve(roster)
    roster.refresh_from_db()
    job.refresh_from_db()
    return job


@pytest.fixture
def roster(staffed_ward) -> Roster:
    roster = services.create_roster(staffed_ward, MONDAY, SUNDAY, time_limit=5)
    return roster


def test_solve_task_writes_the_roster_and_reports_progress(
    roster, django_capture_on_commit_callbacks
):
    job = solve_now(roster, django_capture_on_commit_callbacks)
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert job.name == "scheduling.solve_roster"
    assert "best_objective" in job.details and "bound" in job.details
    seconds, objective, bound = job.details["trajectory"][-1]
    assert objective == roster.objective and bound <= objective
    assert roster.solver_status == "OPTIMAL"
    cells = Assignment.objects.filter(roster=roster)
    assert cells.count() == 14  # two nurses on each of seven days
    assert all(cell.shift_type.code == "D" for cell in cells)
    assert roster.penalties["coverage_under"] == 0


def test_lock_is_kept_and_repair_lists_the_changes(
    roster, staffed_ward, django_capture_on_commit_callbacks
):
    solve_now(roster, django_capture_on_commit_callbacks)
    other = StaffMember.objects.get(code="N1")
    services.set_lock(roster, other, SUNDAY, True, "D")
    solve_now(roster, django_capture_on_commit_callbacks)
    nurse = StaffMember.objects.get(code="N0")
    day = Assignment.objects.filter(roster=roster, staff=nurse).order_by("date").first().date
    locked = Assignment.objects.get(roster=roster, staff=other, date=SUNDAY)
    assert locked.locked and locked.shift_type.code == "D"
    services.publish(roster)

    services.record_leave(nurse, day, day, "sick")
    with django_capture_on_commit_callbacks(execute=True):
        draft, job = services.start_repair(roster)
    draft.refresh_from_db()
    assert draft.based_on == roster and draft.solver_status == "OPTIMAL"
    assert not Assignment.objects.filter(roster=draft, staff=nurse, date=day).exists()
    assert Assignment.objects.get(roster=draft, staff=other, date=SUNDAY).locked
    changed = {(c["staff"], c["date"]) for c in draft.changes}
    assert (nurse.name, day.isoformat()) in changed
    assert 1 <= len(draft.changes) <= 3
    services.publish(draft)
    roster.refresh_from_db()
    assert roster.status == Roster.Status.SUPERSEDED


def test_infeasible_roster_is_explained_and_keeps_no_cells(
    roster, staffed_ward, skills, django_capture_on_commit_callbacks
):
    christmas_eve = MONDAY + dt.timedelta(days=3)
    CoverageRequirement.objects.create(
        department=staffed_ward,
        date=christmas_eve,
        shift_type=ShiftType.objects.get(code="D"),
        skill=skills["ICU"],
        required=3,
        minimum=3,
    )
    Leave.objects.create(
        staff=StaffMember.objects.get(code="N2"), start_date=christmas_eve, end_date=christmas_eve
    )
    solve_now(roster, django_capture_on_commit_callbacks)
    assert roster.solver_status == "INFEASIBLE"
    assert roster.explanation == [
        "2026-12-10 Day: 3 ICU-skilled staff needed, 2 available after approved leave."
    ]
    assert not roster.assignments.exists()
    with pytest.raises(ValidationError):
        services.publish(roster)


def test_a_roster_being_solved_is_not_solved_twice(roster):
    services.start_solve(roster)  # queued: the on-commit dispatch never runs in this test
    roster.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.start_solve(roster)
    assert caught.value.messages == [
        "This roster is being solved already; wait for the run to finish."
    ]
    assert JobRun.objects.count() == 1


def test_no_staff_refuses_the_roster_and_saves_nothing(ward):
    with pytest.raises(ValidationError) as caught:
        services.create_roster(ward, MONDAY, SUNDAY)
    assert caught.value.messages == ["No staff: ICU has no active staff members to roster."]
    assert not Roster.objects.exists()


def test_shift_type_nobody_can_work_is_named_before_solving(roster, staffed_ward, skills):
    theatre = ShiftType.objects.create(
        code="T", name="Theatre", start_time=dt.time(8), length_minutes=600
    )
    theatre.required_skills.add(skills["RN"].__class__.objects.create(code="OR", name="Theatre"))
    CoverageRequirement.objects.create(
        department=staffed_ward, date=MONDAY, shift_type=theatre, required=1
    )
    with pytest.raises(ValidationError) as caught:
        services.start_solve(roster)
    assert caught.value.messages == [
        "Shift type T: no staff member can work it (needs one of: OR)."
    ]
    assert not JobRun.objects.exists()


def test_contradictory_leave_is_refused_and_nothing_saved(roster, staffed_ward):
    nurse = StaffMember.objects.get(code="N0")
    with pytest.raises(ValidationError) as caught:
        services.record_leave(nurse, SUNDAY, MONDAY)
    assert caught.value.messages == [
        "Leave of Nurse 0: ends 2026-12-07 before it starts 2026-12-13."
    ]
    services.set_lock(roster, nurse, MONDAY, True, "D")
    with pytest.raises(ValidationError) as caught:
        services.record_leave(nurse, MONDAY, MONDAY + dt.timedelta(days=1))
    assert "contradicts the locked D shift" in caught.value.messages[0]
    assert not Leave.objects.exists()


def test_coverage_import_names_every_bad_row_and_saves_nothing(staffed_ward):
    before = CoverageRequirement.objects.count()
    rows = [
        {"date": "2026-12-08", "shift": "D", "skill": "ICU", "required": "1", "minimum": "1"},
        {"date": "2026-12-09", "shift": "D", "skill": "SURGERY", "required": "1", "minimum": ""},
        {"date": "not-a-date", "shift": "D", "skill": "", "required": "1", "minimum": ""},
        {"date": "2026-12-10", "shift": "X", "skill": "", "required": "2", "minimum": "3"},
    ]
    with pytest.raises(ValidationError) as caught:
        services.import_coverage(staffed_ward, rows)
    assert caught.value.messages == [
        "Row 3, skill: unknown skill 'SURGERY'.",
        "Row 4, date: 'not-a-date' is not an ISO date.",
        "Row 5, shift: unknown shift type 'X'.",
        "Row 5, required/minimum: need whole numbers, 0 <= min <= req.",
    ]
    assert CoverageRequirement.objects.count() == before


def test_coverage_from_forecast_is_a_pure_function():
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-12-07", "2026-12-08"]),
            "value": [30.0, 0.0],
            "lo80": [25.0, 0.0],
            "hi80": [37.0, 4.0],
            "lo95": [20.0, 0.0],
            "hi95": [41.0, 6.0],
        }
    )
    rules = [
        services.RatioRule("D", None, 12.0, base_staff=1, minimum=2),
        services.RatioRule("D", "ICU", 20.0, level="hi95", minimum=5),
    ]
    rows = services.coverage_from_forecast(frame, rules)
    assert [(r.date.day, r.skill_code, r.required, r.minimum) for r in rows] == [
        (7, None, 4, 2),  # 1 + ceil(30 / 12)
        (8, None, 1, 1),  # no load: base staff only; the floor capped at the requirement
        (7, "ICU", 3, 3),  # ceil(41 / 20) at the upper 95% level
        (8, "ICU", 1, 1),
    ]


def test_generate_coverage_replaces_forecast_rows_and_keeps_manual_ones(
    staffed_ward, day_shift, skills
):
    StaffingRatio.objects.create(
        department=staffed_ward, shift_type=day_shift, appointments_per_staff=10, base_staff=1
    )
    frame = pd.DataFrame(
        {
            "date": [MONDAY, MONDAY + dt.timedelta(days=7)],
            "value": [25.0, 5.0],
            "lo80": 0.0,
            "hi80": 0.0,
            "lo95": 0.0,
            "hi95": 0.0,
        }
    )
    end = MONDAY + dt.timedelta(days=7)
    created = services.generate_coverage(staffed_ward, MONDAY, end, forecast=frame)
    assert created == 1  # MONDAY already has a manual row; the next Monday is new
    row = CoverageRequirement.objects.get(department=staffed_ward, date=end)
    assert (row.required, row.source) == (2, CoverageRequirement.Source.FORECAST)
    assert services.generate_coverage(staffed_ward, MONDAY, end, forecast=frame) == 1
    assert AuditEvent.objects.filter(object_type="scheduling.CoverageRequirement").count() == 2
