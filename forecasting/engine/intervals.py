"""Prediction intervals from backtest errors (split conformal prediction).

The scores are the signed backtest errors divided by a growth factor of the horizon step, so
that later steps get wider intervals; the finite-sample quantiles of the scores at both tails
of each level, times the growth factor, are the distances below and above the forecast. This
covers about the nominal share of held-out points whatever the model, including ensembles and
Croston-type methods that have no intervals of their own.
"""

from __future__ import annotations

import math

import numpy as np


def horizon_growth(steps: int) -> np.ndarray:
    """Relative spread of errors at steps 1..steps: a fourth-root growth sits between the flat
    errors of strongly seasonal series and the square-root growth of random walks."""
    return np.arange(1, steps + 1, dtype=float) ** 0.25


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ceil((n + 1) * level)-th smallest score: the split-conformal upper quantile."""
    scores = np.sort(scores[np.isfinite(scores)])
    n = len(scores)
    if n == 0:
        return 0.0
    rank = min(math.ceil((n + 1) * level), n)
    return float(scores[rank - 1])


def conformal_lower_quantile(scores: np.ndarray, share: float) -> float:
    """The floor((n + 1) * share)-th smallest score (the smallest when that rank is 0)."""
    scores = np.sort(scores[np.isfinite(scores)])
    n = len(scores)
    if n == 0:
        return 0.0
    rank = max(math.floor((n + 1) * share), 1)
    return float(scores[rank - 1])


def conformal_intervals(
    point: np.ndarray, errors: np.ndarray, levels: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Intervals around ``point`` from backtest ``errors`` (actual minus forecast, windows x
    horizon). Lower and upper ends come from the signed errors' own tails, so skewed errors,
    such as those of intermittent demand, get skewed intervals that still cover the zeros."""
    growth = horizon_growth(errors.shape[1])
    scores = (errors / growth).ravel()
    step_growth = horizon_growth(len(point))
    intervals = {}
    for level in levels:
        tail = (1 - level / 100) / 2
        upper = max(conformal_quantile(scores, 1 - tail), 0.0)
        lower = min(conformal_lower_quantile(scores, tail), 0.0)
        intervals[f"lo{level}"] = point + lower * step_growth
        intervals[f"hi{level}"] = point + upper * step_growth
    return intervals


def intermittent_intervals(
    point: np.ndarray, errors: np.ndarray, levels: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Intervals for intermittent demand: zero is always possible, so each interval starts at 0
    and its upper end is the ``level`` quantile of the signed backtest errors above the forecast
    (one-sided, so that about ``level`` of the held-out periods fall inside)."""
    growth = horizon_growth(errors.shape[1])
    scores = (errors / growth).ravel()
    step_growth = horizon_growth(len(point))
    intervals = {}
    for level in levels:
        upper = max(conformal_quantile(scores, level / 100), 0.0)
        intervals[f"lo{level}"] = np.zeros_like(point)
        intervals[f"hi{level}"] = point + upper * step_growth
    return intervals


def naive_intervals(
    values: np.ndarray, point: np.ndarray, levels: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Fallback intervals from the period-to-period changes, growing like a random walk."""
    changes = np.abs(np.diff(values)) if len(values) > 1 else np.array([0.0])
    steps = np.sqrt(np.arange(1, len(point) + 1, dtype=float))
    intervals = {}
    for level in levels:
        half_width = conformal_quantile(changes, level / 100) * steps
        intervals[f"lo{level}"] = point - half_width
        intervals[f"hi{level}"] = point + half_width
    return intervals
