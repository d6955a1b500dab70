"""Writes for staff rostering: creating rosters, solving and repairing them, locks, publishing,
coverage from the appointment-load forecast, leave. Every write runs in one transaction."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hospops import audit, jobs
from hospops.models import Department, JobRun

from .engine import roster as engine
from .models import (
    Assignment,
    CoverageRequirement,
    Leave,
    Roster,
    ShiftPreference,
    ShiftType,
    Skill,
    StaffingRatio,
    StaffMember,
)

MAX_ROSTER_DAYS = 8 * 7
PROGRESS_SECONDS = 1.0


# -- building the engine problem ----------------------------------------------------------------


@dataclass
class LoadedProblem:
    problem: engine.RosterProblem
    staff: dict[str, StaffMember]  # engine id (staff code) -> model
    shift_types: dict[str, ShiftType]
    known_skills: set[str]


def load_problem(roster: Roster) -> LoadedProblem:
    """The roster's department, period, rules and locked cells as an engine problem."""
    start, days = roster.start_date, roster.num_days
    end = roster.end_date
    members = list(
        StaffMember.objects.filter(department=roster.department, active=True)
        .prefetch_related("skills", "shift_limits__shift_type")
        .order_by("name")
    )
    shift_models = list(
        ShiftType.objects.prefetch_related("forbidden_successors", "required_skills")
    )
    staff = [_engine_staff(member) for member in members]
    shift_types = [_engine_shift(shift) for shift in shift_models]
    coverage = [
        engine.CoverageRequirement(
            day=(row.date - start).days,
            shift=row.shift_type.code,
            required=row.required,
            skill=row.skill.code if row.skill else None,
            under_weight=row.under_weight,
            over_weight=row.over_weight,
            minimum=row.minimum,
        )
        for row in CoverageRequirement.objects.filter(
            department=roster.department, date__range=(start, end)
        ).select_related("shift_type", "skill")
    ]
    leave = set()
    for item in Leave.objects.filter(
        staff__in=members, status=Leave.Status.APPROVED, start_date__lte=end, end_date__gte=start
    ).select_related("staff"):
        first, last = max(item.start_date, start), min(item.end_date, end)
        for offset in range((last - first).days + 1):
            leave.add((item.staff.code, (first - start).days + offset))
    preferences = [
        engine.ShiftPreference(
            staff_id=pref.staff.code,
            day=(pref.date - start).days,
            shift=pref.shift_type.code if pref.shift_type else None,
            wants=pref.wants,
            weight=pref.weight,
        )
        for pref in ShiftPreference.objects.filter(
            staff__in=members, date__range=(start, end)
        ).select_related("staff", "shift_type")
    ]
    locked = [
        engine.LockedCell(
            cell.staff.code,
            (cell.date - start).days,
            cell.shift_type.code if cell.shift_type else None,
        )
        for cell in roster.assignments.filter(locked=True).select_related("staff", "shift_type")
    ]
    problem = engine.RosterProblem(
        start_date=start,
        num_days=days,
        staff=staff,
        shift_types=shift_types,
        coverage=coverage,
        leave=leave,
        preferences=preferences,
        locked=locked,
        fairness_weight=5,
    )
    return LoadedProblem(
        problem=problem,
        staff={m.code: m for m in members},
        shift_types={s.code: s for s in shift_models},
        known_skills=set(Skill.objects.values_list("code", flat=True)),
    )


def _engine_staff(member: StaffMember) -> engine.StaffMember:
    return engine.StaffMember(
        id=member.code,
        name=member.name,
        skills=frozenset(skill.code for skill in member.skills.all()),
        max_shifts_per_type={
            limit.shift_type.code: limit.max_shifts for limit in member.shift_limits.all()
        },
        min_minutes=member.min_minutes,
        max_minutes=member.max_minutes,
        max_consecutive_days=member.max_consecutive_days,
        min_consecutive_days=member.min_consecutive_days,
        min_consecutive_days_off=member.min_consecutive_days_off,
        max_weekends=member.max_weekends,
        minima_soft=member.minima_soft,
    )


