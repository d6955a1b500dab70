"""Forecasting engine: pandas in, pandas out, no Django. See docs/forecasting.md."""

from .config import ALL_CANDIDATES, ENSEMBLE, FAST_CANDIDATES, MODEL_FAMILIES, ForecastConfig
from .forecaster import FORECAST_COLUMNS, SeriesResult, forecast_many, forecast_series

__all__ = [
    "ALL_CANDIDATES",
    "ENSEMBLE",
    "FAST_CANDIDATES",
    "FORECAST_COLUMNS",
    "MODEL_FAMILIES",
    "ForecastConfig",
    "SeriesResult",
    "forecast_many",
    "forecast_series",
]
