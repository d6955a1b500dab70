"""Per-series model selection by rolling-origin backtest, with conformal intervals and
fallbacks. ``forecast_series`` never raises: a failing series gets a fallback and a reason."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

import numpy as np
import pandas as pd

from .candidates import CANDIDATES
from .config import (
    ALL_CANDIDATES,
    ENSEMBLE,
    INTERMITTENT_ONLY,
    SMOOTH_ONLY,
    ForecastConfig,
)
from .intervals import conformal_intervals, intermittent_intervals, naive_intervals
from .prepare import PreparedSeries, prepare

FORECAST_COLUMNS = ("date", "value", "lo80", "hi80", "lo95", "hi95")


@dataclass
class SeriesResult:
    """The forecast of one series and how it was reached."""

    series_id: str
    model: str
    forecast: pd.DataFrame
    backtest_mase: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    intermittent: bool = False
    ensemble_members: tuple[str, ...] = ()
    candidate_forecasts: dict[str, np.ndarray] = field(default_factory=dict)
    fit_seconds: float = 0.0
    total_seconds: float = 0.0

    @property
    def selected_mase(self) -> float | None:
        return self.backtest_mase.get(self.model)


def mase_scale(values: np.ndarray, season: int) -> float:
    """In-sample mean absolute error of the seasonal naive forecast (lag 1 when too short);
    the denominator of MASE."""
    for lag in (season, 1):
        if len(values) > lag:
            scale = float(np.mean(np.abs(values[lag:] - values[:-lag])))
            if scale > 0:
                return scale
    mean_level = float(np.mean(np.abs(values))) if len(values) else 0.0
    return mean_level if mean_level > 0 else 1.0


def backtest_origins(n: int, config: ForecastConfig) -> list[int]:
    """Ends of the training part of each backtest window, oldest first. Windows step back by
    the horizon, or by less when the history is short, keeping enough points to fit."""
    horizon, windows = config.horizon, config.backtest_windows
    min_train = max(config.season_length + 2, 8)
    last = n - horizon
    if last < min_train:
        return []
    step = horizon if windows == 1 else min(horizon, (last - min_train) // (windows - 1))
    step = max(step, 1)
    origins = [last - k * step for k in range(windows) if last - k * step >= min_train]
    return sorted(set(origins))


def eligible_candidates(prepared: PreparedSeries, config: ForecastConfig) -> list[str]:
    requested = config.candidates or ALL_CANDIDATES
    names = []
    for name in requested:
        if name == ENSEMBLE:
            continue
        if name in INTERMITTENT_ONLY and not prepared.intermittent:
            continue
        if name in SMOOTH_ONLY and prepared.intermittent:
            continue
        names.append(name)
    # Prophet goes last so that it can be screened against the fast candidates.
    return sorted(names, key=lambda name: name in SMOOTH_ONLY)


def ensemble_wanted(config: ForecastConfig) -> bool:
    return config.candidates is None or ENSEMBLE in config.candidates


class Timer:
    """Adds up the time spent inside model fits."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def run(self, name: str, values: np.ndarray, dates: pd.DatetimeIndex, h: int, config):
        window = config.fit_window
        if window and name not in SMOOTH_ONLY and len(values) > window:
            values, dates = values[-window:], dates[-window:]
        started = time.perf_counter()
        try:
            forecast = np.asarray(CANDIDATES[name](values, dates, h, config), dtype=float)
        finally:
            self.seconds += time.perf_counter() - started
        if forecast.shape != (h,) or not np.all(np.isfinite(forecast)):
            raise ValueError(f"{name} returned an unusable forecast")
        return forecast


@dataclass
class Backtest:
    origins: list[int]
    actuals: np.ndarray  # windows x horizon
    forecasts: dict[str, np.ndarray] = field(default_factory=dict)  # name -> windows x horizon
    failures: dict[str, str] = field(default_factory=dict)
    screened_out: set[str] = field(default_factory=set)

    def mase(self, name: str, scale: float) -> float:
        return float(np.mean(np.abs(self.forecasts[name] - self.actuals)) / scale)


