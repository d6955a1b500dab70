import io

import pytest
from django.core.management import CommandError, call_command

from forecasting.imports import import_items, import_supply_usage
from forecasting.models import DailyUsage, Location, StockLevel, SupplyItem
from hospops.models import AuditEvent

ITEMS = (
    "item_id,name,unit,unit_cost,lead_time_days,pack_size,on_hand,location_id\n"
    "GLV-M,Nitrile gloves M,box,4.50,5,10,120,MAIN\n"
    "SYR-5,Syringe 5 ml,each,0.12,3,100,900,MAIN\n"
    "GLV-M,Nitrile gloves M,box,4.50,5,10,30,ED\n"
)


def load_items() -> None:
    result = import_items(io.StringIO(ITEMS))
    assert result.ok, result.errors


@pytest.mark.django_db
def test_import_items_creates_items_locations_and_stock():
    load_items()
    assert SupplyItem.objects.count() == 2
    assert set(Location.objects.values_list("code", flat=True)) == {"MAIN", "ED"}
    stock = StockLevel.objects.get(item__item_id="GLV-M", location__code="ED")
    assert stock.on_hand == 30
    load_items()  # idempotent
    assert StockLevel.objects.count() == 3


@pytest.mark.django_db
def test_import_items_reports_every_bad_row_and_saves_nothing():
    text = (
        "item_id,name,unit,unit_cost,lead_time_days,pack_size,on_hand,location_id\n"
        "A,Gauze,pack,abc,3,10,5,MAIN\n"
        "B,Tape,roll,1.00,-2,0,-4,MAIN\n"
        "C,Mask,box,2.00,3,10,5,MAIN\n"
        ",Gown,each,2.00,3,1,5,\n"
    )
    result = import_items(io.StringIO(text))
    assert result.errors == [
        "row 2: unit_cost: 'abc' is not a number",
        "row 3: lead_time_days: must be at least 0 (-2)",
        "row 3: pack_size: must be at least 1 (0)",
        "row 3: on_hand: negative quantity -4",
        "row 5: item_id: is required",
        "row 5: location_id: is required",
    ]
    assert SupplyItem.objects.count() == 0


@pytest.mark.django_db
def test_import_rejects_a_wrong_header():
    result = import_supply_usage(io.StringIO("day,location,item,qty\n2026-01-01,MAIN,A,1\n"))
    assert result.errors == [
        "row 1: header must be date,location_id,item_id,quantity, found day,location,item,qty"
    ]


@pytest.mark.django_db
def test_usage_import_reports_unknown_item_negative_quantity_and_bad_date():
    load_items()
    text = (
        "date,location_id,item_id,quantity\n"
        "2026-01-01,MAIN,GLV-M,4\n"
        "2026-01-02,MAIN,NOPE,4\n"
        "2026-01-03,MAIN,GLV-M,-1\n"
        "2026-13-01,MAIN,GLV-M,2\n"
        "2026-01-04,WARD9,GLV-M,2\n"
        "2026-01-05,MAIN,GLV-M\n"
    )
    result = import_supply_usage(io.StringIO(text))
    assert result.errors == [
        "row 3: item_id: unknown item 'NOPE'",
        "row 4: quantity: negative quantity -1",
        "row 5: date: bad date '2026-13-01' (expected YYYY-MM-DD)",
        "row 6: location_id: unknown location 'WARD9'",
        "row 7: expected 4 fields, found 3",
    ]
    assert DailyUsage.objects.count() == 0


@pytest.mark.django_db
def test_importing_the_same_usage_file_twice_does_not_double_it():
    load_items()
    text = (
        "date,location_id,item_id,quantity\n"
        "2026-01-01,MAIN,GLV-M,4\n"
        "2026-01-01,MAIN,GLV-M,1\n"
        "2026-01-02,ED,GLV-M,2.5\n"
    )
    first = import_supply_usage(io.StringIO(text))
    assert first.ok and first.created == 2 and first.updated == 0
    second = import_supply_usage(io.StringIO(text))
    assert second.ok and second.created == 0 and second.updated == 2
    totals = dict(DailyUsage.objects.values_list("location__code", "quantity"))
    assert totals == {"MAIN": 5.0, "ED": 2.5}


@pytest.mark.django_db
def test_empty_file_is_an_error():
    assert import_supply_usage(io.StringIO("")).errors == ["row 1: the file is empty"]
    header_only = io.StringIO("date,location_id,item_id,quantity\n")
    assert import_supply_usage(header_only).errors == ["the file has no data rows"]


@pytest.mark.django_db
def test_import_commands_load_files_and_fail_on_bad_rows(tmp_path):
    items = tmp_path / "items.csv"
    items.write_text(ITEMS)
    usage = tmp_path / "usage.csv"
    usage.write_text("date,location_id,item_id,quantity\n2026-01-01,MAIN,SYR-5,40\n")
    out = io.StringIO()
    call_command("import_items", str(items), stdout=out)
    call_command("import_supply_usage", str(usage), stdout=out)
    assert "Imported 1 rows: 1 new, 0 updated." in out.getvalue()
    assert DailyUsage.objects.get().quantity == 40
    usage.write_text("date,location_id,item_id,quantity\n2026-01-02,MAIN,SYR-5,x\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 bad rows"):
        call_command("import_supply_usage", str(usage), stderr=errors)
    assert "row 2: quantity: 'x' is not a number" in errors.getvalue()
    assert AuditEvent.objects.filter(action="import").count() == 3
