"""Small supply data sets for the Django-level tests."""

from __future__ import annotations

import datetime as dt

import numpy as np

from forecasting.models import DailyUsage, Location, StockLevel, SupplyItem

RUN_DATE = dt.date(2026, 3, 1)


def make_supply(days: int = 84, items: int = 3, seed: int = 0) -> list[StockLevel]:
    """``items`` items at one location with a weekly usage pattern over ``days`` days; the
    first item is nearly out of stock."""
    rng = np.random.default_rng(seed)
    location = Location.objects.create(code="MAIN", name="Main store")
    pattern = np.array([12, 14, 13, 12, 15, 6, 5], dtype=float)
    start = RUN_DATE - dt.timedelta(days=days - 1)
    stock = []
    usage = []
    for index in range(items):
        item = SupplyItem.objects.create(
            item_id=f"IT-{index}",
            name=f"Item {index}",
            unit="each",
            unit_cost="2.50",
            lead_time_days=5,
            pack_size=10,
        )
        stock.append(
            StockLevel.objects.create(
                item=item, location=location, on_hand=20 if index == 0 else 900
            )
        )
        for day in range(days):
            quantity = max(0.0, pattern[day % 7] * (index + 1) + rng.normal(0, 1.5))
            usage.append(
                DailyUsage(
                    item=item,
                    location=location,
                    date=start + dt.timedelta(days=day),
                    quantity=round(quantity, 1),
                )
            )
    DailyUsage.objects.bulk_create(usage)
    return stock
