import datetime as dt
import math

import pytest

from forecasting.engine import reorder

TODAY = dt.date(2026, 3, 2)


def test_lead_time_demand_repeats_the_last_forecast_day():
    assert reorder.demand_over([10, 12, 14], 2) == 22
    assert reorder.demand_over([10, 12, 14], 5) == 10 + 12 + 14 + 14 + 14
    assert reorder.demand_over([], 3) == 0


def test_safety_stock_at_95_percent_service():
    sigma = reorder.spread_over([3.0] * 4, 4)  # sqrt(4 * 9) = 6
    assert sigma == pytest.approx(6.0)
    assert reorder.safety_stock(sigma, 0.95) == pytest.approx(1.6449 * 6, abs=1e-3)


def test_sigma_from_a_95_percent_interval():
    assert reorder.sigma_from_interval(80, 120, 0.95) == pytest.approx(20 / 1.96, rel=1e-3)


@pytest.mark.parametrize(
    ("quantity", "pack", "minimum", "expected"),
    [
        (0, 10, 50, 0),
        (-3, 10, 0, 0),
        (1, 10, 0, 10),
        (20, 10, 0, 20),
        (21, 10, 0, 30),
        (12, 10, 50, 50),
        (12, 12, 50, 60),
        (7.2, 1, 0, 8),
    ],
)
def test_round_order_to_packs_and_minimum(quantity, pack, minimum, expected):
    assert reorder.round_order(quantity, pack, minimum) == expected


def test_days_of_cover_and_stockout_date():
    assert reorder.days_of_cover(25, [10, 10, 10, 10]) == 2.5
    assert reorder.stockout_date(TODAY, 2.5) == dt.date(2026, 3, 5)
    assert reorder.days_of_cover(0, [10]) == 0.0
    assert reorder.stockout_date(TODAY, 0.0) == dt.date(2026, 3, 3)
    assert reorder.days_of_cover(100, [1, 1, 1]) is None
    assert reorder.stockout_date(TODAY, None) is None


def make_item(on_hand: float, on_order: float = 0) -> reorder.ReorderInput:
    # 10 a day, sigma 2 a day, lead time 4 days, review 3 days, 95% service.
    return reorder.ReorderInput(
        on_hand=on_hand,
        on_order=on_order,
        lead_time_days=4,
        review_days=3,
        pack_size=12,
        minimum_order=24,
        service_level=0.95,
        daily_forecast=(10.0,) * 14,
        daily_sigma=(2.0,) * 14,
    )


def test_plan_reorder_hand_computed():
    z = 1.6448536
    plan = reorder.plan_reorder(make_item(on_hand=40), TODAY)
    assert plan.lead_time_demand == 40
    assert plan.safety_stock == pytest.approx(z * 2 * 2, rel=1e-6)  # z * sqrt(4) * 2
    assert plan.reorder_point == pytest.approx(40 + z * 4, rel=1e-6)  # 46.58
    assert plan.order_up_to == pytest.approx(70 + z * 2 * math.sqrt(7), rel=1e-6)  # 78.70
    assert plan.needs_order
    assert plan.order_quantity == 48  # 78.70 - 40 = 38.70 -> 4 packs of 12
    assert plan.days_of_cover == 4.0
    assert plan.stockout_date == dt.date(2026, 3, 7)


def test_no_order_above_the_reorder_point_counting_stock_on_order():
    assert not reorder.plan_reorder(make_item(on_hand=50), TODAY).needs_order
    plan = reorder.plan_reorder(make_item(on_hand=30, on_order=20), TODAY)
    assert not plan.needs_order and plan.order_quantity == 0
