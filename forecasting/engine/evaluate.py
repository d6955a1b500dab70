"""Hold-out evaluation for benchmarks: hold out the last H points of each series, select and
fit on the rest with the same engine the app uses, and score every candidate on the hold-out."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import ENSEMBLE, ForecastConfig
from .forecaster import SeriesResult, forecast_many
from .prepare import regularise


@dataclass
class Evaluation:
    scores: pd.DataFrame  # one row per series: MASE per candidate and of the selection
    forecasts: pd.DataFrame  # series_id, date, value of the selected model on the hold-out
    seconds: float
    workers: int


def split_holdout(series: pd.Series, config: ForecastConfig) -> tuple[pd.Series, pd.Series]:
    regular, _ = regularise(series, config.freq)
    regular = regular.loc[regular.first_valid_index() :] if regular.notna().any() else regular
    return regular.iloc[: -config.horizon], regular.iloc[-config.horizon :]


def holdout_mase(train: pd.Series, test: pd.Series, forecast: np.ndarray, season: int) -> float:
    """MASE on the observed hold-out points, scaled by the training seasonal naive error.
    NaN when that error is zero (an undefined MASE) or nothing was observed."""
    history = train.dropna().to_numpy(dtype=float)
    if len(history) <= season:
        return float("nan")
    scale = float(np.mean(np.abs(history[season:] - history[:-season])))
    actual = test.to_numpy(dtype=float)
    observed = ~np.isnan(actual)
    if scale == 0 or not observed.any():
        return float("nan")
    return float(np.mean(np.abs(forecast[observed] - actual[observed])) / scale)


def coverage(test: pd.Series, result: SeriesResult, level: int) -> tuple[int, int]:
    actual = test.to_numpy(dtype=float)
    observed = ~np.isnan(actual)
    lo = result.forecast[f"lo{level}"].to_numpy()[observed]
    hi = result.forecast[f"hi{level}"].to_numpy()[observed]
    inside = (actual[observed] >= lo - 1e-9) & (actual[observed] <= hi + 1e-9)
    return int(inside.sum()), int(observed.sum())


def evaluate(
    series: Iterable[tuple[str, pd.Series]], config: ForecastConfig, workers: int = 1
) -> Evaluation:
    started = time.perf_counter()
    config = dataclasses.replace(config, fit_all_candidates=True)
    splits = {series_id: split_holdout(values, config) for series_id, values in series}
    results = forecast_many(
        [(series_id, train) for series_id, (train, _) in splits.items()], config, workers
    )
    rows, forecast_rows = [], []
    for result in results:
        train, test = splits[result.series_id]
        season = config.season_length
        row: dict = {"series_id": result.series_id}
        for name, point in result.candidate_forecasts.items():
            row[name] = holdout_mase(train, test, point, season)
        row["selected"] = holdout_mase(train, test, result.forecast["value"].to_numpy(), season)
        row["selected_model"] = result.model
        row["reason"] = result.reason
        for level in config.levels:
            row[f"inside{level}"], row["observed"] = coverage(test, result, level)
        row["fit_seconds"] = result.fit_seconds
        row["total_seconds"] = result.total_seconds
        rows.append(row)
        forecast_rows.append(
            pd.DataFrame(
                {
                    "series_id": result.series_id,
                    "date": test.index.strftime("%Y-%m-%d"),
                    "value": result.forecast["value"].to_numpy(),
                }
            )
        )
    scores = pd.DataFrame(rows)
    forecasts = pd.concat(forecast_rows, ignore_index=True) if forecast_rows else pd.DataFrame()
    return Evaluation(scores, forecasts, time.perf_counter() - started, workers)


def summary(evaluation: Evaluation, levels: tuple[int, ...] = (80, 95)) -> pd.DataFrame:
    """Mean MASE per candidate over the series where it is defined, and held-out coverage."""
    scores = evaluation.scores
    meta = {"series_id", "selected_model", "reason", "observed", "fit_seconds", "total_seconds"}
    meta |= {f"inside{level}" for level in levels}
    model_columns = [c for c in scores.columns if c not in meta]
    order = sorted(model_columns, key=lambda c: (c == "selected", c == ENSEMBLE, c))
    table = pd.DataFrame(
        {
            "mean_mase": [scores[c].mean() for c in order],
            "series": [int(scores[c].notna().sum()) for c in order],
        },
        index=order,
    )
    return table
