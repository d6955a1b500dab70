"""Benchmark the engine on a public data set: hold out the last H points of every series,
select and fit on the rest, and score every candidate and the selection by MASE."""

from __future__ import annotations

import time

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from forecasting.engine import ALL_CANDIDATES, ENSEMBLE, ForecastConfig
from forecasting.engine.evaluate import evaluate, summary

REQUIRED_HEADER = ["series_id", "date", "value"]


def read_series(path: str, limit: int | None) -> list[tuple[str, pd.Series]]:
    try:
        frame = pd.read_csv(path, dtype={"series_id": str})
    except (OSError, pd.errors.ParserError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    if list(frame.columns[:3]) != REQUIRED_HEADER:
        raise CommandError(f"{path}: header must be {','.join(REQUIRED_HEADER)}")
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    if frame["date"].isna().any():
        first_bad = int(frame.index[frame["date"].isna()][0]) + 2
        raise CommandError(f"{path}: row {first_bad}: date is not a valid date")
    groups = frame.groupby("series_id", sort=False)
    series = [(series_id, group.set_index("date")["value"]) for series_id, group in groups]
    return series[:limit] if limit else series


class Command(BaseCommand):
    help = "Hold-out benchmark of the forecasting engine on a CSV of series_id,date,value."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--csv", required=True, help="File with header series_id,date,value.")
        parser.add_argument("--freq", required=True, choices=["D", "W", "MS"])
        parser.add_argument("--horizon", required=True, type=int, help="Points held out (H).")
        parser.add_argument("--season", required=True, type=int, help="Season length (M).")
        parser.add_argument(
            "--models",
            default="",
            help=f"Comma-separated candidates (default all): {', '.join(ALL_CANDIDATES)}, "
            f"{ENSEMBLE}.",
        )
        parser.add_argument("--workers", type=int, default=1, help="Processes (default 1).")
        parser.add_argument("--out", required=True, help="Per-series MASE CSV to write.")
        parser.add_argument("--forecasts-out", help="Write the selected hold-out forecasts here.")
        parser.add_argument(
            "--limit", type=int, help="Only the first N series of the file (a subset run)."
        )
        parser.add_argument(
            "--holiday-country",
            default=settings.HOSPOPS_HOLIDAY_COUNTRY,
            help="Country of the public holidays Prophet models for daily data.",
        )

    def handle(self, *args, **options) -> None:
        models = tuple(name.strip() for name in options["models"].split(",") if name.strip())
        try:
            config = ForecastConfig(
                freq=options["freq"],
                horizon=options["horizon"],
                season=options["season"],
                candidates=models or None,
                holiday_country=options["holiday_country"] or None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        series = read_series(options["csv"], options["limit"])
        started = time.perf_counter()
        evaluation = evaluate(series, config, workers=max(1, options["workers"]))
        wall = time.perf_counter() - started

        scores = evaluation.scores
        columns = ["series_id", "selected_model", "reason"]
        mase_columns = [c for c in (*ALL_CANDIDATES, ENSEMBLE, "selected") if c in scores.columns]
        out = scores[columns + mase_columns].rename(columns={c: f"mase_{c}" for c in mase_columns})
        out.to_csv(options["out"], index=False, float_format="%.6f")
        if options.get("forecasts_out"):
            evaluation.forecasts.to_csv(options["forecasts_out"], index=False)

        table = summary(evaluation)
        self.stdout.write(
            f"{len(series)} series, freq {config.freq}, H={config.horizon}, "
            f"M={config.season_length}, workers {evaluation.workers}"
        )
        self.stdout.write("model            mean MASE  series")
        for name, row in table.iterrows():
            self.stdout.write(f"{name:<16} {row['mean_mase']:9.4f}  {int(row['series']):6d}")
        observed = scores["observed"].sum()
        for level in config.levels:
            share = scores[f"inside{level}"].sum() / observed if observed else float("nan")
            self.stdout.write(f"hold-out coverage of the {level}% intervals: {share:.3f}")
        fallbacks = scores["reason"].astype(bool).sum()
        fit_share = scores["fit_seconds"].sum() / max(scores["total_seconds"].sum(), 1e-9)
        self.stdout.write(
            f"fallbacks: {fallbacks}; share of series time in model fits: {fit_share:.2f}"
        )
        self.stdout.write(f"wall time: {wall:.1f} s")
