"""Writes for appointment scheduling: requests, batch solves, accepting proposals, moves."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hospops import jobs
from hospops.models import Department, Facility, JobRun
from hospops.privacy import pseudonymise

from . import selectors
from .engine import appointments as engine
from .engine.appointments.csvio import CsvError, read_requests, read_sessions
from .engine.appointments.model import SLOT_MINUTES, round_up_to_slot
from .engine.appointments.validate import request_problems
from .models_appointments import (
    Appointment,
    AppointmentRequest,
    ClinicianSession,
    ProposedAppointment,
    minutes_of,
    time_of,
)

SOLVE_JOB_NAME = "appointments.solve"
PROGRESS_EVERY_SECONDS = 1.0


class SchedulingError(ValueError):
    """A request, move or acceptance that breaks a rule; the message names what it clashes with."""


# ---------------------------------------------------------------------------------------------
# Requests


def longest_session_minutes(department: Department) -> int | None:
    lengths = [
        minutes_of(end) - round_up_to_slot(minutes_of(start))
        for start, end in ClinicianSession.objects.filter(department=department).values_list(
            "start", "end"
        )
    ]
    return max(lengths, default=None)


def create_request(
    *,
    patient_identifier: str,
    department: Department,
    duration_minutes: int,
    urgency: int,
    max_wait_days: int,
    earliest_date: dt.date,
    preferred_clinician: str = "",
    unavailable_dates: Iterable[dt.date] = (),
) -> AppointmentRequest:
    """Store a request under the patient's pseudonym; the raw identifier is never saved."""
    longest = longest_session_minutes(department)
    if longest is not None and round_up_to_slot(duration_minutes) > longest:
        raise SchedulingError(
            f"duration {duration_minutes} minutes is longer than every session of "
            f"{department.code} (longest {longest} minutes)"
        )
    return AppointmentRequest.objects.create(
        patient_ref=pseudonymise(patient_identifier),
        department=department,
        duration_minutes=duration_minutes,
        urgency=urgency,
        max_wait_days=max_wait_days,
        earliest_date=earliest_date,
        preferred_clinician=preferred_clinician,
        unavailable_dates=sorted(day.isoformat() for day in unavailable_dates),
    )


# ---------------------------------------------------------------------------------------------
# From the database to the engine and back


