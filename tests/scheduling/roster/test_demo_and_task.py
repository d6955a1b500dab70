from __future__ import annotations

from hospops.celery import app
from hospops.demo import seed_core
from scheduling.models import CoverageRequirement, Leave, ShiftPreference, StaffMember
from scheduling.roster_demo import seed_rosters


def test_demo_seeder_builds_four_wards_and_is_idempotent(db):
    context = seed_core(seed=7, write=lambda line: None)
    seed_rosters(context)
    counts = (
        StaffMember.objects.count(),
        CoverageRequirement.objects.count(),
        Leave.objects.count(),
        ShiftPreference.objects.count(),
    )
    assert counts[0] == 60
    assert set(StaffMember.objects.values_list("department__code", flat=True)) == {
        "ICU",
        "MED",
        "SURG",
        "PAED",
    }
    assert counts[1] > 4 * 28 * 3 and counts[2] > 0 and counts[3] > 0
    seed_rosters(context)
    assert counts == (
        StaffMember.objects.count(),
        CoverageRequirement.objects.count(),
        Leave.objects.count(),
        ShiftPreference.objects.count(),
    )


def test_solve_task_is_routed_to_the_solver_queue():
    route = app.amqp.router.route({}, "scheduling.tasks.solve_roster")
    assert route["queue"].name == "solver"
