"""Candidate models. Each takes the training values (and their dates) and returns ``h`` point
forecasts; intervals are added afterwards from backtest errors, so every candidate gets them."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from .config import ForecastConfig, periods_per_year

# statsforecast compiles its kernels with numba; caching them on disk saves that on each start.
os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")

from statsforecast.models import TSB as TSBModel  # noqa: E402
from statsforecast.models import (  # noqa: E402
    AutoETS,
    AutoTheta,
    CrostonClassic,
    CrostonSBA,
    SeasonalNaive,
)

CandidateFunction = Callable[[np.ndarray, pd.DatetimeIndex, int, ForecastConfig], np.ndarray]

# TSB smoothing of demand size and of demand probability: the values Teunter, Syntetos and
# Babai report as robust across items.
TSB_ALPHA_DEMAND = 0.1
TSB_ALPHA_PROBABILITY = 0.1


def _season_for(y: np.ndarray, config: ForecastConfig) -> int:
    """Season length usable for this many points: seasonal models need two full seasons."""
    season = config.season_length
    return season if season > 1 and len(y) >= 2 * season else 1


def seasonal_naive(y: np.ndarray, dates: pd.DatetimeIndex, h: int, config: ForecastConfig):
    season = config.season_length if len(y) >= config.season_length else 1
    return SeasonalNaive(season_length=season).forecast(y=y, h=h)["mean"]


def ets(y: np.ndarray, dates: pd.DatetimeIndex, h: int, config: ForecastConfig):
    """ETS with error, trend and season chosen by AICc (statsforecast's AutoETS)."""
    season = _season_for(y, config)
    try:
        return AutoETS(season_length=season).forecast(y=y, h=h)["mean"]
    except Exception:  # noqa: BLE001 - a seasonal fit can fail on short or flat data
        return AutoETS(season_length=1).forecast(y=y, h=h)["mean"]


def theta(y: np.ndarray, dates: pd.DatetimeIndex, h: int, config: ForecastConfig):
    """Theta variants (standard, optimised, dynamic) chosen by in-sample fit (AutoTheta)."""
    season = _season_for(y, config)
    decomposition = "multiplicative" if np.all(y > 0) else "additive"
    try:
        return AutoTheta(season_length=season, decomposition_type=decomposition).forecast(y=y, h=h)[
            "mean"
        ]
    except Exception:  # noqa: BLE001
        return AutoTheta(season_length=1).forecast(y=y, h=h)["mean"]


def croston(y: np.ndarray, dates: pd.DatetimeIndex, h: int, config: ForecastConfig):
    return CrostonClassic().forecast(y=y, h=h)["mean"]


def sba(y: np.ndarray, dates: pd.DatetimeIndex, h: int, config: ForecastConfig):
    return CrostonSBA().forecast(y=y, h=h)["mean"]


def tsb(y: np.ndarray, dates: pd.DatetimeIndex, h: int, config: ForecastConfig):
    model = TSBModel(alpha_d=TSB_ALPHA_DEMAND, alpha_p=TSB_ALPHA_PROBABILITY)
    return model.forecast(y=y, h=h)["mean"]


def _quiet_prophet_logs() -> None:
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.WARNING)


def prophet(y: np.ndarray, dates: pd.DatetimeIndex, h: int, config: ForecastConfig):
    """Prophet with the seasonalities the history supports and the country's public holidays.

    No uncertainty samples are drawn: intervals come from backtest errors like every other
    candidate, and sampling is most of Prophet's predict time.
    """
    _quiet_prophet_logs()
    from prophet import Prophet

    _quiet_prophet_logs()

    years_covered = len(y) / periods_per_year(config.freq)
    model = Prophet(
        yearly_seasonality=years_covered >= 2,
        weekly_seasonality=config.freq == "D" and len(y) >= 3 * 7,
        daily_seasonality=False,
        uncertainty_samples=0,
    )
    if config.holiday_country and config.freq == "D":
        model.add_country_holidays(country_name=config.holiday_country)
    history = pd.DataFrame({"ds": dates, "y": y})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(history)
    future = pd.DataFrame({"ds": pd.date_range(dates[-1], periods=h + 1, freq=dates.freq)[1:]})
    return model.predict(future)["yhat"].to_numpy()


CANDIDATES: dict[str, CandidateFunction] = {
    "prophet": prophet,
    "seasonal_naive": seasonal_naive,
    "ets": ets,
    "theta": theta,
    "croston": croston,
    "sba": sba,
    "tsb": tsb,
}
