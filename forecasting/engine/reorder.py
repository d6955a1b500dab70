"""Reorder arithmetic: pure functions of the forecast, the stock and the item's terms.

Conventions: quantities are in the item's unit; ``daily_forecast`` is the expected usage per day
from tomorrow on; ``daily_sigma`` is the standard deviation of one day's usage forecast error.
Errors of different days are taken as independent, so the spread over ``n`` days grows like
``sqrt(n)``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import norm


def service_factor(service_level: float) -> float:
    """z such that a normal demand stays below mean + z * sigma with ``service_level``."""
    if not 0 < service_level < 1:
        raise ValueError("service level must be strictly between 0 and 1")
    return float(norm.ppf(service_level))


def sigma_from_interval(lower: float, upper: float, level: float) -> float:
    """Standard deviation implied by a central normal interval at ``level`` (e.g. 0.95)."""
    return max(0.0, (upper - lower) / (2 * float(norm.ppf(0.5 + level / 2))))


def demand_over(daily_forecast: Sequence[float], days: int) -> float:
    """Expected usage over the next ``days`` days; beyond the forecast the last day repeats."""
    if days <= 0 or not daily_forecast:
        return 0.0
    values = list(daily_forecast[:days])
    values += [values[-1]] * (days - len(values))
    return float(sum(values))


def spread_over(daily_sigma: Sequence[float], days: int) -> float:
    """Standard deviation of the usage over ``days`` days (independent daily errors)."""
    if days <= 0 or not daily_sigma:
        return 0.0
    values = list(daily_sigma[:days])
    values += [values[-1]] * (days - len(values))
    return math.sqrt(sum(value * value for value in values))


def safety_stock(lead_time_sigma: float, service_level: float) -> float:
    return max(0.0, service_factor(service_level) * lead_time_sigma)


def reorder_point(lead_time_demand: float, safety: float) -> float:
    """Stock position at or below which an order is placed."""
    return lead_time_demand + safety


def order_up_to(cover_demand: float, cover_sigma: float, service_level: float) -> float:
    """Stock position to restore at an order: the demand until the next order can arrive
    (lead time plus review period) and its safety stock at the service level."""
    return cover_demand + safety_stock(cover_sigma, service_level)


def round_order(quantity: float, pack_size: int, minimum_order: int = 0) -> int:
    """Round up to whole packs, and up to the minimum order (itself in whole packs)."""
    if quantity <= 0:
        return 0
    pack_size = max(1, int(pack_size))
    quantity = max(quantity, minimum_order)
    return int(math.ceil(quantity / pack_size - 1e-9) * pack_size)


def days_of_cover(on_hand: float, daily_forecast: Sequence[float]) -> float | None:
    """Days until the stock runs out at the forecast usage (fractional); None when the
    forecast usage never exhausts it within the forecast (or usage is zero)."""
    remaining = float(on_hand)
    if remaining <= 0:
        return 0.0
    for day, usage in enumerate(daily_forecast):
        if usage > 0 and usage >= remaining:
            return day + remaining / usage
        remaining -= max(0.0, usage)
    return None


def stockout_date(today: dt.date, cover: float | None) -> dt.date | None:
    """The first day whose usage cannot be met in full (the forecast starts tomorrow)."""
    if cover is None:
        return None
    return today + dt.timedelta(days=math.floor(cover) + 1)


@dataclass(frozen=True)
class ReorderInput:
    on_hand: float
    on_order: float
    lead_time_days: int
    review_days: int
    pack_size: int
    minimum_order: int
    service_level: float
    daily_forecast: tuple[float, ...]
    daily_sigma: tuple[float, ...]


@dataclass(frozen=True)
class ReorderPlan:
    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    stock_position: float
    order_quantity: int
    days_of_cover: float | None
    stockout_date: dt.date | None
    needs_order: bool


def plan_reorder(item: ReorderInput, today: dt.date) -> ReorderPlan:
    """(s, S) policy: order up to S when the stock position is at or below s."""
    cover_days = item.lead_time_days + item.review_days
    lead_demand = demand_over(item.daily_forecast, item.lead_time_days)
    safety = safety_stock(spread_over(item.daily_sigma, item.lead_time_days), item.service_level)
    point = reorder_point(lead_demand, safety)
    target = order_up_to(
        demand_over(item.daily_forecast, cover_days),
        spread_over(item.daily_sigma, cover_days),
        item.service_level,
    )
    position = item.on_hand + item.on_order
    needs_order = position <= point
    quantity = (
        round_order(target - position, item.pack_size, item.minimum_order) if needs_order else 0
    )
    cover = days_of_cover(item.on_hand, item.daily_forecast)
    return ReorderPlan(
        lead_time_demand=lead_demand,
        safety_stock=safety,
        reorder_point=point,
        order_up_to=target,
        stock_position=position,
        order_quantity=quantity,
        days_of_cover=cover,
        stockout_date=stockout_date(today, cover),
        needs_order=needs_order,
    )


def sigma_from_upper_bound(point: float, upper: float, level: float) -> float:
    """Standard deviation implied by the upper end of a central interval at ``level``; the
    upper side is the one that matters for stock-outs, and the lower end may be clipped at 0."""
    return max(0.0, (upper - point) / float(norm.ppf(0.5 + level / 2)))
