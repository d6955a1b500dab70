import io

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command


def write_series(path, count: int = 3, months: int = 48) -> None:
    rng = np.random.default_rng(0)
    dates = pd.date_range("2018-01-01", periods=months, freq="MS")
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(months) / 12)
    frames = [
        pd.DataFrame(
            {
                "series_id": f"S{i}",
                "date": dates.strftime("%Y-%m-%d"),
                "value": np.round(50 * season + rng.normal(0, 3, months), 1),
            }
        )
        for i in range(count)
    ]
    frames.append(
        pd.DataFrame({"series_id": "ZERO", "date": dates.strftime("%Y-%m-%d"), "value": 0.0})
    )
    pd.concat(frames).to_csv(path, index=False)


def test_forecast_backtest_writes_scores_and_holdout_forecasts(tmp_path):
    data, out, forecasts = tmp_path / "d.csv", tmp_path / "r.csv", tmp_path / "f.csv"
    write_series(data)
    stdout = io.StringIO()
    call_command(
        "forecast_backtest",
        "--csv",
        str(data),
        "--freq",
        "MS",
        "--horizon",
        "6",
        "--season",
        "12",
        "--models",
        "seasonal_naive,theta,ensemble",
        "--out",
        str(out),
        "--forecasts-out",
        str(forecasts),
        stdout=stdout,
    )
    scores = pd.read_csv(out)
    assert list(scores.columns) == [
        "series_id",
        "selected_model",
        "reason",
        "mase_seasonal_naive",
        "mase_theta",
        "mase_ensemble",
        "mase_selected",
    ]
    assert len(scores) == 4
    zero = scores.set_index("series_id").loc["ZERO"]
    assert zero["selected_model"] == "fallback_zero" and np.isnan(zero["mase_selected"])
    regular = scores[scores.series_id != "ZERO"]
    assert (regular["mase_selected"] < regular["mase_seasonal_naive"] * 2).all()
    held_out = pd.read_csv(forecasts)
    assert list(held_out.columns) == ["series_id", "date", "value"]
    assert len(held_out) == 4 * 6
    assert held_out["date"].min() == "2021-07-01"
    text = stdout.getvalue()
    assert "selected" in text and "wall time" in text and "coverage of the 95%" in text


@pytest.mark.parametrize(
    ("header", "message"), [("id,day,value", "header must be series_id,date,value")]
)
def test_forecast_backtest_rejects_a_wrong_header(tmp_path, header, message):
    data = tmp_path / "d.csv"
    data.write_text(f"{header}\nA,2020-01-01,1\n")
    with pytest.raises(CommandError, match=message):
        call_command(
            "forecast_backtest",
            "--csv",
            str(data),
            "--freq",
            "MS",
            "--horizon",
            "6",
            "--season",
            "12",
            "--out",
            str(tmp_path / "r.csv"),
        )
