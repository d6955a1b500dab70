"""CSV imports of supply items and daily usage. Each import is atomic: every bad row is
reported with its row number (the header is row 1) and nothing is saved unless all rows pass."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from .models import DailyUsage, Location, StockLevel, SupplyItem

ITEMS_HEADER = [
    "item_id",
    "name",
    "unit",
    "unit_cost",
    "lead_time_days",
    "pack_size",
    "on_hand",
    "location_id",
]
USAGE_HEADER = ["date", "location_id", "item_id", "quantity"]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RowErrors:
    """Collects the problems of one row, so that a row reports all its bad fields at once."""

    def __init__(self, row_number: int, result: ImportResult) -> None:
        self.row_number, self.result, self.failed = row_number, result, False

    def add(self, field_name: str, reason: str) -> None:
        self.result.errors.append(f"row {self.row_number}: {field_name}: {reason}")
        self.failed = True


def read_rows(stream: Iterable[str] | io.TextIOBase, header: list[str], result: ImportResult):
    """Yield (row number, row dict) after checking the header."""
    reader = csv.reader(stream)
    found = next(reader, None)
    if found is None:
        result.errors.append("row 1: the file is empty")
        return
    found = [column.strip().lstrip("\ufeff") for column in found]
    if found != header:
        result.errors.append(f"row 1: header must be {','.join(header)}, found {','.join(found)}")
        return
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            result.errors.append(
                f"row {number}: expected {len(header)} fields, found {len(values)}"
            )
            continue
        yield number, {name: value.strip() for name, value in zip(header, values, strict=True)}


def parse_decimal(text: str, errors: RowErrors, field_name: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.add(field_name, f"{text!r} is not a number")
        return None
    if not value.is_finite():
        errors.add(field_name, f"{text!r} is not a number")
        return None
    if value < 0:
        errors.add(field_name, f"negative quantity {text}")
        return None
    return value


def parse_whole(text: str, errors: RowErrors, field_name: str, minimum: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        errors.add(field_name, f"{text!r} is not a whole number")
        return None
    if value < minimum:
        errors.add(field_name, f"must be at least {minimum} ({text})")
        return None
    return value


def parse_date(text: str, errors: RowErrors) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.add("date", f"bad date {text!r} (expected YYYY-MM-DD)")
        return None


def import_items(stream) -> ImportResult:
    """Create or update items and set their stock at each row's location (created if new)."""
    result = ImportResult()
    items: dict[str, dict] = {}
    stock: dict[tuple[str, str], float] = {}
    for number, row in read_rows(stream, ITEMS_HEADER, result):
        result.rows += 1
        errors = RowErrors(number, result)
        for name in ("item_id", "name", "unit", "location_id"):
            if not row[name]:
                errors.add(name, "is required")
        unit_cost = parse_decimal(row["unit_cost"], errors, "unit_cost")
        lead_time = parse_whole(row["lead_time_days"], errors, "lead_time_days", 0)
        pack_size = parse_whole(row["pack_size"], errors, "pack_size", 1)
        on_hand = parse_decimal(row["on_hand"], errors, "on_hand")
        if errors.failed:
            continue
        items[row["item_id"]] = {
            "name": row["name"][:200],
            "unit": row["unit"][:30],
            "unit_cost": unit_cost,
            "lead_time_days": lead_time,
            "pack_size": pack_size,
        }
        stock[(row["item_id"], row["location_id"])] = float(on_hand)
    if result.errors or result.rows == 0:
        if result.rows == 0 and not result.errors:
            result.errors.append("the file has no data rows")
        return result
    with transaction.atomic():
        saved = {}
        for item_id, fields in items.items():
            item, created = SupplyItem.objects.update_or_create(item_id=item_id, defaults=fields)
            saved[item_id] = item
            result.created += created
            result.updated += not created
        locations = {}
        for code in {location for _, location in stock}:
            locations[code] = Location.objects.get_or_create(code=code, defaults={"name": code})[0]
        now = timezone.now()
        for (item_id, code), on_hand in stock.items():
            StockLevel.objects.update_or_create(
                item=saved[item_id],
                location=locations[code],
                defaults={"on_hand": on_hand, "updated_at": now},
            )
    return result


def import_supply_usage(stream) -> ImportResult:
    """Set the usage of each (date, location, item). A row replaces the stored value for its
    day, so importing the same file again changes nothing; repeated rows in one file add up."""
    result = ImportResult()
    items = dict(SupplyItem.objects.values_list("item_id", "pk"))
    locations = dict(Location.objects.values_list("code", "pk"))
    quantities: dict[tuple[int, int, dt.date], float] = {}
    for number, row in read_rows(stream, USAGE_HEADER, result):
        result.rows += 1
        errors = RowErrors(number, result)
        day = parse_date(row["date"], errors)
        location_pk = locations.get(row["location_id"])
        if location_pk is None:
            errors.add("location_id", f"unknown location {row['location_id']!r}")
        item_pk = items.get(row["item_id"])
        if item_pk is None:
            errors.add("item_id", f"unknown item {row['item_id']!r}")
        quantity = parse_decimal(row["quantity"], errors, "quantity")
        if errors.failed:
            continue
        key = (item_pk, location_pk, day)
        quantities[key] = quantities.get(key, 0.0) + float(quantity)
    if result.errors or result.rows == 0:
        if result.rows == 0 and not result.errors:
            result.errors.append("the file has no data rows")
        return result
    with transaction.atomic():
        rows = [
            DailyUsage(item_id=item, location_id=location, date=day, quantity=quantity)
            for (item, location, day), quantity in quantities.items()
        ]
        existing = DailyUsage.objects.filter(
            date__in={day for _, _, day in quantities},
            item_id__in={item for item, _, _ in quantities},
        ).values_list("item_id", "location_id", "date")
        existing_keys = set(existing) & set(quantities)
        DailyUsage.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["item", "location", "date"],
            update_fields=["quantity"],
        )
        result.updated = len(existing_keys)
        result.created = len(rows) - result.updated
    return result
