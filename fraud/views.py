"""Review queue, claim page, decisions, upload, exports, metrics and detector settings."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hospops import audit, roles
from hospops.roles import module_required, role_required

from . import forms, selectors, services
from .engine import detectors
from .engine.claims import ClaimsFileError
from .engine.scoring import reasons_text
from .models import (
    Claim,
    ClaimScore,
    DetectorSetting,
    Flag,
    FlagDecision,
    Provider,
    ScoringSettings,
)


@module_required("fraud")
def index(request: HttpRequest) -> HttpResponse:
    filters = request.GET.copy()
    filters.setdefault("status", "open")
    page = selectors.queue_page(filters, request.user, cursor=request.GET.get("after"))
    audit.record(
        request,
        audit.Action.VIEW,
        object_type="fraud.Flag",
        summary=f"review queue: {len(page.flags)} flags shown",
    )
    kept = {k: v for k, v in filters.items() if k in selectors.QUEUE_FILTERS and v}
    return render(
        request,
        "fraud/index.html",
        {
            "page": page,
            "filters": kept,
            "statuses": Flag.Status.choices,
            "detectors": [(name, detectors.LABELS[name]) for name in detectors.DETECTORS],
            "specialties": Provider.objects.values_list("specialty", flat=True)
            .distinct()
            .order_by("specialty"),
            "reviewers": forms.reviewers(),
            "detector_labels": detectors.LABELS,
        },
    )


def can_decide(request: HttpRequest, flag: Flag) -> bool:
    """A flag assigned to a reviewer is theirs to decide; administrators may decide any."""
    return flag.assignee_id in (None, request.user.pk) or roles.has_role(request.user, ())


@module_required("fraud")
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("provider", "payer", "patient"), pk=pk)
    flag = Flag.objects.filter(claim=claim).select_related("assignee").first()
    score = ClaimScore.objects.filter(claim=claim).first()
    audit.record(request, audit.Action.VIEW, claim, summary=f"claim page {claim.claim_id}")
    context = {
        "claim": claim,
        "lines": claim.lines.order_by("line_number"),
        "score": score,
        "reasons": [
            {**reason, "label": detectors.LABELS.get(reason["detector"], reason["detector"])}
            for reason in (score.reasons if score else [])
        ],
        "flag": flag,
        "history": flag.decisions.select_related("decided_by", "assignee") if flag else [],
        "other_claims": selectors.other_claims(claim),
        "mix": selectors.visit_level_mix(claim.provider),
        "can_decide": bool(flag) and can_decide(request, flag),
    }
    if flag:
        context["decision_form"] = forms.DecisionForm(initial={"version": flag.version})
        context["assign_form"] = forms.AssignForm(
            initial={"version": flag.version, "assignee": flag.assignee_id}
        )
    return render(request, "fraud/claim_detail.html", context)


@require_POST
@module_required("fraud")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(Flag, pk=pk)
    if not can_decide(request, flag):
        raise PermissionDenied
    form = forms.DecisionForm(request.POST)
    target = reverse("fraud:claim", args=[flag.claim_id])
    if not form.is_valid():
        messages.error(
            request,
            "Decision not saved: "
            + "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
        )
        return redirect(target)
    try:
        flag = services.change_flag(
            flag.pk,
            request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleFlagError as error:
        messages.error(request, str(error))
        return redirect(target)
    audit.record(
        request,
        audit.Action.DECIDE,
        flag,
        summary=f"{form.cleaned_data['action']} on claim {flag.claim.claim_id}",
    )
    messages.success(request, f"Flag is now {flag.get_status_display().lower()}.")
    return redirect(target)


@require_POST
@module_required("fraud")
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(Flag, pk=pk)
    if not can_decide(request, flag):
        raise PermissionDenied
    form = forms.AssignForm(request.POST)
    target = reverse("fraud:claim", args=[flag.claim_id])
    if not form.is_valid():
        messages.error(request, "Assignment not saved: a note is required.")
        return redirect(target)
    assignee = form.cleaned_data["assignee"]
    try:
        flag = services.change_flag(
            flag.pk,
            request.user,
            action=FlagDecision.Action.ASSIGN,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
            assignee=assignee,
        )
    except services.StaleFlagError as error:
        messages.error(request, str(error))
        return redirect(target)
    who = assignee.get_username() if assignee else "nobody"
    audit.record(request, audit.Action.UPDATE, flag, summary=f"assigned to {who}")
    messages.success(request, f"Assigned to {who}.")
    return redirect(target)


@module_required("fraud")
def upload(request: HttpRequest) -> HttpResponse:
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_claims(request.FILES["file"].file)
        except ClaimsFileError as error:
            errors = error.errors
            messages.error(request, f"Nothing imported: {len(errors)} error(s) in the file.")
        else:
            audit.record(
                request,
                audit.Action.IMPORT,
                object_type="fraud.Claim",
                summary=f"upload: {result.as_counts()}",
            )
            messages.success(
                request,
                f"Imported {result.lines} lines: {result.claims_created} new claims, "
                f"{result.claims_updated} changed, {result.claims_unchanged} unchanged. "
                "They are scored in the next scoring run.",
            )
            return redirect("fraud:upload")
    return render(
        request,
        "fraud/upload.html",
        {"form": form, "errors": errors[:500], "error_count": len(errors)},
    )


class Echo:
    def write(self, value: str) -> str:
        return value


@module_required("fraud")
def export_flags(request: HttpRequest) -> StreamingHttpResponse:
    """The flag list as CSV with the queue's filters (status=confirmed: confirmed cases)."""
    filters = request.GET.copy()
    filters.setdefault("status", "all")
    flags = (
        selectors.filtered_flags(filters, request.user)
        .order_by("-risk_score", "id")
        .values_list(
            "claim__claim_id",
            "risk_score",
            "status",
            "provider__provider_id",
            "specialty",
            "payer__payer_id",
            "service_date",
            "total_billed",
            "assignee__username",
            "claim__score__reasons",
        )
    )
    writer = csv.writer(Echo())
    header = [
        "claim_id",
        "risk_score",
        "status",
        "provider_id",
        "specialty",
        "payer_id",
        "service_date",
        "total_billed",
        "assignee",
        "reasons",
    ]

    def rows():
        yield writer.writerow(header)
        for row in flags.iterator(chunk_size=2000):
            *fields, reasons = row
            fields[1] = f"{fields[1]:.6f}"
            yield writer.writerow([*fields, reasons_text(reasons or [])])

    status = filters.get("status")
    audit.record(
        request,
        audit.Action.EXPORT,
        object_type="fraud.Flag",
        summary=f"flag export, status={status}",
    )
    response = StreamingHttpResponse(rows(), content_type="text/csv")
    name = "confirmed_cases.csv" if status == "confirmed" else "flags.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@module_required("fraud")
