"""Forecast pages. Supply pages are for supply managers; appointment-load pages also for
schedulers (administrators pass everywhere)."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hospops import audit, roles
from hospops.roles import module_required, role_required

from . import selectors, services
from .engine import MODEL_FAMILIES
from .forms import DecisionForm, ImportForm, ReorderFilterForm
from .imports import ITEMS_HEADER, USAGE_HEADER, import_items, import_supply_usage
from .models import ForecastRun, ForecastSeries, Location, ReorderRecommendation

supply_required = role_required(roles.SUPPLY_MANAGER)
load_required = role_required(roles.SCHEDULER, roles.SUPPLY_MANAGER)


@module_required("forecasting")
def index(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_run()
    context = {
        "run": run,
        "supply": roles.has_role(request.user, [roles.SUPPLY_MANAGER]),
        "pending": (
            run.recommendations.filter(status=ReorderRecommendation.Status.PENDING).count()
            if run
            else 0
        ),
    }
    return render(request, "forecasting/index.html", context)


def page_of(request: HttpRequest, rows, per_page: int = 50):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def filters_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@supply_required
def supply_list(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_run(ForecastSeries.Kind.SUPPLY)
    location, model, query = (request.GET.get(k, "").strip() for k in ("location", "model", "q"))
    rows = selectors.supply_series(run, location, model, query) if run else []
    return render(
        request,
        "forecasting/supply_list.html",
        {
            "run": run,
            "page": page_of(request, rows),
            "filters": filters_query(request),
            "locations": Location.objects.all(),
            "models": sorted(MODEL_FAMILIES),
            "selected": {"location": location, "model": model, "q": query},
        },
    )


def chart_page(request: HttpRequest, series: ForecastSeries) -> HttpResponse:
    return render(
        request,
        "forecasting/chart.html",
        {
            "series": series,
            "chart": selectors.chart_data(series),
            "points": selectors.forecast_points(series),
            "family": MODEL_FAMILIES.get(series.model, "Other"),
            "candidates": sorted((series.candidate_mase or {}).items(), key=lambda kv: kv[1]),
        },
    )


@supply_required
def supply_chart(request: HttpRequest, item_pk: int, location_pk: int) -> HttpResponse:
    series = (
        ForecastSeries.objects.filter(
            kind=ForecastSeries.Kind.SUPPLY, item_id=item_pk, location_id=location_pk
        )
        .select_related("item", "location", "run")
        .order_by("-run__run_date")
        .first()
    )
    if series is None:
        raise Http404("No forecast for this series yet.")
    return chart_page(request, series)


@load_required
def department_list(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_run(ForecastSeries.Kind.APPOINTMENTS)
    rows = selectors.department_series(run) if run else []
    return render(request, "forecasting/department_list.html", {"run": run, "rows": rows})


@load_required
def department_chart(request: HttpRequest, department_pk: int) -> HttpResponse:
    series = (
        ForecastSeries.objects.filter(
            kind=ForecastSeries.Kind.APPOINTMENTS, department_id=department_pk
        )
        .select_related("department", "run")
        .order_by("-run__run_date")
        .first()
    )
    if series is None:
        raise Http404("No forecast for this series yet.")
    return chart_page(request, series)


@module_required("forecasting")
def portfolio(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_run()
    return render(
        request,
        "forecasting/portfolio.html",
        {
            "run": run,
            "families": selectors.portfolio(run) if run else [],
            "candidates": selectors.candidate_accuracy(run) if run else [],
        },
    )


@supply_required
def reorder_list(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_run(ForecastSeries.Kind.SUPPLY)
    form = ReorderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = (
        selectors.recommendations(
            run, filters.get("status", ""), filters.get("location", ""), filters.get("q", "")
        )
        if run
        else []
    )
    return render(
        request,
        "forecasting/reorder_list.html",
        {
            "run": run,
            "form": form,
            "page": page_of(request, rows),
            "filters": filters_query(request),
            "locations": Location.objects.all(),
            "statuses": ReorderRecommendation.Status.choices,
            "approved_count": selectors.approved_orders(run).count() if run else 0,
        },
    )


@supply_required
@require_POST
def reorder_decide(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        ReorderRecommendation.objects.select_related("item", "location"), pk=pk
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, edit or reject (an edit needs a quantity).")
    else:
        data = form.cleaned_data
        try:
            services.decide(
                recommendation, request.user, data["action"], data.get("quantity"), data["note"]
            )
        except services.DecisionError as exc:
            messages.error(request, f"{recommendation.item.item_id}: {exc}")
        else:
            audit.record(
                request,
                audit.Action.DECIDE,
                recommendation,
                summary=f"reorder {recommendation.status} {recommendation.item.item_id} @ "
                f"{recommendation.location.code}: {recommendation.approved_quantity or 0}",
            )
            messages.success(
                request,
                f"{recommendation.item.item_id} @ {recommendation.location.code}: "
                f"{recommendation.get_status_display().lower()}.",
            )
    return redirect(request.POST.get("next") or "forecasting:reorder")


@supply_required
def reorder_export(request: HttpRequest) -> HttpResponse:
    run = (
        get_object_or_404(ForecastRun, pk=request.GET.get("run"))
        if request.GET.get("run")
        else selectors.latest_run(ForecastSeries.Kind.SUPPLY)
    )
    if run is None:
        raise Http404("No forecast run yet.")
    orders = list(selectors.approved_orders(run))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "item_id",
            "name",
            "location_id",
            "quantity",
            "unit",
            "pack_size",
            "unit_cost",
            "order_cost",
            "status",
            "decided_by",
            "decided_at",
        ]
    )
    for order in orders:
        writer.writerow(
            [
                order.item.item_id,
                order.item.name,
                order.location.code,
                order.approved_quantity,
                order.item.unit,
                order.item.pack_size,
                order.item.unit_cost,
                f"{order.order_cost:.2f}",
                order.status,
                order.decided_by.get_username() if order.decided_by else "",
                order.decided_at.isoformat() if order.decided_at else "",
            ]
        )
    audit.record(
        request,
        audit.Action.EXPORT,
        run,
        summary=f"approved orders of {run.run_date}: {len(orders)} lines",
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="orders-{run.run_date}.csv"'
    return response


@supply_required
def import_view(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        try:
            text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
            result = import_items(text) if kind == "items" else import_supply_usage(text)
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
        else:
            audit.record(
                request,
                audit.Action.IMPORT,
                object_type=f"forecasting.{kind}",
                summary=f"{kind} import: {result.rows} rows, "
                f"{'ok' if result.ok else f'{len(result.errors)} errors, nothing saved'}",
            )
            if result.ok:
                messages.success(
                    request,
                    f"Imported {result.rows} rows: {result.created} new, {result.updated} updated.",
                )
                return redirect("forecasting:import")
    return render(
        request,
        "forecasting/import.html",
        {
            "form": form,
            "result": result,
            "items_header": ",".join(ITEMS_HEADER),
            "usage_header": ",".join(USAGE_HEADER),
        },
    )
