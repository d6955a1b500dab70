"""Settings of one forecasting job: frequency, horizon, seasonality and the candidate models."""

from __future__ import annotations

from dataclasses import dataclass, field

FREQUENCIES = ("D", "W", "MS")

FAST_CANDIDATES = ("seasonal_naive", "ets", "theta", "croston", "sba", "tsb")
ALL_CANDIDATES = ("prophet", *FAST_CANDIDATES)
ENSEMBLE = "ensemble"

# Candidates that only make sense for intermittent demand, and those that do not.
INTERMITTENT_ONLY = frozenset({"croston", "sba", "tsb"})
SMOOTH_ONLY = frozenset({"prophet"})

MODEL_FAMILIES = {
    "prophet": "Prophet",
    "seasonal_naive": "Naive",
    "ets": "Exponential smoothing",
    "theta": "Theta",
    "croston": "Intermittent",
    "sba": "Intermittent",
    "tsb": "Intermittent",
    ENSEMBLE: "Ensemble",
    "fallback_zero": "Fallback",
    "fallback_mean": "Fallback",
    "fallback_naive": "Fallback",
}


def default_season(freq: str) -> int:
    return {"D": 7, "W": 52, "MS": 12}[freq]


def periods_per_year(freq: str) -> float:
    return {"D": 365.25, "W": 52.18, "MS": 12.0}[freq]


@dataclass(frozen=True)
class ForecastConfig:
    """What to forecast and how. ``candidates`` None means every candidate that suits the series."""

    freq: str = "D"
    horizon: int = 28
    season: int | None = None
    candidates: tuple[str, ...] | None = None
    levels: tuple[int, ...] = (80, 95)
    backtest_windows: int = 3
    ensemble_size: int = 3
    # A single candidate is chosen over the ensemble only when its backtest MASE is below this
    # share of the ensemble's.
    ensemble_margin: float = 0.5
    holiday_country: str | None = None
    # Prophet is the slowest candidate: it is backtested in full only when its error on the
    # last backtest window is within this factor of the best fast candidate there.
    prophet_screen_factor: float = 1.25
    # Share of zero periods from which a series counts as intermittent.
    intermittent_zero_share: float = 0.3
    # Robust z-score beyond which an observation is an outlier and is clipped for fitting.
    outlier_z: float = 6.0
    # Largest share of missing periods that is interpolated rather than sent to the fallback.
    max_gap_share: float = 0.3
    # Most recent points the statistical candidates fit on (None: 52 weeks for daily data,
    # everything otherwise; 0: everything).
    max_fit_points: int | None = None
    # Fit the final model of every candidate, not only the selected ones (for benchmarks).
    fit_all_candidates: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.freq not in FREQUENCIES:
            raise ValueError(f"freq must be one of {', '.join(FREQUENCIES)}, not {self.freq!r}")
        if self.horizon < 1:
            raise ValueError("horizon must be at least 1")
        if self.candidates is not None:
            unknown = set(self.candidates) - set(ALL_CANDIDATES) - {ENSEMBLE}
            if unknown:
                raise ValueError(f"unknown candidate(s): {', '.join(sorted(unknown))}")

    @property
    def season_length(self) -> int:
        return self.season if self.season is not None else default_season(self.freq)

    @property
    def fit_window(self) -> int | None:
        """Most recent points the statistical candidates fit on. On daily data they model the
        week, not the year, and their optimisers slow down with length; Prophet always sees
        the whole history for its yearly seasonality."""
        if self.max_fit_points is not None:
            return self.max_fit_points or None
        return 364 if self.freq == "D" else None

    @property
    def min_history(self) -> int:
        """Shortest history that supports a backtest window plus a fit."""
        return self.horizon + max(2 * self.season_length, 8)