def _engine_shift(shift: ShiftType) -> engine.ShiftType:
    return engine.ShiftType(
        code=shift.code,
        name=shift.name,
        length_minutes=shift.length_minutes,
        start_minute=shift.start_time.hour * 60 + shift.start_time.minute,
        forbidden_successors=tuple(s.code for s in shift.forbidden_successors.all()),
        min_rest_minutes=shift.min_rest_minutes,
        required_skills=frozenset(skill.code for skill in shift.required_skills.all()),
        is_night=shift.is_night,
    )


# -- rosters ---------------------------------------------------------------------------------------


def create_roster(
    department: Department, start_date: dt.date, end_date: dt.date, user=None, time_limit: int = 20
) -> Roster:
    """A new draft roster; refuses a period without active staff or of an unworkable length."""
    errors = []
    if end_date < start_date:
        errors.append("The roster period ends before it starts.")
    elif (end_date - start_date).days + 1 > MAX_ROSTER_DAYS:
        errors.append(f"A roster covers at most {MAX_ROSTER_DAYS} days.")
    if not StaffMember.objects.filter(department=department, active=True).exists():
        errors.append(f"No staff: {department.code} has no active staff members to roster.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        roster = Roster.objects.create(
            department=department,
            start_date=start_date,
            end_date=end_date,
            created_by=user if user is not None and user.is_authenticated else None,
            time_limit_seconds=time_limit,
        )
        audit.record(user, audit.Action.CREATE, roster, summary=f"roster {roster}")
    return roster


def check_problem(roster: Roster) -> LoadedProblem:
    """The loaded problem, or ValidationError listing every data error by item."""
    loaded = load_problem(roster)
    errors = engine.problem_errors(loaded.problem, loaded.known_skills)
    if errors:
        raise ValidationError(errors)
    return loaded


def start_solve(roster: Roster, user=None) -> JobRun:
    """Check the data, then queue the solve on the solver queue; returns its JobRun."""
    if roster.status != Roster.Status.DRAFT:
        raise ValidationError("Only a draft roster can be solved; repair a published one instead.")
    if roster.job is not None and not roster.job.is_finished:
        raise ValidationError("This roster is being solved already; wait for the run to finish.")
    check_problem(roster)
    job = jobs.create("scheduling.solve_roster", run_date=roster.start_date, user=user)
    Roster.objects.filter(pk=roster.pk).update(job=job)
    from .tasks import solve_roster

    transaction.on_commit(lambda: jobs.dispatch(solve_roster, roster.pk, job.pk))
    return job


def run_solve(roster_id: int, job_id: int) -> JobRun:
    """Solve a roster inside its JobRun, reporting the best objective and bound as it goes."""
    job = JobRun.objects.get(pk=job_id)
    return jobs.run_tracked(job, lambda job: _solve_and_save(Roster.objects.get(pk=roster_id), job))


def _solve_and_save(roster: Roster, job: JobRun) -> dict:
    loaded = check_problem(roster)
    limit = float(roster.time_limit_seconds)
    parameters = engine.SolveParameters(time_limit_seconds=limit, workers=2, seed=roster.pk)
    previous = _previous_cells(roster, loaded)
    solution = _solve_reporting_progress(loaded, parameters, previous, job, limit)
    save_solution(roster, loaded, solution)
    jobs.report_progress(
        job.pk,
        100.0,
        f"{solution.status}: objective {solution.objective}",
        trajectory=_trajectory(solution.progress),
    )
    return {
        "status": solution.status,
        "objective": solution.objective,
        "assignments": len(solution.assignments),
        "changes": len(solution.changes),
    }


