from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from . import roles
from .models import AuditEvent, JobRun


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "hospops/home.html")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def job_as_dict(job: JobRun) -> dict:
    return {
        "id": job.pk,
        "name": job.name,
        "status": job.status,
        "progress": round(job.progress, 1),
        "message": job.message,
        "counts": job.counts,
        "error": job.error,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "finished": job.is_finished,
    }


@roles.module_required("runs")
def run_list(request: HttpRequest) -> HttpResponse:
    steps_in_order = Prefetch("steps", queryset=JobRun.objects.order_by("id"))
    runs = JobRun.objects.filter(parent__isnull=True).prefetch_related(steps_in_order)
    if name := request.GET.get("name"):
        runs = runs.filter(name=name)
    if status := request.GET.get("status"):
        runs = runs.filter(status=status)
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "hospops/run_list.html",
        {"page": page, "statuses": JobRun.Status.choices, "filters": request.GET},
    )


def can_see_job(request: HttpRequest, job: JobRun) -> bool:
    """Administrators see every run; others see the runs they started themselves."""
    return roles.has_role(request.user, ()) or job.created_by_id == request.user.pk


@roles.role_required(*roles.ALL_ROLES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(JobRun, pk=pk)
    if not can_see_job(request, job):
        return HttpResponse(status=403)
    context = {"job": job, "steps": job.steps.order_by("id")}
    return render(request, "hospops/run_detail.html", context)


@roles.role_required(*roles.ALL_ROLES)
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(JobRun, pk=pk)
    if not can_see_job(request, job):
        return JsonResponse({"error": "forbidden"}, status=403)
    data = job_as_dict(job)
    data["steps"] = [job_as_dict(step) for step in job.steps.order_by("id")]
    return JsonResponse(data)


@roles.module_required("audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("user")
    filters = request.GET
    if username := filters.get("user"):
        events = events.filter(username__icontains=username)
    if action := filters.get("action"):
        events = events.filter(action=action)
    if object_type := filters.get("object_type"):
        events = events.filter(object_type__icontains=object_type)
    if object_id := filters.get("object_id"):
        events = events.filter(object_id=object_id)
    if since := filters.get("since"):
        events = events.filter(at__date__gte=since)
    if until := filters.get("until"):
        events = events.filter(at__date__lte=until)
    page = Paginator(events, 50).get_page(filters.get("page"))
    return render(
        request,
        "hospops/audit_list.html",
        {"page": page, "actions": AuditEvent.Action.choices, "filters": filters},
    )
