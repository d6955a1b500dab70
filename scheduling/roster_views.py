"""Scheduler pages for staff rosters: list and generate, grid, locks, solve, repair, publish,
per-staff view, coverage from the forecast, leave, CSV and iCalendar exports."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hospops import audit
from hospops.roles import module_required

from . import roster_selectors as selectors
from . import roster_services as services
from .models import Roster, StaffingRatio, StaffMember
from .roster_forms import (
    CoverageGenerateForm,
    CoverageImportForm,
    LeaveForm,
    LockForm,
    RosterCreateForm,
    StaffingRatioForm,
)

scheduler_only = module_required("scheduling")
COVERAGE_HEADER = ["date", "shift", "skill", "required", "minimum"]


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@scheduler_only
def roster_list(request: HttpRequest) -> HttpResponse:
    form = RosterCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster = services.create_roster(
                form.cleaned_data["department"],
                form.cleaned_data["start_date"],
                form.end_date,
                request.user,
                form.cleaned_data["time_limit"],
            )
            services.start_solve(roster, request.user)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, f"Roster for {roster.department} is being generated.")
            return redirect("scheduling:roster_detail", pk=roster.pk)
    return render(
        request,
        "scheduling/roster_list.html",
        {"form": form, "rosters": selectors.rosters()[:100]},
    )


@scheduler_only
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(selectors.rosters(), pk=pk)
    grid = selectors.roster_grid(roster)
    return render(
        request,
        "scheduling/roster_detail.html",
        {
            "roster": roster,
            "grid": grid,
            "skill_gaps": selectors.skill_coverage(roster),
            "solving": roster.job is not None and not roster.job.is_finished,
            "leave_form": LeaveForm(),
        },
    )


@require_POST
@scheduler_only
def roster_solve(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(Roster, pk=pk)
    try:
        services.start_solve(roster, request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, "Solving started.")
    return redirect("scheduling:roster_detail", pk=pk)


@require_POST
@scheduler_only
def roster_repair(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(Roster, pk=pk)
    try:
        draft, _ = services.start_repair(roster, request.user)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("scheduling:roster_detail", pk=pk)
    messages.success(request, "Repair started: the draft keeps as much of the published roster.")
    return redirect("scheduling:roster_detail", pk=draft.pk)


@require_POST
@scheduler_only
def roster_publish(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(Roster, pk=pk)
    try:
        services.publish(roster, request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, "Roster published.")
    return redirect("scheduling:roster_detail", pk=pk)


@require_POST
@scheduler_only
def roster_lock(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(Roster, pk=pk)
    form = LockForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([f"{k}: {', '.join(v)}" for k, v in form.errors.items()])
        data = form.cleaned_data
        services.set_lock(roster, data["staff"], data["date"], data["locked"], form.shift_code())
    except ValidationError as error:
        _error_messages(request, error)
    return redirect("scheduling:roster_detail", pk=pk)


@scheduler_only
def roster_staff(request: HttpRequest, pk: int, staff_pk: int) -> HttpResponse:
    roster = get_object_or_404(Roster, pk=pk)
    member = get_object_or_404(StaffMember, pk=staff_pk, department=roster.department)
    shifts = selectors.staff_shifts(roster, member)
    minutes = sum(cell.shift_type.length_minutes for cell in shifts)
    return render(
        request,
        "scheduling/roster_staff.html",
        {"roster": roster, "member": member, "shifts": shifts, "hours": minutes / 60},
    )


def _published_or_error(request: HttpRequest, roster: Roster) -> HttpResponse | None:
    if roster.status != Roster.Status.PUBLISHED:
        messages.error(request, "Only a published roster can be exported.")
        return redirect("scheduling:roster_detail", pk=roster.pk)
    return None


@scheduler_only
def roster_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(Roster, pk=pk)
    if refused := _published_or_error(request, roster):
        return refused
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "staff_code", "staff_name", "shift", "start", "minutes"])
    rows = selectors.export_rows(roster)
    for cell in rows:
        shift = cell.shift_type
        writer.writerow(
            [
                cell.date,
                cell.staff.code,
                cell.staff.name,
                shift.code,
                shift.start_time.strftime("%H:%M"),
                shift.length_minutes,
            ]
        )
    audit.record(request, audit.Action.EXPORT, roster, summary=f"roster CSV, {len(rows)} shifts")
    return response


@scheduler_only
def roster_export_ics(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(Roster, pk=pk)
    if refused := _published_or_error(request, roster):
        return refused
    rows = selectors.export_rows(roster)
    response = HttpResponse(selectors.ical_text(roster, rows), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.pk}.ics"'
    audit.record(request, audit.Action.EXPORT, roster, summary=f"roster iCalendar, {len(rows)}")
    return response


@require_POST
@scheduler_only
def leave_create(request: HttpRequest, pk: int) -> HttpResponse:
    form = LeaveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([f"{k}: {', '.join(v)}" for k, v in form.errors.items()])
        data = form.cleaned_data
        services.record_leave(
            data["staff"], data["start_date"], data["end_date"], data["reason"], request.user
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, "Leave recorded; repair or re-solve the roster to apply it.")
    return redirect("scheduling:roster_detail", pk=pk)


@scheduler_only
def coverage(request: HttpRequest) -> HttpResponse:
    ratio_form = StaffingRatioForm(prefix="ratio")
    generate_form = CoverageGenerateForm(prefix="generate")
    import_form = CoverageImportForm(prefix="import")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "ratio":
            ratio_form = _save_ratio(request)
        elif action == "generate":
            generate_form = _generate(request)
        elif action == "import":
            import_form = _import(request)
        if not any(f.errors for f in (ratio_form, generate_form, import_form)):
            return redirect("scheduling:roster_coverage")
    ratios = StaffingRatio.objects.select_related("department", "shift_type", "skill")
    return render(
        request,
        "scheduling/roster_coverage.html",
        {
            "ratios": ratios,
            "ratio_form": ratio_form,
            "generate_form": generate_form,
            "import_form": import_form,
        },
    )


def _save_ratio(request: HttpRequest) -> StaffingRatioForm:
    data = request.POST
    existing = StaffingRatio.objects.filter(
        department_id=data.get("ratio-department") or None,
        shift_type_id=data.get("ratio-shift_type") or None,
        skill_id=data.get("ratio-skill") or None,
    ).first()
    form = StaffingRatioForm(data, prefix="ratio", instance=existing)
    if form.is_valid():
        ratio = form.save()
        audit.record(request, audit.Action.UPDATE, ratio, summary="staffing ratio")
        messages.success(request, "Staffing ratio saved.")
    return form


def _generate(request: HttpRequest) -> CoverageGenerateForm:
    form = CoverageGenerateForm(request.POST, prefix="generate")
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = services.generate_coverage(
                data["department"], data["start_date"], data["end_date"], request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ImportError:
            form.add_error(None, "The appointment-load forecast is not available yet.")
        else:
            messages.success(request, f"{count} coverage rows generated from the forecast.")
    return form


def _import(request: HttpRequest) -> CoverageImportForm:
    form = CoverageImportForm(request.POST, request.FILES, prefix="import")
    if form.is_valid():
        text = form.cleaned_data["file"].read().decode("utf-8-sig", errors="replace")
        reader = csv.DictReader(io.StringIO(text))
        if [name.strip() for name in reader.fieldnames or []] != COVERAGE_HEADER:
            form.add_error("file", f"Header must be {','.join(COVERAGE_HEADER)}.")
            return form
        try:
            count = services.import_coverage(
                form.cleaned_data["department"], list(reader), request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{count} coverage rows imported.")
    return form
