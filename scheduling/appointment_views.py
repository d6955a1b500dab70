"""Pages for schedulers: pending requests, solving, proposals per clinic and day, moves.

Every page listing patient-level rows is audited; patients appear as pseudonyms only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hospops import audit
from hospops.models import JobRun
from hospops.roles import module_required

from . import appointment_services as services
from . import selectors
from .appointment_forms import ClinicDayFilter, MoveForm, SolveForm
from .models_appointments import Appointment, ProposedAppointment

PAGE_SIZE = 50


def _filtered(rows, request: HttpRequest, date_field: str, department_field: str = "department"):
    form = ClinicDayFilter(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["department"]:
            rows = rows.filter(**{department_field: form.cleaned_data["department"]})
        if form.cleaned_data["date"]:
            rows = rows.filter(**{date_field: form.cleaned_data["date"]})
    return rows, form


@module_required("scheduling")
def requests_list(request: HttpRequest) -> HttpResponse:
    rows, filter_form = _filtered(selectors.pending_requests(), request, "earliest_date")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        request,
        audit.Action.VIEW,
        object_type="scheduling.AppointmentRequest",
        summary=f"pending appointment requests, page {page.number}",
    )
    runs = JobRun.objects.filter(name=services.SOLVE_JOB_NAME)[:5]
    return render(
        request,
        "scheduling/appointments/requests.html",
        {
            "page": page,
            "filters": request.GET.dict(),
            "filter_form": filter_form,
            "solve_form": SolveForm(),
            "runs": runs,
        },
    )


@module_required("scheduling")
@require_POST
def solve(request: HttpRequest) -> HttpResponse:
    form = SolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a time limit between 1 and 600 seconds.")
        return redirect("scheduling:appointment_requests")
    job = services.start_solve(
        request.user,
        time_limit=form.cleaned_data["time_limit"],
        overbooking=form.cleaned_data["overbooking"],
    )
    audit.record(request, audit.Action.CREATE, job, summary="appointment batch solve started")
    return redirect("scheduling:appointment_proposal", job_id=job.pk)


@module_required("scheduling")
def proposal(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(JobRun, pk=job_id, name=services.SOLVE_JOB_NAME)
    rows = ProposedAppointment.objects.filter(job=job).select_related(
        "request", "session", "session__department"
    )
    rows, filter_form = _filtered(rows, request, "session__date", "session__department")
    rows = rows.order_by(
        "session__department__code",
        "session__date",
        "session__clinician",
        "session__start",
        "start",
    )
    audit.record(request, audit.Action.VIEW, job, summary="proposed appointment schedule viewed")
    return render(
        request,
        "scheduling/appointments/proposal.html",
        {
            "job": job,
            "proposals": rows[:1000],
            "proposal_count": rows.count(),
            "filter_form": filter_form,
        },
    )


@module_required("scheduling")
@require_POST
def accept(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(JobRun, pk=job_id, name=services.SOLVE_JOB_NAME)
    try:
        booked = services.accept_proposal(job)
    except services.SchedulingError as error:
        messages.error(request, f"Nothing was booked: {error}")
        return redirect("scheduling:appointment_proposal", job_id=job.pk)
    audit.record(request, audit.Action.DECIDE, job, summary=f"proposal accepted: {booked} booked")
    messages.success(request, f"{booked} appointments booked.")
    return redirect("scheduling:appointment_schedule")


@module_required("scheduling")
def schedule(request: HttpRequest) -> HttpResponse:
    rows = selectors.booked_appointments().select_related("department", "session")
    rows, filter_form = _filtered(rows, request, "date")
    rows = rows.order_by("department__code", "date", "clinician", "start", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        request,
        audit.Action.VIEW,
        object_type="scheduling.Appointment",
        summary=f"booked appointments, page {page.number}",
    )
    return render(
        request,
        "scheduling/appointments/schedule.html",
        {"page": page, "filters": request.GET.dict(), "filter_form": filter_form},
    )


@module_required("scheduling")
def move(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(Appointment.objects.select_related("department"), pk=pk)
    form = MoveForm(request.POST or None, appointment=appointment)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_appointment(
                appointment, form.cleaned_data["session"], form.cleaned_data["start"]
            )
        except services.SchedulingError as error:
            form.add_error(None, str(error))
        else:
            audit.record(request, audit.Action.UPDATE, appointment, summary="appointment moved")
            messages.success(request, f"Appointment #{appointment.pk} moved.")
            return redirect("scheduling:appointment_schedule")
    else:
        audit.record(request, audit.Action.VIEW, appointment, summary="appointment opened")
    return render(
        request,
        "scheduling/appointments/move.html",
        {"appointment": appointment, "form": form},
        status=400 if request.method == "POST" else 200,
    )