def run_backtest(
    prepared: PreparedSeries, names: list[str], config: ForecastConfig, timer: Timer, scale: float
) -> Backtest:
    values, dates, h = prepared.values, prepared.dates, config.horizon
    origins = backtest_origins(len(values), config)
    actuals = np.array([values[o : o + h] for o in origins])
    backtest = Backtest(origins=origins, actuals=actuals)
    fast_best_last: float | None = None
    for name in names:
        try:
            if name in SMOOTH_ONLY and fast_best_last is not None:
                # Screen on the last window before paying for the others.
                last = timer.run(name, values[: origins[-1]], dates[: origins[-1]], h, config)
                error = float(np.mean(np.abs(last - actuals[-1])))
                if error > config.prophet_screen_factor * fast_best_last:
                    backtest.screened_out.add(name)
                    continue
                rows = [timer.run(name, values[:o], dates[:o], h, config) for o in origins[:-1]]
                rows.append(last)
            else:
                rows = [timer.run(name, values[:o], dates[:o], h, config) for o in origins]
        except Exception as exc:  # noqa: BLE001 - one failing candidate does not stop others
            backtest.failures[name] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        forecasts = np.array(rows)
        if prepared.non_negative:
            forecasts = np.clip(forecasts, 0, None)
        backtest.forecasts[name] = forecasts
        if name not in SMOOTH_ONLY:
            error = float(np.mean(np.abs(forecasts[-1] - actuals[-1])))
            fast_best_last = error if fast_best_last is None else min(fast_best_last, error)
    return backtest


def add_ensemble(backtest: Backtest, scale: float, size: int) -> tuple[str, ...]:
    """Median of the ``size`` best candidates, added to the backtest as its own candidate."""
    ranked = sorted(backtest.forecasts, key=lambda name: backtest.mase(name, scale))
    members = tuple(ranked[:size])
    if len(members) < 2:
        return ()
    backtest.forecasts[ENSEMBLE] = np.median([backtest.forecasts[m] for m in members], axis=0)
    return members


def select_model(scores: dict[str, float], ensemble_margin: float) -> str:
    """The ensemble, unless a single candidate beats it clearly in the backtest.

    A few backtest windows rank single models noisily, and the median of the best few is the
    safer bet: on the hospital benchmark picking the single best by backtest scored worse than
    the best single model, while preferring the ensemble scored better than every candidate.
    """
    singles = {name: score for name, score in scores.items() if name != ENSEMBLE}
    best = min(singles, key=singles.get)
    if ENSEMBLE in scores and singles[best] >= ensemble_margin * scores[ENSEMBLE]:
        return ENSEMBLE
    return best


