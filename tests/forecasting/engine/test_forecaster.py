import numpy as np
import pandas as pd
import pytest

from forecasting.engine import ForecastConfig, forecast_many, forecast_series
from forecasting.engine.candidates import CANDIDATES
from forecasting.engine.forecaster import backtest_origins, select_model
from forecasting.engine.intervals import conformal_intervals, conformal_quantile

FAST = ("seasonal_naive", "theta")


def daily(values, start="2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"))


def weekly_pattern(days: int, rng: np.random.Generator, noise: float = 3.0) -> np.ndarray:
    pattern = np.array([30, 32, 31, 29, 33, 15, 12], dtype=float)
    return np.tile(pattern, days // 7 + 1)[:days] + rng.normal(0, noise, days)


@pytest.mark.parametrize("name", sorted(CANDIDATES.keys() - {"prophet"}))
def test_each_candidate_copes_with_short_and_zero_heavy_history(name):
    config = ForecastConfig(freq="D", horizon=5, season=7)
    dates = pd.date_range("2024-01-01", periods=9, freq="D")
    for values in ([0, 0, 3, 0, 0, 0, 2, 0, 1], [5, 6, 5, 7, 6, 5, 6, 6, 7]):
        forecast = CANDIDATES[name](np.array(values, dtype=float), dates, 5, config)
        assert len(forecast) == 5 and np.all(np.isfinite(forecast))


def test_all_zero_series_forecasts_zero_with_reason():
    result = forecast_series("z", daily([0.0] * 60), ForecastConfig(freq="D", horizon=7))
    assert result.model == "fallback_zero"
    assert result.reason == "all zero"
    assert (result.forecast[["value", "lo95", "hi95"]] == 0).all().all()


def test_short_series_falls_back_to_recent_mean():
    result = forecast_series("s", daily([4.0, 6.0, 5.0, 7.0]), ForecastConfig(freq="D", horizon=7))
    assert result.model == "fallback_mean"
    assert result.reason.startswith("short: 4 periods")
    assert result.forecast["value"].tolist() == [5.5] * 7
    assert (result.forecast["hi95"] >= result.forecast["hi80"]).all()


def test_gappy_series_falls_back_and_small_gaps_are_interpolated():
    rng = np.random.default_rng(1)
    values = weekly_pattern(70, rng)
    gappy = daily(values).drop(daily(values).index[10:50])
    result = forecast_series("g", gappy, ForecastConfig(freq="D", horizon=7, candidates=FAST))
    assert result.reason.startswith("gappy: 40 of 70")
    few_gaps = daily(values).drop(daily(values).index[[20, 21]])
    result = forecast_series("f", few_gaps, ForecastConfig(freq="D", horizon=7, candidates=FAST))
    assert result.reason == ""
    assert "interpolated 2 missing periods" in result.notes


def test_outlier_is_clipped_and_noted():
    rng = np.random.default_rng(2)
    values = weekly_pattern(84, rng)
    values[40] = 900.0
    result = forecast_series(
        "o", daily(values), ForecastConfig(freq="D", horizon=7, candidates=FAST)
    )
    assert "clipped 1 outliers" in result.notes
    assert result.forecast["value"].max() < 60


def test_unparseable_series_gets_a_fallback_and_others_still_run():
    rng = np.random.default_rng(3)
    good = daily(weekly_pattern(84, rng))
    bad = pd.Series(["x", "y", "z"], index=["2024-01-01", "2024-01-02", "not a date"])
    results = forecast_many(
        [("good", good), ("bad", bad)], ForecastConfig(freq="D", horizon=7, candidates=FAST)
    )
    assert [r.series_id for r in results] == ["good", "bad"]
    assert results[0].reason == "" and results[0].model in (*FAST, "ensemble")
    assert results[1].model.startswith("fallback") and results[1].reason


def test_intermittent_series_use_intermittent_candidates_not_prophet():
    rng = np.random.default_rng(4)
    values = rng.poisson(2, 120) * (rng.random(120) < 0.3)
    config = ForecastConfig(freq="D", horizon=14, candidates=("prophet", "croston", "sba", "tsb"))
    result = forecast_series("i", daily(values.astype(float)), config)
    assert result.intermittent
    assert "prophet" not in result.backtest_mase
    assert {"croston", "sba", "tsb"} <= set(result.backtest_mase)
    assert (result.forecast["lo80"] == 0).all() and (result.forecast["lo95"] == 0).all()
    assert (result.forecast["hi95"] >= result.forecast["hi80"]).all()
    assert (result.forecast["hi80"] >= result.forecast["value"]).all()


def test_weekly_and_monthly_series_get_dates_of_their_frequency():
    rng = np.random.default_rng(5)
    weekly = pd.Series(
        50 + rng.normal(0, 4, 80), index=pd.date_range("2023-01-02", periods=80, freq="W-MON")
    )
    result = forecast_series("w", weekly, ForecastConfig(freq="W", horizon=8, candidates=FAST))
    assert result.forecast["date"].iloc[0] == pd.Timestamp("2023-01-02") + pd.Timedelta(weeks=80)
    monthly = pd.Series(
        100 + rng.normal(0, 5, 48),
        index=pd.date_range("2020-01-01", periods=48, freq="MS") + pd.Timedelta(days=14),
    )
    result = forecast_series("m", monthly, ForecastConfig(freq="MS", horizon=6, candidates=FAST))
    assert result.forecast["date"].iloc[0] == pd.Timestamp("2024-01-01")


def test_interval_coverage_on_synthetic_noise_is_close_to_nominal():
    rng = np.random.default_rng(6)
    horizon, inside80, inside95, total = 14, 0, 0, 0
    config = ForecastConfig(freq="D", horizon=horizon, candidates=FAST)
    for index in range(40):
        values = weekly_pattern(140, rng, noise=4.0)
        result = forecast_series(str(index), daily(values[:-horizon]), config)
        actual = values[-horizon:]
        frame = result.forecast
        inside80 += int(((actual >= frame.lo80) & (actual <= frame.hi80)).sum())
        inside95 += int(((actual >= frame.lo95) & (actual <= frame.hi95)).sum())
        total += horizon
    assert 0.72 <= inside80 / total <= 0.90
    assert 0.90 <= inside95 / total <= 0.995


def test_backtest_origins_step_back_by_horizon_or_less():
    assert backtest_origins(72, ForecastConfig(freq="MS", horizon=12, season=12)) == [36, 48, 60]
    assert backtest_origins(39, ForecastConfig(freq="MS", horizon=12, season=12)) == [15, 21, 27]
    assert backtest_origins(20, ForecastConfig(freq="MS", horizon=12, season=12)) == []


def test_selection_prefers_ensemble_unless_a_single_model_is_clearly_better():
    assert select_model({"ets": 0.6, "theta": 1.0, "ensemble": 1.0}, 0.5) == "ensemble"
    assert select_model({"ets": 0.4, "theta": 1.0, "ensemble": 1.0}, 0.5) == "ets"
    assert select_model({"ets": 0.9, "theta": 1.0}, 0.5) == "ets"


def test_signed_conformal_intervals_follow_skewed_errors():
    errors = np.array([[-1.0, -1.0, -1.0, 8.0]] * 5)  # 20 scores, mostly small and negative
    intervals = conformal_intervals(np.full(4, 10.0), errors, (80,))
    assert intervals["lo80"][0] == pytest.approx(9.0)  # lower tail: -1 below the forecast
    assert intervals["hi80"][0] > 10.0


def test_conformal_quantile_is_the_finite_sample_rank():
    scores = np.arange(1, 20, dtype=float)  # 19 scores
    assert conformal_quantile(scores, 0.8) == 16.0  # ceil(20 * 0.8) = 16th
    assert conformal_quantile(scores, 0.95) == 19.0


def test_prophet_candidate_forecasts_a_weekly_pattern_without_negatives():
    rng = np.random.default_rng(7)
    values = weekly_pattern(98, rng, noise=1.0)
    config = ForecastConfig(freq="D", horizon=7, candidates=("prophet",), holiday_country="GB")
    result = forecast_series("p", daily(values), config)
    assert result.model == "prophet", result.notes
    assert (result.forecast["value"] >= 0).all()
    weekend = result.forecast[result.forecast["date"].dt.weekday >= 5]["value"]
    weekday = result.forecast[result.forecast["date"].dt.weekday < 5]["value"]
    assert weekend.max() < weekday.min()