def free_segments(
    session: ClinicianSession, booked: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The parts of a session not taken by regular bookings, as (start, end) minutes."""
    segments, cursor = [], minutes_of(session.start)
    for start, end in sorted(booked):
        if start > cursor:
            segments.append((cursor, start))
        cursor = max(cursor, round_up_to_slot(end))
    if cursor < minutes_of(session.end):
        segments.append((cursor, minutes_of(session.end)))
    return [(start, end) for start, end in segments if end - round_up_to_slot(start) >= 5]


def build_problem(
    on: dt.date,
) -> tuple[list[engine.Session], list[engine.Request], dict[str, int]]:
    """Engine sessions (the free parts of sessions after ``on``), pending requests, and the
    database session of each engine session id."""
    # From the next day: a session under way today may already be past the proposed times.
    sessions = list(selectors.open_sessions(on + dt.timedelta(days=1)))
    booked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    # Existing double bookings count as taken too, so a new overbooking cannot land on them.
    for session_id, start, duration in (
        selectors.booked_appointments()
        .filter(session__in=sessions)
        .values_list("session_id", "start", "duration_minutes")
    ):
        booked[session_id].append((minutes_of(start), minutes_of(start) + duration))
    engine_sessions, owner = [], {}
    for session in sessions:
        for index, (start, end) in enumerate(free_segments(session, booked[session.pk])):
            segment_id = f"{session.pk}" if index == 0 else f"{session.pk}.{index}"
            owner[segment_id] = session.pk
            engine_sessions.append(
                engine.Session(
                    segment_id,
                    session.clinician,
                    session.room,
                    str(session.department_id),
                    session.date,
                    start,
                    end,
                )
            )
    requests = [
        engine.Request(
            request_id=str(request.pk),
            patient_ref=request.patient_ref,
            department_id=str(request.department_id),
            duration_minutes=request.duration_minutes,
            urgency=request.urgency,
            max_wait_days=request.max_wait_days,
            earliest_date=request.earliest_date,
            preferred_clinician_id=request.preferred_clinician or None,
            unavailable_dates=frozenset(request.unavailable),
        )
        for request in selectors.pending_requests()
    ]
    return engine_sessions, requests, owner


def _solve_reporting_progress(
    job: JobRun,
    sessions: list[engine.Session],
    requests: list[engine.Request],
    options: engine.SolverOptions,
) -> engine.SolveResult:
    """Run the solver in a worker thread while this thread writes its progress to the JobRun:
    the solver's callbacks come from its own threads, which must not touch the database."""
    latest: dict = {}
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["result"] = engine.solve(
                sessions,
                requests,
                options,
                progress=lambda fraction, message, _stats: latest.update(
                    fraction=fraction, message=message
                ),
            )
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = error

    thread = threading.Thread(target=work, name=f"appointments-solve-{job.pk}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(PROGRESS_EVERY_SECONDS)
        if latest:
            jobs.report_progress(job.pk, 5 + 90 * latest["fraction"], latest["message"])
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def solve_pending(
    job: JobRun,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    overbooking: bool = False,
    overbooking_cap: float = 0.15,
) -> dict:
    """Solve all pending requests into a proposal stored on ``job``; returns its figures."""
    on = job.run_date or timezone.localdate()
    jobs.report_progress(job.pk, 1, "loading sessions and requests")
    sessions, requests, owner = build_problem(on)
    codes = {str(pk): code for pk, code in Department.objects.values_list("pk", "code")}
    too_long = request_problems(sessions, requests, codes)
    requests = [r for r in requests if r.request_id not in too_long]
    rates = None
    if overbooking:
        departments = {s.department_id for s in sessions}
        rates = {d: selectors.no_show_rate(int(d), on=on) for d in departments}
    options = engine.SolverOptions(
        time_limit_seconds=time_limit,
        workers=workers,
        overbooking_rates=rates,
        overbooking_cap=overbooking_cap,
    )
    result = _solve_reporting_progress(job, sessions, requests, options)
    metrics = engine.evaluate(sessions, requests, result.assignments)
    with transaction.atomic():
        ProposedAppointment.objects.filter(job=job).delete()
        ProposedAppointment.objects.bulk_create(
            ProposedAppointment(
                job=job,
                request_id=int(a.request_id),
                session_id=owner[a.session_id],
                start=time_of(a.start),
                overbooked=a.overbooked,
            )
            for a in result.assignments
        )
        job.refresh_from_db(fields=["details"])
        job.details = {
            **job.details,
            "status": result.status,
            "objective": result.objective,
            "bound": result.bound,
            "solve_seconds": round(result.wall_seconds, 2),
            "skipped": [f"request #{rid}: {problem}" for rid, problem in too_long.items()],
        }
        job.save(update_fields=["details"])
    return {
        "requests": len(requests) + len(too_long),
        "scheduled": metrics.scheduled,
        "unscheduled": metrics.unscheduled + len(too_long),
        "weighted_waiting": metrics.weighted_waiting,
        "breaches": metrics.breaches,
        "overbooked": metrics.overbooked,
    }


def start_solve(user, *, time_limit: float, workers: int = 2, overbooking: bool = False) -> JobRun:
    from .tasks import solve_appointments

    job = jobs.create(SOLVE_JOB_NAME, run_date=timezone.localdate(), user=user)
    job.details = {"time_limit": time_limit, "overbooking": overbooking}
    job.save(update_fields=["details"])
    jobs.dispatch(solve_appointments, job.pk, time_limit, workers, overbooking)
    return job


# ---------------------------------------------------------------------------------------------
# Conflicts, acceptance and moves


def _describe(appointment: Appointment) -> str:
    return (
        f"appointment #{appointment.pk} of clinician {appointment.clinician} in room "
        f"{appointment.room} on {appointment.date} {appointment.start:%H:%M}-"
        f"{appointment.end:%H:%M}"
    )


def conflicts(
    session: ClinicianSession,
    start: int,
    duration: int,
    *,
    overbooked: bool = False,
    exclude_id: int | None = None,
) -> list[str]:
    """Booked appointments of the same clinician or room that overlap [start, start+duration).

    Overbooked appointments are double bookings on purpose: they are checked against each other
    only, and regular ones against regular ones.
    """
    end = start + duration
    found = []
    others = selectors.booked_appointments().filter(
        Q(clinician=session.clinician) | Q(room=session.room),
        date=session.date,
        overbooked=overbooked,
    )
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    for other in others:
        other_start = minutes_of(other.start)
        if other_start < end and start < other_start + other.duration_minutes:
            found.append(f"clashes with {_describe(other)}")
    return found


def slot_problems(
    request_like: AppointmentRequest | None,
    department_id: int,
    session: ClinicianSession,
    start: int,
    duration: int,
) -> list[str]:
    """The per-slot hard rules: department, session hours, 5-minute marks, patient dates."""
    problems = []
    if session.department_id != department_id:
        problems.append(f"session {session} belongs to another department")
    if start % SLOT_MINUTES:
        problems.append(f"{time_of(start):%H:%M} is not on a 5-minute mark")
    if start < minutes_of(session.start) or start + duration > minutes_of(session.end):
        problems.append(
            f"{time_of(start):%H:%M}-{time_of(start + duration):%H:%M} is outside the session "
            f"{session.start:%H:%M}-{session.end:%H:%M}"
        )
    if request_like is not None:
        if session.date < request_like.earliest_date:
            problems.append(
                f"{session.date} is before the earliest date {request_like.earliest_date}"
            )
        if session.date in request_like.unavailable:
            problems.append(f"the patient cannot come on {session.date}")
    return problems


def lock_sessions(session_ids: set[int]) -> None:
    """Hold the sessions until the transaction ends, so that two schedulers booking into the
    same session one after the other each see the other's appointments (ordered: no deadlock)."""
    list(
        ClinicianSession.objects.select_for_update()
        .filter(pk__in=session_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def accept_proposal(job: JobRun) -> int:
    """Book every proposed appointment of ``job``; all or nothing. Returns the number booked."""
    proposals = list(
        ProposedAppointment.objects.filter(job=job).select_related("request", "session")
    )
    if not proposals:
        raise SchedulingError("this run has no proposal left to accept")
    lock_sessions({p.session_id for p in proposals})
    request_ids = [p.request_id for p in proposals]
    pending = set(
        AppointmentRequest.objects.select_for_update()
        .filter(pk__in=request_ids, status=AppointmentRequest.Status.PENDING)
        .values_list("pk", flat=True)
    )
    problems = []
    for proposal in proposals:
        if proposal.request_id not in pending:
            problems.append(f"request #{proposal.request_id} is no longer pending")
            continue
        clashes = conflicts(
            proposal.session,
            minutes_of(proposal.start),
            proposal.request.duration_minutes,
            overbooked=proposal.overbooked,
        )
        problems += [f"request #{proposal.request_id}: {clash}" for clash in clashes]
    if problems:
        raise SchedulingError("; ".join(problems[:10]) + (" …" if len(problems) > 10 else ""))
    Appointment.objects.bulk_create(
        Appointment(
            request=p.request,
            session=p.session,
            patient_ref=p.request.patient_ref,
            department_id=p.request.department_id,
            clinician=p.session.clinician,
            room=p.session.room,
            date=p.session.date,
            start=p.start,
            duration_minutes=p.request.duration_minutes,
            overbooked=p.overbooked,
        )
        for p in proposals
    )
    AppointmentRequest.objects.filter(pk__in=request_ids).update(
        status=AppointmentRequest.Status.SCHEDULED
    )
    ProposedAppointment.objects.filter(job=job).delete()
    job.refresh_from_db(fields=["details"])
    job.details = {
        **job.details,
        "accepted_at": timezone.now().isoformat(),
        "booked": len(proposals),
    }
    job.save(update_fields=["details"])
    return len(proposals)


@transaction.atomic
def move_appointment(
    appointment: Appointment, session: ClinicianSession, start: dt.time
) -> Appointment:
    """Move one booked appointment to ``session`` at ``start``, or raise naming the conflict."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    lock_sessions({session.pk})
    if appointment.status != Appointment.Status.BOOKED:
        raise SchedulingError(
            f"appointment #{appointment.pk} is {appointment.get_status_display()}"
        )
    begin = minutes_of(start)
    problems = slot_problems(
        appointment.request, appointment.department_id, session, begin, appointment.duration_minutes
    )
    problems += conflicts(
        session,
        begin,
        appointment.duration_minutes,
        overbooked=appointment.overbooked,
        exclude_id=appointment.pk,
    )
    if problems:
        raise SchedulingError("Cannot move: " + "; ".join(problems))
    appointment.session = session
    appointment.clinician, appointment.room = session.clinician, session.room
    appointment.date, appointment.start = session.date, start
    appointment.save(update_fields=["session", "clinician", "room", "date", "start"])
    return appointment


# ---------------------------------------------------------------------------------------------
# Import of the batch CSV formats


def import_batch(
    sessions_file: TextIO,
    requests_file: TextIO,
    *,
    facility: Facility | None = None,
    sessions_name: str = "sessions",
    requests_name: str = "requests",
) -> dict[str, int]:
    """Import sessions and requests in the ``solve_appointments`` CSV formats, all or nothing.

    ``department_id`` holds a department code, ``clinician_id`` / ``preferred_clinician_id``
    clinician codes; ``patient_ref`` is the hospital's identifier and is stored only as its
    pseudonym. New sessions may not overlap existing ones of the same clinician or room.
    Raises :class:`CsvError` listing every bad row.
    """
    departments = Department.objects.all()
    if facility is not None:
        departments = departments.filter(facility=facility)
    by_code = {d.code: d for d in departments}
    sessions = read_sessions(sessions_file, sessions_name)
    problems = [
        f"row {row}, department_id: unknown department {s.department_id!r}"
        for row, s in enumerate(sessions, start=2)
        if s.department_id not in by_code
    ]
    problems += _clashes_with_stored_sessions(sessions)
    if problems:
        raise CsvError(sessions_name, problems)
    stored = [
        engine.Session(
            f"stored-{s.pk}", s.clinician, s.room, s.department.code, s.date,
            minutes_of(s.start), minutes_of(s.end),
        )
        for s in ClinicianSession.objects.filter(department__in=by_code.values())
        .select_related("department")
    ]  # fmt: skip
    requests = read_requests(requests_file, [*stored, *sessions], requests_name)
    problems = [
        f"row {row}, department_id: unknown department {r.department_id!r}"
        for row, r in enumerate(requests, start=2)
        if r.department_id not in by_code
    ]
    if problems:
        raise CsvError(requests_name, problems)
    with transaction.atomic():
        ClinicianSession.objects.bulk_create(
            ClinicianSession(
                department=by_code[s.department_id],
                clinician=s.clinician_id,
                room=s.room_id,
                date=s.date,
                start=time_of(s.start),
                end=time_of(s.end),
            )
            for s in sessions
        )
        AppointmentRequest.objects.bulk_create(
            AppointmentRequest(
                patient_ref=pseudonymise(r.patient_ref),
                department=by_code[r.department_id],
                duration_minutes=r.duration_minutes,
                urgency=r.urgency,
                max_wait_days=r.max_wait_days,
                earliest_date=r.earliest_date,
                preferred_clinician=r.preferred_clinician_id or "",
                unavailable_dates=sorted(d.isoformat() for d in r.unavailable_dates),
            )
            for r in requests
        )
    return {"sessions": len(sessions), "requests": len(requests)}


def _clashes_with_stored_sessions(sessions: list[engine.Session]) -> list[str]:
    if not sessions:
        return []
    dates = {s.date for s in sessions}
    stored = ClinicianSession.objects.filter(date__in=dates)
    problems = []
    for row, new in enumerate(sessions, start=2):
        for old in stored:
            same = "clinician" if old.clinician == new.clinician_id else None
            same = same or ("room" if old.room == new.room_id else None)
            if (
                same
                and old.date == new.date
                and minutes_of(old.start) < new.end
                and new.start < minutes_of(old.end)
            ):
                problems.append(
                    f"row {row}, session {new.session_id}: overlaps stored session #{old.pk} "
                    f"of the same {same} ({old})"
                )
    return problems
