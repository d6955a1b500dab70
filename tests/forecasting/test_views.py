import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forecasting import services
from forecasting.models import ForecastSeries, ReorderRecommendation, SupplyItem
from hospops.models import AuditEvent

from .factories import RUN_DATE, make_supply

FAST = ["seasonal_naive", "theta"]


@pytest.fixture
def forecast_run(db):
    stock = make_supply(days=63, items=2)
    run = services.start_run(RUN_DATE)
    services.forecast_supply(run, [(s.item_id, s.location_id) for s in stock], candidates=FAST)
    services.compute_recommendations(run)
    return run


SUPPLY_PAGES = ["forecasting:supply", "forecasting:reorder", "forecasting:import"]


@pytest.mark.parametrize("name", SUPPLY_PAGES)
def test_supply_pages_open_for_supply_managers_and_not_billing(
    name, forecast_run, supply_client, billing_client, scheduler_client
):
    assert supply_client.get(reverse(name)).status_code == 200
    assert billing_client.get(reverse(name)).status_code == 403
    assert scheduler_client.get(reverse(name)).status_code == 403


def test_chart_page_shows_model_and_chart_data(forecast_run, supply_client, billing_client):
    series = ForecastSeries.objects.filter(run=forecast_run).first()
    url = reverse("forecasting:supply_chart", args=[series.item_id, series.location_id])
    response = supply_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="chart-data"' in body and "vendor/chart.umd.min.js" in body
    assert series.model in body
    assert billing_client.get(url).status_code == 403


def test_load_and_portfolio_pages_open_for_schedulers_not_billing(
    forecast_run, scheduler_client, billing_client, admin_client_
):
    for name in ("forecasting:departments", "forecasting:portfolio", "forecasting:index"):
        assert scheduler_client.get(reverse(name)).status_code == 200
        assert admin_client_.get(reverse(name)).status_code == 200
        assert billing_client.get(reverse(name)).status_code == 403


def test_approve_edit_reject_are_audited_and_approved_orders_export(forecast_run, supply_client):
    recommendation = ReorderRecommendation.objects.get()
    url = reverse("forecasting:reorder_decide", args=[recommendation.pk])
    response = supply_client.post(url, {"action": "edit", "quantity": "15"})
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == "pending"  # 15 is not a whole number of packs of 10

    supply_client.post(url, {"action": "edit", "quantity": "70"})
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.approved_quantity) == ("edited", 70)
    assert AuditEvent.objects.filter(action="decide", object_id=str(recommendation.pk)).exists()

    export = supply_client.get(reverse("forecasting:reorder_export"))
    lines = export.content.decode().strip().splitlines()
    assert lines[0].startswith("item_id,name,location_id,quantity")
    assert lines[1].startswith("IT-0,Item 0,MAIN,70,")
    assert AuditEvent.objects.filter(action="export").count() == 1

    supply_client.post(url, {"action": "reject"})
    recommendation.refresh_from_db()
    assert recommendation.status == "rejected"
    export = supply_client.get(reverse("forecasting:reorder_export"))
    assert len(export.content.decode().strip().splitlines()) == 1


def test_billing_reviewer_cannot_decide(forecast_run, billing_client):
    recommendation = ReorderRecommendation.objects.get()
    url = reverse("forecasting:reorder_decide", args=[recommendation.pk])
    assert billing_client.post(url, {"action": "approve"}).status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.status == "pending"


def test_reorder_list_filters_and_sorts_by_urgency(forecast_run, supply_client):
    response = supply_client.get(reverse("forecasting:reorder"), {"status": "pending"})
    assert response.status_code == 200
    assert "IT-0" in response.content.decode()
    response = supply_client.get(reverse("forecasting:reorder"), {"status": "approved"})
    assert "IT-0" not in response.content.decode()


@pytest.mark.django_db
def test_upload_form_imports_and_lists_every_bad_row(supply_client):
    items = SimpleUploadedFile(
        "items.csv",
        b"item_id,name,unit,unit_cost,lead_time_days,pack_size,on_hand,location_id\n"
        b"A,Gauze,pack,1.00,3,10,5,MAIN\n",
    )
    response = supply_client.post(reverse("forecasting:import"), {"kind": "items", "file": items})
    assert response.status_code == 302
    assert SupplyItem.objects.filter(item_id="A").exists()
    usage = SimpleUploadedFile(
        "usage.csv",
        b"date,location_id,item_id,quantity\n2026-01-01,MAIN,B,1\n2026-01-32,MAIN,A,1\n",
    )
    response = supply_client.post(reverse("forecasting:import"), {"kind": "usage", "file": usage})
    body = response.content.decode()
    assert response.status_code == 200
    assert "row 2: item_id: unknown item &#x27;B&#x27;" in body
    assert "row 3: date: bad date" in body
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_department_chart_404_without_forecast(forecast_run, scheduler_client):
    response = scheduler_client.get(reverse("forecasting:department_chart", args=[999]))
    assert response.status_code == 404
    assert forecast_run.run_date == RUN_DATE


def test_approving_a_changed_quantity_records_an_edit(forecast_run, supply_client):
    recommendation = ReorderRecommendation.objects.get()
    url = reverse("forecasting:reorder_decide", args=[recommendation.pk])
    quantity = recommendation.recommended_quantity + 10
    supply_client.post(url, {"action": "approve", "quantity": str(quantity)})
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.approved_quantity) == ("edited", quantity)