def future_dates(prepared: PreparedSeries, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(prepared.dates[-1], periods=horizon + 1, freq=prepared.offset)[1:]


def build_frame(dates, point, intervals: dict[str, np.ndarray], non_negative: bool):
    frame = pd.DataFrame({"date": dates, "value": point, **intervals})
    frame = frame[list(FORECAST_COLUMNS)]
    if non_negative:
        numeric = list(FORECAST_COLUMNS[1:])
        frame[numeric] = frame[numeric].clip(lower=0)
    return frame.reset_index(drop=True)


def fallback_result(
    series_id: str, prepared: PreparedSeries, config: ForecastConfig, reason: str
) -> SeriesResult:
    """Zero for all-zero or empty series; otherwise the mean of the last season, with intervals
    from the spread of period-to-period changes."""
    h = config.horizon
    values = prepared.values
    no_dates = pd.DatetimeIndex([pd.NaT] * h)
    dates = future_dates(prepared, h) if len(prepared.dates) else no_dates
    if len(values) == 0 or np.all(values == 0):
        model, point = "fallback_zero", np.zeros(h)
    else:
        recent = values[-min(len(values), config.season_length) :]
        model, point = "fallback_mean", np.full(h, float(np.mean(recent)))
    intervals = naive_intervals(values, point, config.levels)
    return SeriesResult(
        series_id=series_id,
        model=model,
        forecast=build_frame(dates, point, intervals, prepared.non_negative),
        reason=reason,
        notes=list(prepared.notes),
        intermittent=prepared.intermittent,
    )


def forecast_series(series_id: str, series: pd.Series, config: ForecastConfig) -> SeriesResult:
    """Select a model for one series by backtest and forecast ``config.horizon`` periods."""
    started = time.perf_counter()
    timer = Timer()
    try:
        result = _forecast_series(series_id, series, config, timer)
    except Exception as exc:  # noqa: BLE001 - a bad series gets a fallback, never a crash
        prepared = PreparedSeries(np.array([]), pd.DatetimeIndex([]), config.freq)
        with contextlib.suppress(Exception):
            prepared = prepare(series, config)
        result = fallback_result(
            series_id, prepared, config, f"error: {type(exc).__name__}: {exc}"[:300]
        )
    result.fit_seconds = timer.seconds
    result.total_seconds = time.perf_counter() - started
    return result


def _forecast_series(
    series_id: str, series: pd.Series, config: ForecastConfig, timer: Timer
) -> SeriesResult:
    prepared = prepare(series, config)
    if prepared.fallback_reason:
        return fallback_result(series_id, prepared, config, prepared.fallback_reason)
    scale = mase_scale(prepared.values, config.season_length)
    names = eligible_candidates(prepared, config)
    backtest = run_backtest(prepared, names, config, timer, scale)
    if not backtest.forecasts:
        reason = "every candidate failed: " + "; ".join(
            f"{name}: {why}" for name, why in backtest.failures.items()
        )
        return fallback_result(series_id, prepared, config, reason[:300])
    members: tuple[str, ...] = ()
    if ensemble_wanted(config):
        members = add_ensemble(backtest, scale, config.ensemble_size)
    scores = {name: backtest.mase(name, scale) for name in backtest.forecasts}
    selected = select_model(scores, config.ensemble_margin)

    h = config.horizon
    to_fit = set(members if selected == ENSEMBLE else (selected,))
    if config.fit_all_candidates:
        # Screened-out candidates too, so that a benchmark scores every candidate everywhere.
        to_fit |= set(names) - set(backtest.failures)
    finals: dict[str, np.ndarray] = {}
    for name in sorted(to_fit):
        try:
            finals[name] = timer.run(name, prepared.values, prepared.dates, h, config)
        except Exception:  # noqa: BLE001 - handled below by falling back to the next best
            continue
    if prepared.non_negative:
        finals = {name: np.clip(point, 0, None) for name, point in finals.items()}
    if members and all(name in finals for name in members):
        finals[ENSEMBLE] = np.median([finals[m] for m in members], axis=0)
    if selected not in finals:
        usable = [name for name in sorted(scores, key=scores.get) if name in finals]
        if not usable:
            return fallback_result(series_id, prepared, config, "final fit failed")
        selected = usable[0]

    errors = backtest.actuals - backtest.forecasts[selected]
    interval_function = intermittent_intervals if prepared.intermittent else conformal_intervals
    intervals = interval_function(finals[selected], errors, config.levels)
    dates = future_dates(prepared, h)
    notes = list(prepared.notes) + [f"{name}: {why}" for name, why in backtest.failures.items()]
    notes += [
        f"{name}: screened out on the last backtest window"
        for name in sorted(backtest.screened_out)
    ]
    return SeriesResult(
        series_id=series_id,
        model=selected,
        forecast=build_frame(dates, finals[selected], intervals, prepared.non_negative),
        backtest_mase=scores,
        notes=notes,
        intermittent=prepared.intermittent,
        ensemble_members=members if selected == ENSEMBLE else (),
        candidate_forecasts=finals,
    )


def _forecast_chunk(args: tuple[list[tuple[str, pd.Series]], ForecastConfig]):
    chunk, config = args
    return [forecast_series(series_id, series, config) for series_id, series in chunk]


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def forecast_many(
    series: Iterable[tuple[str, pd.Series]],
    config: ForecastConfig,
    workers: int = 1,
    chunk_size: int | None = None,
) -> list[SeriesResult]:
    """Forecast many series, in ``workers`` processes when more than one; results keep the
    input order."""
    items = list(series)
    if workers <= 1 or len(items) <= 1:
        return [forecast_series(series_id, values, config) for series_id, values in items]
    chunk_size = chunk_size or max(1, math.ceil(len(items) / (workers * 8)))
    chunks = [(chunk, config) for chunk in chunked(items, chunk_size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        return [result for results in pool.map(_forecast_chunk, chunks) for result in results]
