"""The waiting and breach evaluator and the greedy baselines on hand-computed cases."""

from __future__ import annotations

from scheduling.engine.appointments import (
    Assignment,
    deadline_first,
    evaluate,
    first_come_first_served,
    violations,
)
from scheduling.engine.appointments.greedy import day_by_day_density

from .helpers import hhmm, request, session


def test_weighted_waiting_and_breaches_by_hand():
    sessions = [session("D3", 3), session("D4", 4)]  # the last session is on day 4
    requests = [
        request("A", urgency=2, earliest=0, max_wait=10),  # day 3: 2 × 3 = 6
        request("B", urgency=4, earliest=1, max_wait=2),  # unscheduled to day 5: 8 × 4, breach
        request("C", urgency=1, earliest=0, max_wait=10),  # unscheduled: 1 × 5, window past day 4
        request("D", urgency=3, earliest=0, max_wait=1),  # day 4: 4 × 4 = 16, late: breach
    ]
    assignments = [
        Assignment("A", "D3", hhmm("09:00")),
        Assignment("D", "D4", hhmm("09:00")),
    ]
    metrics = evaluate(sessions, requests, assignments)
    assert metrics.weighted_waiting == 6 + 32 + 5 + 16
    assert metrics.breaches == 2
    assert metrics.breaches_by_urgency == {2: 0, 4: 1, 1: 0, 3: 1}
    assert (metrics.scheduled, metrics.unscheduled) == (2, 2)


def test_backlog_waiting_counts_from_the_earliest_date_in_the_past():
    sessions = [session("D2", 2)]
    metrics = evaluate(
        sessions, [request("A", urgency=3, earliest=-3)], [Assignment("A", "D2", 540)]
    )
    assert metrics.weighted_waiting == 4 * 5


def test_violations_name_each_broken_rule():
    sessions = [session("S", 0, clinician="DR", room="R1"), session("T", 2, department="ORTH")]
    requests = [request("A", earliest=1), request("B", unavailable=(0,)), request("C")]
    problems = violations(
        sessions,
        requests,
        [
            Assignment("A", "S", hhmm("09:00")),
            Assignment("B", "S", hhmm("09:10")),
            Assignment("C", "T", hhmm("09:03")),
        ],
    )
    text = " | ".join(problems)
    assert "request A in session S: before the earliest date" in text
    assert "request B in session S: on a date the patient cannot come" in text
    assert "clinician DR on 2027-01-04: requests A and B overlap" in text
    assert "room R1 on 2027-01-04: requests A and B overlap" in text
    assert "request C in session T: department differs" in text
    assert "request C in session T: start is not on a 5-minute mark" in text


def test_first_come_first_served_follows_arrival_order():
    sessions = [session("EARLY", 0, "09:00", "09:30"), session("LATE", 4, "09:00", "09:30")]
    requests = [request("ROUTINE"), request("URGENT", urgency=4, max_wait=2)]
    booked = {a.request_id: a.session_id for a in first_come_first_served(sessions, requests)}
    assert booked == {"ROUTINE": "EARLY", "URGENT": "LATE"}


def test_deadline_first_serves_the_nearest_deadline_first():
    sessions = [session("EARLY", 0, "09:00", "09:30"), session("LATE", 4, "09:00", "09:30")]
    requests = [request("ROUTINE"), request("URGENT", urgency=4, max_wait=2)]
    booked = {a.request_id: a.session_id for a in deadline_first(sessions, requests)}
    assert booked == {"URGENT": "EARLY", "ROUTINE": "LATE"}


def test_greedy_takes_the_earliest_free_slot_back_to_back():
    sessions = [session("S", 0, "09:00", "10:00"), session("T", 1)]
    requests = [request("A", duration=20), request("B", duration=25), request("C", duration=30)]
    booked = {a.request_id: (a.session_id, a.start) for a in deadline_first(sessions, requests)}
    assert booked == {"A": ("S", 540), "B": ("S", 560), "C": ("T", 540)}
    assert violations(sessions, requests, deadline_first(sessions, requests)) == []


def test_day_by_day_density_is_a_valid_schedule():
    sessions = [session("S", 0, "09:00", "10:00"), session("T", 1)]
    requests = [request("A", duration=60), request("B", duration=15, urgency=2), request("C")]
    assignments = day_by_day_density(sessions, requests)
    assert violations(sessions, requests, assignments) == []
    assert {a.request_id for a in assignments if a.session_id == "S"} == {"B", "C"}