def metrics(request: HttpRequest) -> HttpResponse:
    data = selectors.metrics()
    audit.record(request, audit.Action.VIEW, object_type="fraud.Metrics", summary="metrics page")
    return render(request, "fraud/metrics.html", {"metrics": data})


@role_required(roles.ADMINISTRATOR)
def detector_settings(request: HttpRequest) -> HttpResponse:
    current = {s.detector: s for s in DetectorSetting.objects.all()}
    initial = {"threshold": ScoringSettings.current().threshold}
    for name in detectors.DETECTORS:
        setting = current.get(name)
        initial[f"weight_{name}"] = setting.weight if setting else 1.0
        initial[f"enabled_{name}"] = setting.enabled if setting else True
    form = forms.SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_detector_settings(
            {name: data[f"weight_{name}"] for name in detectors.DETECTORS},
            {name: data[f"enabled_{name}"] for name in detectors.DETECTORS},
            data["threshold"],
            request.user,
        )
        audit.record(
            request,
            audit.Action.UPDATE,
            object_type="fraud.DetectorSetting",
            summary=f"detector weights and threshold {data['threshold']:.2f}",
        )
        messages.success(request, "Saved. Every claim is rescored at the next scoring run.")
        return redirect("fraud:settings")
    return render(request, "fraud/settings.html", {"form": form})


@require_POST
@role_required(roles.ADMINISTRATOR)
def score_now(request: HttpRequest) -> HttpResponse:
    job = services.start_scoring(request.user)
    audit.record(request, audit.Action.CREATE, job, summary="scoring run started")
    return redirect("run_detail", pk=job.pk)
