"""Billing anomaly benchmark: generate synthetic claims with injected patterns, import them
through the real import service into the configured database, score them with the nightly
step, export the flags, and report precision at 100/500, recall per pattern, PR-AUC and times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hospops_fraud_bench \
        .venv/bin/python bench/fraud_benchmark.py --providers 150 --days 365

The database must be a dedicated, migrated one: the script deletes its fraud claims first.
``--engine-only`` skips the database and times the pure engine (parse + score) alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hospops.settings")


def timed(label: str, timings: dict, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    timings[label] = time.perf_counter() - start
    print(f"  {label}: {timings[label]:.1f} s", flush=True)
    return result


def print_quality(title: str, quality: dict) -> None:
    print(f"\n{title}")
    print(
        f"  claims {quality['claims']}, labelled {quality['labelled']}, "
        f"flagged {quality['flagged']}"
    )
    for k, value in quality["precision_at"].items():
        print(f"  precision@{k}: {value:.3f}")
    print(f"  precision of all flags: {quality['precision_flagged']:.3f}")
    print(f"  PR-AUC (average precision): {quality['pr_auc']:.3f}")
    print("  | pattern | labelled claims | recall |")
    print("  |---|---:|---:|")
    for pattern, row in sorted(quality["recall"].items()):
        print(f"  | {pattern} | {row['claims']} | {row['recall']:.3f} |")


def time_queue(timings: dict) -> None:
    """Review queue pages straight from the selector: first page, 100th page, filtered."""
    from django.contrib.auth.models import AnonymousUser

    from fraud import selectors

    user = AnonymousUser()
    start = time.perf_counter()
    page = selectors.queue_page({"status": "open"}, user)
    timings["queue: first page"] = time.perf_counter() - start
    cursor, pages, started = page.next_cursor, 1, time.perf_counter()
    while cursor and pages < 100:
        page = selectors.queue_page({"status": "open"}, user, cursor=cursor)
        cursor, pages = page.next_cursor, pages + 1
    timings[f"queue: mean of pages 2-{pages}"] = (time.perf_counter() - started) / max(1, pages - 1)
    start = time.perf_counter()
    selectors.queue_page({"status": "open", "specialty": "Cardiology", "detector": "amount"}, user)
    timings["queue: filtered first page"] = time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=150)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--volume-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine-only", action="store_true")
    parser.add_argument(
        "--subtle",
        action="store_true",
        help="harder injections: amounts x1.6-2.5, volume days x2.5-4, milder upcoding",
    )
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()

    from fraud.engine import evaluation, scoring, synthetic
    from fraud.engine.claims import parse_claims, write_claims
    from fraud.engine.reference import Reference

    timings: dict[str, float] = {}
    print("generating", flush=True)
    data = timed(
        "generate",
        timings,
        synthetic.generate,
        n_providers=args.providers,
        start=dt.date(2025, 1, 1),
        days=args.days,
        seed=args.seed,
        volume_scale=args.volume_scale,
    )
    workdir = Path(args.workdir)
    claims_path = workdir / "fraud_bench_claims.csv"
    labels_path = workdir / "fraud_bench_labels.csv"
    timed("write CSV", timings, write_claims, data.lines, claims_path)
    data.labels.to_csv(labels_path, index=False)
    print(
        f"  {len(data.lines)} lines, {data.lines['claim_id'].nunique()} claims, "
        f"{data.labels['claim_id'].nunique()} labelled claims -> {claims_path}"
    )

    print("engine only", flush=True)
    lines = timed("engine parse+validate", timings, parse_claims, str(claims_path), dt.date.today())
    config = scoring.Config()
    result = timed(
        "engine score (fit baselines + 9 detectors + combine)",
        timings,
        scoring.score,
        lines,
        Reference.defaults(),
        config,
    )
    print_quality(
        "Engine quality", evaluation.evaluate(result.claims, data.labels, config.threshold)
    )
    del lines, result
    if args.engine_only:
        return

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from fraud import services
    from fraud.models import Claim, ClaimScore, Flag, Patient, Payer, Provider, ScoringBaseline

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database ({engine})", flush=True)
    call_command("migrate", verbosity=0)
    for model in (Flag, ClaimScore, ScoringBaseline, Claim, Patient, Payer, Provider):
        model.objects.all().delete()
    counts = timed(
        "DB import (import_claims service)", timings, services.import_claims, str(claims_path)
    )
    print(f"  {counts.as_counts()}")
    job = timed("DB score (score_claims nightly step)", timings, services.run_scoring)
    print(f"  {job.status} {job.counts} {job.error}")
    again = timed(
        "DB re-import of the same file", timings, services.import_claims, str(claims_path)
    )
    print(f"  {again.as_counts()}")
    rescore = timed("DB score again (nothing changed)", timings, services.run_scoring)
    print(f"  {rescore.counts}")
    export_path = workdir / "fraud_bench_flags.csv"
    timed("export_flags", timings, call_command, "export_flags", "--out", str(export_path))
    exported = pd.read_csv(export_path, dtype={"claim_id": str, "reasons": str}, low_memory=False)
    threshold = services.current_config().threshold
    print_quality(
        f"Exported scores quality ({engine})", evaluation.evaluate(exported, data.labels, threshold)
    )
    time_queue(timings)
    print("\nTimings (s)")
    for label, seconds in timings.items():
        print(f"  | {label} | {seconds:.3f} |" if seconds < 1 else f"  | {label} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