def _trajectory(points: list[engine.ProgressPoint], most: int = 300) -> list[list[float]]:
    """Best objective and bound over time as [seconds, objective, bound], thinned to ``most``."""
    step = max(1, len(points) // most)
    kept = points[::step] + ([points[-1]] if points and (len(points) - 1) % step else [])
    return [[p.seconds, p.objective, p.bound] for p in kept]


def _solve_reporting_progress(
    loaded: LoadedProblem,
    parameters: engine.SolveParameters,
    previous: dict | None,
    job: JobRun,
    limit: float,
) -> engine.RosterSolution:
    """Solve in a worker thread while this thread (the one owning the database connection)
    writes the latest best objective and bound into the JobRun about once a second."""
    latest: list[engine.ProgressPoint] = []
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            if previous is None:
                outcome["solution"] = engine.solve(
                    loaded.problem, parameters, latest.append, loaded.known_skills
                )
            else:
                outcome["solution"] = engine.repair(
                    loaded.problem, previous, parameters, latest.append, loaded.known_skills
                )
        except Exception as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=work, name=f"roster-solve-{job.pk}", daemon=True)
    thread.start()
    reported = 0
    while thread.is_alive():
        thread.join(PROGRESS_SECONDS)
        if len(latest) > reported:
            reported = len(latest)
            point = latest[-1]
            jobs.report_progress(
                job.pk,
                min(99.0, 100.0 * point.seconds / max(limit, 1.0)),
                f"best {point.objective:.0f}, bound {point.bound:.0f}",
                best_objective=point.objective,
                bound=point.bound,
                seconds=point.seconds,
            )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["solution"]


def _previous_cells(roster: Roster, loaded: LoadedProblem) -> dict[tuple[str, int], str] | None:
    if roster.based_on_id is None:
        return None
    return {
        (cell.staff.code, (cell.date - roster.start_date).days): cell.shift_type.code
        for cell in roster.based_on.assignments.filter(shift_type__isnull=False).select_related(
            "staff", "shift_type"
        )
        if cell.staff.code in loaded.staff
    }


@transaction.atomic
def save_solution(roster: Roster, loaded: LoadedProblem, solution: engine.RosterSolution) -> None:
    """Replace the unlocked cells with the solution and record the solver statistics.

    An infeasible solve keeps the cells as they were and stores the explanation instead.
    """
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    roster.solver_status = solution.status
    roster.objective, roster.bound, roster.gap = solution.objective, solution.bound, solution.gap
    roster.wall_seconds = solution.wall_seconds
    roster.penalties = solution.penalties
    roster.explanation = solution.explanation
    if solution.has_roster:
        start = roster.start_date
        locked = set(roster.assignments.filter(locked=True).values_list("staff__code", "date"))
        roster.assignments.filter(locked=False).delete()
        Assignment.objects.bulk_create(
            Assignment(
                roster=roster,
                staff=loaded.staff[staff_id],
                date=start + dt.timedelta(days=day),
                shift_type=loaded.shift_types[code],
            )
            for (staff_id, day), code in solution.assignments.items()
            if (staff_id, start + dt.timedelta(days=day)) not in locked
        )
        roster.changes = [
            {
                "staff": loaded.staff[staff_id].name,
                "date": (start + dt.timedelta(days=day)).isoformat(),
                "before": old or "off",
                "after": new or "off",
            }
            for staff_id, day, old, new in solution.changes
        ]
    roster.save()


def set_lock(
    roster: Roster, staff: StaffMember, date: dt.date, locked: bool, shift_code: str | None = ""
) -> Assignment | None:
    """Lock or unlock a cell. ``shift_code`` '' keeps the current content, None locks a day off."""
    if roster.status != Roster.Status.DRAFT:
        raise ValidationError("Cells can only be locked on a draft roster.")
    if (
        not roster.start_date <= date <= roster.end_date
        or staff.department_id != roster.department_id
    ):
        raise ValidationError("That cell is not part of this roster.")
    with transaction.atomic():
        cell = roster.assignments.filter(staff=staff, date=date).first()
        if shift_code != "":
            shift = ShiftType.objects.get(code=shift_code) if shift_code else None
            if (
                shift is not None
                and Leave.objects.filter(
                    staff=staff,
                    status=Leave.Status.APPROVED,
                    start_date__lte=date,
                    end_date__gte=date,
                ).exists()
            ):
                raise ValidationError(
                    f"{staff.name} has approved leave on {date}: cannot lock shift {shift.code}."
                )
            cell = cell or Assignment(roster=roster, staff=staff, date=date)
            cell.shift_type = shift
        if cell is None:
            if not locked:
                return None
            cell = Assignment(roster=roster, staff=staff, date=date, shift_type=None)
        cell.locked = locked
        if cell.shift_type is None and not locked:
            if cell.pk:
                cell.delete()
            return None
        cell.save()
        return cell


