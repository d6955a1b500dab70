"""Throughput of the forecasting engine: series per second with 1 and 2 worker processes, and
the share of the time spent outside model fitting (data preparation, backtest bookkeeping,
intervals, process hand-off).

    .venv/bin/python bench/forecast_throughput.py [--series 120] [--days 730]
        [--models seasonal_naive,theta,croston,sba,tsb] [--workers 1,2]

Synthetic daily usage series like the demo's (weekly and yearly seasonality, a fifth of them
intermittent), forecast 28 days ahead with the same engine as the nightly run. Prints one line
per worker count and the speed-up.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forecasting.engine import ForecastConfig, forecast_many  # noqa: E402


def synthetic_series(count: int, days: int, seed: int = 0) -> list[tuple[str, pd.Series]]:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    weekday = dates.weekday.to_numpy()
    day_of_year = dates.dayofyear.to_numpy()
    series = []
    for index in range(count):
        intermittent = index % 5 == 0
        level = rng.uniform(0.1, 0.6) if intermittent else rng.lognormal(np.log(15), 0.8)
        weekly = np.where(weekday >= 5, rng.uniform(0.4, 0.9), 1.0)
        yearly = 1 + rng.uniform(0, 0.25) * np.cos(2 * np.pi * (day_of_year - 20) / 365.25)
        values = rng.poisson(level * weekly * yearly).astype(float)
        series.append((f"S{index}", pd.Series(values, index=dates)))
    return series


def measure(series, config: ForecastConfig, workers: int) -> dict:
    started = time.perf_counter()
    results = forecast_many(series, config, workers=workers)
    wall = time.perf_counter() - started
    fit = sum(result.fit_seconds for result in results)
    return {
        "workers": workers,
        "wall": wall,
        "rate": len(series) / wall,
        "outside_fit": 1 - fit / (wall * workers),
        "fallbacks": sum(bool(result.reason) for result in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=120)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--models", default="seasonal_naive,theta,croston,sba,tsb")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    config = ForecastConfig(
        freq="D",
        horizon=args.horizon,
        season=7,
        candidates=tuple(args.models.split(",")) if args.models else None,
        holiday_country="GB",
    )
    series = synthetic_series(args.series, args.days)
    forecast_many(series[:4], config)  # compile and import once before timing
    print(
        f"{args.series} daily series x {args.days} days, H={args.horizon}, "
        f"models: {args.models or 'all'}; cores visible: {os.cpu_count()}"
    )
    rows = [measure(series, config, int(w)) for w in args.workers.split(",")]
    for row in rows:
        print(
            f"workers={row['workers']}: {row['wall']:.1f} s, {row['rate']:.2f} series/s, "
            f"time outside model fitting {100 * row['outside_fit']:.1f}%, "
            f"fallbacks {row['fallbacks']}"
        )
    if len(rows) >= 2:
        print(
            f"speed-up {rows[-1]['workers']} vs {rows[0]['workers']} workers: "
            f"{rows[-1]['rate'] / rows[0]['rate']:.2f}x"
        )
    load = os.getloadavg()
    print(f"load average during the run (1/5/15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
