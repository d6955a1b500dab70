"""Prediction intervals from backtest errors (split conformal prediction).

The scores are the absolute backtest errors divided by a growth factor of the horizon step, so
that later steps get wider intervals; the finite-sample quantile of the scores at each level,
times the growth factor, is the half-width. This covers about the nominal share of held-out
points whatever the model, including ensembles and Croston-type methods that have no
intervals of their own.
"""

from __future__ import annotations

import math

import numpy as np


def horizon_growth(steps: int) -> np.ndarray:
    """Relative spread of errors at steps 1..steps: a fourth-root growth sits between the flat
    errors of strongly seasonal series and the square-root growth of random walks."""
    return np.arange(1, steps + 1, dtype=float) ** 0.25


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ceil((n + 1) * level)-th smallest score: the split-conformal quantile."""
    scores = np.sort(scores[np.isfinite(scores)])
    n = len(scores)
    if n == 0:
        return 0.0
    rank = min(math.ceil((n + 1) * level), n)
    return float(scores[rank - 1])


def conformal_intervals(
    point: np.ndarray, errors: np.ndarray, levels: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """Intervals around ``point`` from backtest ``errors`` (windows x horizon)."""
    steps = errors.shape[1]
    growth = horizon_growth(steps)
    scores = (np.abs(errors) / growth).ravel()
    horizon = len(point)
    step_growth = horizon_growth(horizon)
    intervals = {}
    for level in levels:
        half_width = conformal_quantile(scores, level / 100) * step_growth
        intervals[f"lo{level}"] = point - half_width
        intervals[f"hi{level}"] = point + half_width
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
