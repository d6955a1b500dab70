"""Turning a raw series into a regular, gap-free one, and recognising the cases that need a
fallback (too short, all zero, too gappy)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import ForecastConfig

WEEKDAY_CODES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def period_offset(freq: str, first_date: pd.Timestamp) -> str:
    """Pandas offset alias; weekly series keep the weekday their dates fall on."""
    if freq == "W":
        return f"W-{WEEKDAY_CODES[first_date.weekday()]}"
    return freq


def normalise_dates(dates: pd.Series | pd.Index, freq: str) -> pd.DatetimeIndex:
    index = pd.DatetimeIndex(pd.to_datetime(dates)).normalize()
    if freq == "MS":
        index = index.to_period("M").to_timestamp()
    return index


@dataclass
class PreparedSeries:
    """A regular series ready for the candidates, with what was done to it."""

    values: np.ndarray
    dates: pd.DatetimeIndex
    offset: str
    notes: list[str] = field(default_factory=list)
    fallback_reason: str = ""
    intermittent: bool = False
    non_negative: bool = True


def regularise(series: pd.Series, freq: str) -> tuple[pd.Series, str]:
    """Index the values by every period between the first and last date (missing ones NaN);
    several values in one period are summed."""
    values = pd.to_numeric(series, errors="coerce")
    values.index = normalise_dates(series.index, freq)
    values = values.groupby(level=0).sum(min_count=1).sort_index()
    if values.empty:
        return values, freq
    offset = period_offset(freq, values.index[0])
    full_range = pd.date_range(values.index[0], values.index[-1], freq=offset)
    return values.reindex(full_range), offset


def clip_outliers(values: np.ndarray, season: int, threshold: float) -> tuple[np.ndarray, int]:
    """Replace points far from a rolling median (robust z-score beyond ``threshold``) by that
    median. Series whose typical deviation is zero (flat or mostly zero) are left alone."""
    window = max(2 * season + 1, 5)
    smooth = pd.Series(values).rolling(window, center=True, min_periods=1).median().to_numpy()
    residual = values - smooth
    mad = np.median(np.abs(residual - np.median(residual)))
    if mad == 0:
        return values, 0
    robust_z = np.abs(residual) / (1.4826 * mad)
    outliers = robust_z > threshold
    if not outliers.any():
        return values, 0
    cleaned = values.copy()
    cleaned[outliers] = smooth[outliers]
    return cleaned, int(outliers.sum())


def prepare(series: pd.Series, config: ForecastConfig) -> PreparedSeries:
    regular, offset = regularise(series, config.freq)
    # Periods before the first and after the last observation carry no information.
    observed = regular.dropna()
    if observed.empty:
        empty = pd.DatetimeIndex([], freq=offset)
        return PreparedSeries(np.array([]), empty, offset, fallback_reason="no observations")
    regular = regular.loc[observed.index[0] : observed.index[-1]]
    dates = pd.date_range(regular.index[0], periods=len(regular), freq=offset)
    prepared = PreparedSeries(regular.to_numpy(dtype=float), dates, offset)
    prepared.non_negative = bool((observed >= 0).all())

    missing = int(np.isnan(prepared.values).sum())
    if missing:
        share = missing / len(prepared.values)
        if share > config.max_gap_share:
            prepared.fallback_reason = f"gappy: {missing} of {len(prepared.values)} periods missing"
            prepared.values = np.nan_to_num(prepared.values)
            return prepared
        prepared.values = regular.interpolate(limit_direction="both").to_numpy(dtype=float)
        prepared.notes.append(f"interpolated {missing} missing periods")

    if np.all(prepared.values == 0):
        prepared.fallback_reason = "all zero"
        return prepared
    if len(prepared.values) < config.min_history:
        prepared.fallback_reason = (
            f"short: {len(prepared.values)} periods, {config.min_history} needed"
        )
        return prepared

    zero_share = float(np.mean(prepared.values == 0))
    prepared.intermittent = zero_share >= config.intermittent_zero_share
    if not prepared.intermittent:
        prepared.values, clipped = clip_outliers(
            prepared.values, config.season_length, config.outlier_z
        )
        if clipped:
            prepared.notes.append(f"clipped {clipped} outliers")
    return prepared
