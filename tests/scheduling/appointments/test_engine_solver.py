"""Each hard rule and objective term of the batch model, on problems small enough to check."""

from __future__ import annotations

import random

import pytest

from scheduling.engine.appointments import (
    ProblemError,
    SolverOptions,
    deadline_first,
    evaluate,
    solve,
    violations,
)
from scheduling.engine.appointments.daylevel import day_level_schedule, waiting_lower_bound
from scheduling.engine.appointments.evaluate import last_session_date

from .helpers import day, hhmm, request, session

FAST = SolverOptions(time_limit_seconds=5, workers=1)


def placed(result) -> dict[str, tuple[str, int]]:
    return {a.request_id: (a.session_id, a.start) for a in result.assignments}


def test_request_only_goes_to_a_session_of_its_department():
    sessions = [session("ORTH1", 0, department="ORTH"), session("CARD1", 3)]
    result = solve(sessions, [request("R1", department="CARD")], FAST)
    assert placed(result)["R1"][0] == "CARD1"
    alone = solve([session("ORTH1", 0, department="ORTH")], [request("R1")], FAST)
    assert alone.assignments == []


def test_request_is_not_booked_before_its_earliest_date():
    sessions = [session("S0", 0), session("S2", 2), session("S4", 4)]
    result = solve(sessions, [request("R1", earliest=1)], FAST)
    assert placed(result)["R1"][0] == "S2"


def test_request_avoids_dates_the_patient_cannot_come():
    sessions = [session("S0", 0), session("S1", 1), session("S2", 2)]
    result = solve(sessions, [request("R1", unavailable=(0, 1))], FAST)
    assert placed(result)["R1"][0] == "S2"


def test_bookings_start_on_five_minute_marks_inside_session_hours():
    sessions = [session("S", 0, "09:02", "09:40")]
    result = solve(sessions, [request("R1", duration=30)], FAST)
    assert placed(result)["R1"] == ("S", hhmm("09:05"))
    assert violations(sessions, [request("R1", duration=30)], result.assignments) == []


def test_odd_durations_still_fit_back_to_back_on_marks():
    sessions = [session("S", 0, "09:00", "09:30")]
    requests = [request("R1", duration=12), request("R2", duration=13)]
    result = solve(sessions, requests, FAST)
    assert sorted(start for _, start in placed(result).values()) == [hhmm("09:00"), hhmm("09:15")]
    assert violations(sessions, requests, result.assignments) == []


def test_no_overlap_for_a_clinician_leaves_the_surplus_unscheduled():
    sessions = [session("S", 0, "09:00", "10:00")]
    requests = [request(f"R{i}") for i in range(3)]
    result = solve(sessions, requests, FAST)
    assert len(result.assignments) == 2
    assert violations(sessions, requests, result.assignments) == []


def test_sessions_overlapping_in_a_room_or_for_a_clinician_are_refused():
    shared_room = [session("A", 0, room="R1"), session("B", 0, "09:30", "11:00", room="R1")]
    with pytest.raises(ProblemError, match="session B: overlaps session A of room R1"):
        solve(shared_room, [request("R1")], FAST)
    same_clinician = [
        session("A", 0, clinician="C1"),
        session("B", 0, "09:45", "11:00", clinician="C1"),
    ]
    with pytest.raises(ProblemError, match="of clinician C1"):
        solve(same_clinician, [request("R1")], FAST)


def test_request_longer_than_every_session_is_refused_by_name():
    with pytest.raises(ProblemError, match="request LONG: duration_minutes 90 is longer than"):
        solve([session("S", 0)], [request("OK"), request("LONG", duration=90)], FAST)


def test_urgent_request_is_kept_within_its_maximum_wait():
    # One slot early in the week, one late: first-come-first-served gives the early one to the
    # routine request that arrived first and breaches the urgent one; the solver does not.
    sessions = [session("EARLY", 0, "09:00", "09:30"), session("LATE", 4, "09:00", "09:30")]
    requests = [
        request("ROUTINE", urgency=1, max_wait=30),
        request("URGENT", urgency=4, max_wait=2),
    ]
    result = solve(sessions, requests, FAST)
    assert placed(result)["URGENT"][0] == "EARLY"
    assert evaluate(sessions, requests, result.assignments).breaches == 0


def test_waiting_is_weighted_by_urgency():
    sessions = [session("EARLY", 0, "09:00", "09:30"), session("LATE", 3, "09:00", "09:30")]
    requests = [request("ROUTINE", urgency=1), request("PRIORITY", urgency=3)]
    result = solve(sessions, requests, FAST)
    assert placed(result)["PRIORITY"][0] == "EARLY"
    assert evaluate(sessions, requests, result.assignments).weighted_waiting == 3