def publish(roster: Roster, user=None) -> Roster:
    if roster.status != Roster.Status.DRAFT:
        raise ValidationError("Only a draft roster can be published.")
    if roster.solver_status not in {"OPTIMAL", "FEASIBLE"}:
        raise ValidationError("Solve the roster successfully before publishing it.")
    with transaction.atomic():
        if roster.based_on_id:
            Roster.objects.filter(pk=roster.based_on_id).update(status=Roster.Status.SUPERSEDED)
        roster.status = Roster.Status.PUBLISHED
        roster.published_at = timezone.now()
        roster.save(update_fields=["status", "published_at"])
        audit.record(user, audit.Action.DECIDE, roster, summary=f"published roster {roster.pk}")
    return roster


def start_repair(published: Roster, user=None) -> tuple[Roster, JobRun]:
    """A draft copy of a published roster (locked cells kept) re-solved with a change penalty."""
    if published.status != Roster.Status.PUBLISHED:
        raise ValidationError("Only a published roster can be repaired.")
    with transaction.atomic():
        draft = Roster.objects.create(
            department=published.department,
            start_date=published.start_date,
            end_date=published.end_date,
            based_on=published,
            created_by=user if user is not None and user.is_authenticated else None,
            time_limit_seconds=published.time_limit_seconds,
        )
        Assignment.objects.bulk_create(
            Assignment(
                roster=draft,
                staff_id=c.staff_id,
                date=c.date,
                shift_type_id=c.shift_type_id,
                locked=True,
            )
            for c in published.assignments.filter(locked=True)
        )
        audit.record(user, audit.Action.CREATE, draft, summary=f"repair of roster {published.pk}")
        job = start_solve(draft, user)
    return draft, job


# -- leave ---------------------------------------------------------------------------------------


