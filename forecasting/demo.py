"""Demo supply data: ~150 items at 3 locations with 3 years of daily usage, stock on hand, and
a first forecast run with its reorder recommendations.

The demo forecast uses a fast configuration so that ``seed_demo`` stays within its time budget:
the fast candidates only (seasonal naive, Theta and the intermittent methods; no Prophet or
ETS), fitted on the last 16 weeks with two backtest windows. The nightly run uses every
candidate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import numpy as np

from hospops.demo import DemoContext, demo_seeder

from . import selectors, services
from .models import DailyUsage, ForecastRun, Location, StockLevel, SupplyItem

DEMO_CANDIDATES = ("seasonal_naive", "theta", "croston", "sba", "tsb", "ensemble")
DEMO_FIT_POINTS = 16 * 7
HISTORY_DAYS = 3 * 365
LOCATIONS = (
    ("MAIN", "Central store"),
    ("ED", "Emergency department store"),
    ("THEATRE", "Theatre store"),
)
PRODUCTS = (
    ("Nitrile gloves", "box", 4.2, ("S", "M", "L", "XL")),
    ("Surgical mask", "box", 6.5, ("type IIR", "FFP2", "FFP3")),
    ("Syringe", "each", 0.11, ("2 ml", "5 ml", "10 ml", "20 ml", "50 ml")),
    ("Hypodermic needle", "each", 0.05, ("21G", "23G", "25G")),
    ("IV cannula", "each", 1.4, ("18G", "20G", "22G", "24G")),
    ("Saline 0.9%", "bag", 1.1, ("100 ml", "500 ml", "1000 ml")),
    ("Gauze swab", "pack", 0.8, ("5x5 cm", "7.5x7.5 cm", "10x10 cm")),
    ("Adhesive dressing", "each", 0.35, ("small", "medium", "large")),
    ("Crepe bandage", "roll", 0.9, ("5 cm", "7.5 cm", "10 cm", "15 cm")),
    ("Urinary catheter", "each", 2.8, ("12Ch", "14Ch", "16Ch")),
    ("Suture", "each", 3.9, ("3-0 absorbable", "4-0 absorbable", "3-0 nylon", "5-0 nylon")),
    ("Specimen pot", "each", 0.15, ("30 ml", "60 ml")),
    ("Blood culture bottle", "each", 4.6, ("aerobic", "anaerobic", "paediatric")),
    ("Oxygen mask", "each", 1.9, ("adult", "paediatric", "non-rebreather")),
    ("Nebuliser kit", "each", 2.3, ("adult", "paediatric")),
    ("ECG electrode", "pack", 3.1, ("adult", "neonatal")),
    ("Alcohol wipe", "box", 2.2, ("standard",)),
    ("Sharps bin", "each", 3.4, ("1 l", "5 l", "11 l")),
    ("Disposable apron", "roll", 5.8, ("white", "blue")),
    ("Surgical gown", "each", 2.9, ("M", "L", "XL")),
    ("Theatre drape", "each", 4.4, ("small", "large")),
    ("Endotracheal tube", "each", 5.2, ("6.0", "7.0", "8.0")),
    ("Chest drain", "each", 18.0, ("20Fr", "28Fr")),
    ("Pressure relief pad", "each", 12.0, ("heel", "sacral")),
    ("Glucose test strip", "pack", 9.5, ("standard",)),
    ("Pulse oximeter probe", "each", 7.5, ("adult", "paediatric")),
    ("Infusion set", "each", 2.1, ("gravity", "pump")),
    ("Extension line", "each", 1.2, ("10 cm", "150 cm")),
    ("Enteral feed set", "each", 3.3, ("standard",)),
    ("Wound closure strip", "pack", 1.7, ("3 mm", "6 mm", "12 mm")),
    ("Tourniquet", "each", 0.6, ("single use",)),
    ("Hand gel", "bottle", 2.7, ("500 ml", "1 l")),
    ("Tongue depressor", "box", 3.0, ("wooden",)),
    ("Cold pack", "each", 0.9, ("instant",)),
    ("Cervical collar", "each", 14.0, ("adjustable",)),
    ("Splint", "each", 9.0, ("finger", "wrist", "leg")),
    ("Plaster of Paris", "roll", 1.6, ("7.5 cm", "10 cm", "15 cm")),
    ("Suction catheter", "each", 0.7, ("10Fr", "12Fr", "14Fr")),
    ("Yankauer sucker", "each", 0.8, ("standard",)),
    ("Lancet", "box", 6.0, ("safety",)),
    ("Vacutainer tube", "each", 0.2, ("EDTA", "SST", "citrate", "heparin")),
    ("Incontinence pad", "pack", 4.8, ("day", "night")),
    ("Examination glove, latex-free", "box", 4.9, ("S", "M", "L")),
    ("Sterile water", "bottle", 1.3, ("100 ml", "500 ml", "1 l")),
    ("Compression stocking", "pair", 6.2, ("S", "M", "L", "XL")),
    ("Hydrocolloid dressing", "each", 2.4, ("5x5 cm", "10x10 cm", "15x15 cm")),
    ("Foam dressing", "each", 3.6, ("7.5 cm", "10 cm", "15 cm")),
    ("Nasogastric tube", "each", 1.9, ("8Fr", "10Fr", "12Fr", "14Fr")),
    ("Arterial blood gas syringe", "each", 1.5, ("1 ml", "3 ml")),
    ("Pregnancy test", "each", 0.6, ("urine",)),
    ("Bed sheet, disposable", "each", 1.1, ("single", "trolley")),
    ("Patient gown", "each", 2.0, ("adult", "bariatric", "paediatric")),
    ("Stopcock", "each", 0.9, ("3-way", "4-way")),
    ("Needle-free connector", "each", 1.6, ("standard", "neutral")),
    ("Airway, oropharyngeal", "each", 1.2, ("size 2", "size 3", "size 4")),
    ("Laryngeal mask", "each", 8.5, ("size 3", "size 4", "size 5")),
    ("Skin stapler", "each", 11.0, ("35 wide",)),
    ("Staple remover", "each", 1.4, ("single use",)),
    ("Thermometer probe cover", "box", 7.0, ("tympanic", "oral")),
    ("Urine drainage bag", "each", 1.3, ("leg", "night", "hourly")),
    ("Dialysis cannula", "each", 6.5, ("15G", "16G")),
    ("Burette set", "each", 3.8, ("150 ml",)),
)
PACK_SIZES = {
    "each": (10, 50, 100),
    "box": (1, 5, 10),
    "pack": (5, 10, 20),
    "bag": (10, 20),
    "roll": (6, 12),
    "bottle": (6, 12),
    "pair": (5, 10),
}


def demo_items(limit: int = 150) -> list[tuple[str, str, float]]:
    items = []
    for product, unit, cost, variants in PRODUCTS:
        for variant in variants:
            items.append((f"{product} {variant}", unit, cost))
    return items[:limit]


def usage_matrix(ctx: DemoContext, days: np.ndarray, series: int) -> tuple[np.ndarray, list]:
    """Daily usage of ``series`` series: weekly and yearly seasonality, trends, a winter surge
    for some items, and intermittent demand for about a fifth of them."""
    rng = ctx.rng
    day_of_year = np.array([d.timetuple().tm_yday for d in days])
    weekday = np.array([d.weekday() for d in days])
    years = np.arange(len(days)) / 365.25
    kinds = []
    usage = np.zeros((series, len(days)))
    for index in range(series):
        intermittent = rng.random() < 0.2
        level = rng.uniform(0.05, 0.6) if intermittent else rng.lognormal(np.log(15), 0.9)
        weekend = rng.uniform(0.4, 0.95)
        weekly = np.where(weekday >= 5, weekend, 1.0)
        yearly = 1 + rng.uniform(0.0, 0.25) * np.cos(2 * np.pi * (day_of_year - 20) / 365.25)
        surge = 1.0
        if rng.random() < 0.3:  # winter respiratory season: mid-December to February
            winter = (day_of_year >= 350) | (day_of_year <= 59)
            surge = np.where(winter, 1 + rng.uniform(0.3, 0.8), 1.0)
        trend = (1 + rng.uniform(-0.08, 0.2)) ** years
        usage[index] = rng.poisson(level * weekly * yearly * surge * trend)
        kinds.append("intermittent" if intermittent else "regular")
    return usage, kinds


@demo_seeder(order=20)
def seed(ctx: DemoContext) -> None:
    started = time.perf_counter()
    if SupplyItem.objects.filter(item_id__startswith="DEMO-").exists():
        ctx.write("forecasting: demo supply data already present")
    else:
        seed_supply(ctx)
    history_end = ctx.today - dt.timedelta(days=1)
    if not ForecastRun.objects.filter(run_date=history_end).exists():
        forecast_demo(ctx, history_end)
    ctx.write(f"forecasting: done in {time.perf_counter() - started:.0f} s")


def seed_supply(ctx: DemoContext) -> None:
    rng = ctx.rng
    locations = [
        Location.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in LOCATIONS
    ]
    items = SupplyItem.objects.bulk_create(
        [
            SupplyItem(
                item_id=f"DEMO-{index:03d}",
                name=name,
                unit=unit,
                unit_cost=f"{cost * rng.uniform(0.9, 1.1):.2f}",
                lead_time_days=int(rng.choice([2, 3, 5, 7, 10, 14])),
                pack_size=int(rng.choice(PACK_SIZES[unit])),
                minimum_order=0,
                service_level=float(rng.choice([0.9, 0.95, 0.98])),
            )
            for index, (name, unit, cost) in enumerate(demo_items(), start=1)
        ]
    )
    # Every item at the central store; about a third also at each of the other two.
    pairs = [(item, locations[0]) for item in items]
    pairs += [(item, loc) for item in items for loc in locations[1:] if rng.random() < 0.35]
    history_end = ctx.today - dt.timedelta(days=1)
    days = np.array([history_end - dt.timedelta(days=k) for k in range(HISTORY_DAYS - 1, -1, -1)])
    usage, _ = usage_matrix(ctx, days, len(pairs))
    rows = [
        DailyUsage(item=item, location=location, date=days[day], quantity=float(quantity))
        for (item, location), series in zip(pairs, usage, strict=True)
        for day in np.flatnonzero(series)
        for quantity in (series[day],)
    ]
    DailyUsage.objects.bulk_create(rows, batch_size=5000)
    stock = []
    for (item, location), series in zip(pairs, usage, strict=True):
        recent_daily = float(series[-28:].mean())
        # Between a few days and two months of cover, so that some items need ordering.
        cover_days = rng.choice([1, 3, 5, 8, 12, 20, 30, 45, 60])
        stock.append(
            StockLevel(
                item=item,
                location=location,
                on_hand=float(round(recent_daily * cover_days)),
                on_order=0.0,
            )
        )
    StockLevel.objects.bulk_create(stock)
    ctx.write(
        f"forecasting: {len(items)} items, {len(pairs)} item-locations, {len(rows)} usage rows"
    )


def forecast_demo(ctx: DemoContext, history_end: dt.date) -> None:
    run = services.start_run(
        history_end, config={"supply_candidates": list(DEMO_CANDIDATES), "demo": True}
    )
    pairs = list(StockLevel.objects.values_list("item_id", "location_id"))
    config = dataclasses.replace(
        services.supply_config(DEMO_CANDIDATES),
        max_fit_points=DEMO_FIT_POINTS,
        backtest_windows=2,
    )
    counts = services.forecast_supply(run, pairs, config=config)
    appointments = selectors.appointment_counts(end=history_end)
    if appointments is not None and not appointments.empty:
        services.forecast_appointments(run, appointments, candidates=DEMO_CANDIDATES)
    reorder = services.compute_recommendations(run)
    ctx.write(
        f"forecasting: {counts['series']} forecasts, "
        f"{reorder['recommendations']} reorder recommendations"
    )