def test_short_requests_go_first_when_that_waits_less():
    # 60 minutes on day 0: two 30-minute requests wait less in total than one 60-minute one.
    sessions = [session("D0", 0, "09:00", "10:00"), session("D4", 4, "09:00", "10:00")]
    requests = [request("LONG", duration=60), request("S1"), request("S2")]
    result = solve(sessions, requests, FAST)
    assert placed(result)["S1"][0] == placed(result)["S2"][0] == "D0"


def test_preferred_clinician_is_kept_on_the_same_day():
    sessions = [session("A", 0, clinician="DR-A"), session("B", 0, clinician="DR-B")]
    result = solve(sessions, [request("R1", preferred="DR-B")], FAST)
    assert placed(result)["R1"][0] == "B"


def test_continuity_is_traded_against_waiting_by_continuity_days():
    sessions = [session("A", 0, clinician="DR-A"), session("B", 2, clinician="DR-B")]
    requests = [request("R1", preferred="DR-B")]
    assert placed(solve(sessions, requests, FAST))["R1"][0] == "A"
    patient = SolverOptions(time_limit_seconds=5, workers=1, continuity_days=2.5)
    assert placed(solve(sessions, requests, patient))["R1"][0] == "B"


def test_overbooking_adds_capped_double_bookings():
    sessions = [session("S", 0, "09:00", "10:00")]
    requests = [request(f"R{i}") for i in range(3)]
    generous = SolverOptions(
        time_limit_seconds=5, workers=1, overbooking_rates={"CARD": 0.5}, overbooking_cap=0.5
    )
    result = solve(sessions, requests, generous)
    assert len(result.assignments) == 3
    assert sum(a.overbooked for a in result.assignments) == 1
    assert violations(sessions, requests, result.assignments, overbooking_allowed=True) == []
    assert violations(sessions, requests, result.assignments) != []
    capped = SolverOptions(
        time_limit_seconds=5, workers=1, overbooking_rates={"CARD": 0.5}, overbooking_cap=0.1
    )
    assert len(solve(sessions, requests, capped).assignments) == 2


def random_batch(seed: int):
    rng = random.Random(seed)
    sessions = [
        session(f"S{d}{k}", d, *hours, clinician=f"DR{k}", room=f"R{k}", department=dep)
        for d in range(5)
        for k, hours in enumerate([("09:00", "11:00"), ("13:00", "14:30")])
        for dep in ["CARD"]
        if rng.random() < 0.8
    ]
    requests = [
        request(
            f"R{i:02d}",
            duration=rng.choice([10, 15, 20, 30, 45]),
            urgency=rng.choice([1, 1, 2, 3, 4]),
            max_wait=rng.choice([2, 5, 20]),
            earliest=rng.randint(-2, 4),
            preferred=rng.choice([None, "DR0", "DR1"]),
            unavailable=tuple(rng.sample(range(5), rng.randint(0, 1))),
        )
        for i in range(30)
    ]
    return sessions, requests


@pytest.mark.parametrize("seed", [1, 2])
def test_solver_is_valid_and_never_worse_than_deadline_first(seed):
    sessions, requests = random_batch(seed)
    result = solve(
        sessions, requests, SolverOptions(time_limit_seconds=3, workers=1, continuity_days=0)
    )
    assert violations(sessions, requests, result.assignments) == []
    solved = evaluate(sessions, requests, result.assignments)
    greedy = evaluate(sessions, requests, deadline_first(sessions, requests))
    assert (solved.breaches, solved.weighted_waiting) <= (greedy.breaches, greedy.weighted_waiting)
    assert day(0) <= min(s.date for s in sessions)


def test_progress_is_reported_up_to_completion():
    sessions, requests = random_batch(3)
    seen: list[float] = []
    solve(sessions, requests, FAST, progress=lambda fraction, message, stats: seen.append(fraction))
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_day_level_relaxation_bounds_the_solver_and_packs_validly():
    sessions, requests = random_batch(4)
    last = last_session_date(sessions)
    for packed in day_level_schedule(
        sessions, requests, last, breach_factor=10_000, hint=[], time_limit=2, packing_time_limit=1
    ):
        assert violations(sessions, requests, packed) == []
    result = solve(sessions, requests, SolverOptions(time_limit_seconds=3, workers=1))
    _breaches, bound = waiting_lower_bound(sessions, requests, last, time_limit=2)
    assert 0 < bound <= evaluate(sessions, requests, result.assignments).weighted_waiting