def record_leave(
    staff: StaffMember, start_date: dt.date, end_date: dt.date, reason: str = "", user=None
) -> Leave:
    """Approved leave; refuses leave that contradicts itself or a shift locked by the scheduler."""
    errors = []
    if end_date < start_date:
        errors.append(f"Leave of {staff.name}: ends {end_date} before it starts {start_date}.")
    clashes = Assignment.objects.filter(
        staff=staff,
        locked=True,
        shift_type__isnull=False,
        date__range=(start_date, end_date),
        roster__status__in=[Roster.Status.DRAFT, Roster.Status.PUBLISHED],
    ).select_related("shift_type")
    for cell in clashes:
        errors.append(
            f"Leave of {staff.name} on {cell.date}: contradicts the locked {cell.shift_type.code} "
            f"shift in roster {cell.roster_id}; unlock it first."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        leave = Leave.objects.create(
            staff=staff, start_date=start_date, end_date=end_date, reason=reason[:100]
        )
        audit.record(user, audit.Action.CREATE, leave, summary="approved leave")
    return leave


# -- coverage from the appointment-load forecast ---------------------------------------------------


@dataclass(frozen=True)
class RatioRule:
    """How many staff one shift needs for a forecast load (per skill; ``None`` for anyone)."""

    shift_code: str
    skill_code: str | None
    appointments_per_staff: float
    base_staff: int = 0
    minimum: int = 0
    level: str = "value"  # the forecast column to staff for: value, hi80 or hi95


@dataclass(frozen=True)
class CoverageRow:
    date: dt.date
    shift_code: str
    skill_code: str | None
    required: int
    minimum: int


def coverage_from_forecast(forecast: pd.DataFrame, rules: Iterable[RatioRule]) -> list[CoverageRow]:
    """Coverage rows from a daily load forecast (columns date, value, lo80, hi80, lo95, hi95).

    required = base + ceil(load / appointments per staff), load taken at the rule's level
    (never below zero); the hard minimum is capped at the requirement.
    """
    rows = []
    frame = forecast.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    for rule in rules:
        if rule.appointments_per_staff <= 0:
            raise ValueError(f"Staffing ratio for {rule.shift_code}: must be positive.")
        if rule.level not in frame.columns:
            raise ValueError(f"Forecast has no column {rule.level!r}.")
        for date, load in zip(frame["date"], frame[rule.level], strict=True):
            load = 0.0 if pd.isna(load) else max(0.0, float(load))
            required = rule.base_staff + math.ceil(load / rule.appointments_per_staff - 1e-9)
            rows.append(
                CoverageRow(
                    date, rule.shift_code, rule.skill_code, required, min(rule.minimum, required)
                )
            )
    return rows


def generate_coverage(
    department: Department, start: dt.date, end: dt.date, user=None, forecast=None
) -> int:
    """Replace the forecast-generated coverage of a period from the forecast and the ratios."""
    ratios = list(
        StaffingRatio.objects.filter(department=department).select_related("shift_type", "skill")
    )
    if not ratios:
        raise ValidationError(f"{department.code} has no staffing ratios: add one per shift first.")
    if forecast is None:
        # Provided by the forecasting module; imported here so rostering works without it.
        from forecasting.selectors import appointment_load_forecast

        forecast = appointment_load_forecast(department.pk, start, end)
    rules = [
        RatioRule(
            r.shift_type.code,
            r.skill.code if r.skill else None,
            float(r.appointments_per_staff),
            r.base_staff,
            r.minimum,
            r.level,
        )
        for r in ratios
    ]
    rows = coverage_from_forecast(forecast, rules)
    shifts = {s.code: s for s in ShiftType.objects.all()}
    skills = {s.code: s for s in Skill.objects.all()}
    with transaction.atomic():
        CoverageRequirement.objects.filter(
            department=department,
            date__range=(start, end),
            source=CoverageRequirement.Source.FORECAST,
        ).delete()
        manual = set(
            CoverageRequirement.objects.filter(
                department=department, date__range=(start, end)
            ).values_list("date", "shift_type__code", "skill__code")
        )
        created = CoverageRequirement.objects.bulk_create(
            CoverageRequirement(
                department=department,
                date=row.date,
                shift_type=shifts[row.shift_code],
                skill=skills[row.skill_code] if row.skill_code else None,
                required=row.required,
                minimum=row.minimum,
                source=CoverageRequirement.Source.FORECAST,
            )
            for row in rows
            if start <= row.date <= end and (row.date, row.shift_code, row.skill_code) not in manual
        )
        audit.record(
            user,
            audit.Action.CREATE,
            object_type="scheduling.CoverageRequirement",
            summary=f"{len(created)} coverage rows from forecast for {department.code}",
        )
    return len(created)


# -- coverage rows imported by the scheduler ----------------------------------------------


def import_coverage(department: Department, rows: list[dict], user=None) -> int:
    """Coverage rows (date, shift, skill, required, minimum): all or nothing, bad rows named."""
    shifts = {s.code: s for s in ShiftType.objects.all()}
    skills = {s.code: s for s in Skill.objects.all()}
    errors, objects = [], []
    for number, row in enumerate(rows, start=2):
        try:
            date = dt.date.fromisoformat(str(row.get("date", "")).strip())
        except ValueError:
            errors.append(f"Row {number}, date: {row.get('date')!r} is not an ISO date.")
            continue
        shift_code = str(row.get("shift", "")).strip()
        skill_code = str(row.get("skill", "") or "").strip()
        if shift_code not in shifts:
            errors.append(f"Row {number}, shift: unknown shift type {shift_code!r}.")
        if skill_code and skill_code not in skills:
            errors.append(f"Row {number}, skill: unknown skill {skill_code!r}.")
        try:
            required = int(row.get("required", ""))
            minimum = int(row.get("minimum") or 0)
            if required < 0 or minimum < 0 or minimum > required:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"Row {number}, required/minimum: need whole numbers, 0 <= min <= req.")
            continue
        if shift_code in shifts and (not skill_code or skill_code in skills):
            objects.append(
                CoverageRequirement(
                    department=department,
                    date=date,
                    shift_type=shifts[shift_code],
                    skill=skills.get(skill_code),
                    required=required,
                    minimum=minimum,
                )
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for item in objects:
            CoverageRequirement.objects.update_or_create(
                department=department,
                date=item.date,
                shift_type=item.shift_type,
                skill=item.skill,
                defaults={
                    "required": item.required,
                    "minimum": item.minimum,
                    "source": CoverageRequirement.Source.MANUAL,
                },
            )
        audit.record(
            user,
            audit.Action.IMPORT,
            object_type="scheduling.CoverageRequirement",
            summary=f"{len(objects)} coverage rows for {department.code}",
        )
    return len(objects)
