"""The solve task is registered under the solver queue's name pattern."""

from __future__ import annotations

from hospops.celery import app


def test_solve_task_is_registered_and_routed_to_the_solver_queue():
    assert "scheduling.tasks.solve_appointments" in app.tasks
    route = app.amqp.router.route({}, "scheduling.tasks.solve_appointments")
    assert route["queue"].name == "solver"
