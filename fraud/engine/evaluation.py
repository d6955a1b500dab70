"""Scoring quality against known labels: precision at k, recall per pattern, PR-AUC."""

from __future__ import annotations

import pandas as pd
from sklearn.metrics import average_precision_score


def evaluate(
    scored: pd.DataFrame, labels: pd.DataFrame, threshold: float, ks: tuple[int, ...] = (100, 500)
) -> dict:
    """``scored``: claim_id, risk_score for every claim; ``labels``: claim_id, pattern."""
    ranked = scored.sort_values(["risk_score", "claim_id"], ascending=[False, True])
    positive = ranked["claim_id"].isin(labels["claim_id"]).to_numpy()
    flagged = set(ranked.loc[ranked["risk_score"] >= threshold, "claim_id"])
    labelled = set(labels["claim_id"])
    result = {
        "claims": len(ranked),
        "labelled": int(positive.sum()),
        "flagged": len(flagged),
        "precision_at": {k: float(positive[:k].mean()) for k in ks if len(positive) >= k},
        "pr_auc": float(average_precision_score(positive, ranked["risk_score"]))
        if positive.any()
        else float("nan"),
        "precision_flagged": len(flagged & labelled) / len(flagged) if flagged else float("nan"),
        "recall": {},
    }
    for pattern, group in labels.groupby("pattern"):
        claims = set(group["claim_id"])
        result["recall"][pattern] = {
            "claims": len(claims),
            "recall": len(claims & flagged) / len(claims),
        }
    return result
