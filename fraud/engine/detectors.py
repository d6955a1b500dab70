"""The nine detectors. Each takes the prepared claim lines and returns one row per firing claim:
``claim_id``, ``score`` in (0, 1] and ``evidence``, a sentence with the numbers that triggered it.

Rule detectors (1-5) score 1. Statistical detectors (6-8) score from 0.75 upwards with the
strength of the signal, so that a firing detector with its default weight crosses the default
threshold on its own and stronger signals rank higher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .reference import BYPASS_MODIFIERS, HIGH_LEVEL_VISIT_CODES, Reference

if TYPE_CHECKING:
    from .scoring import Baselines, Config

DUPLICATE = "duplicate"
AFTER_DEATH = "after_death"
MUE = "mue"
IMPOSSIBLE_DAY = "impossible_day"
UNBUNDLING = "unbundling"
UPCODING = "upcoding"
AMOUNT = "amount"
VOLUME = "volume"
ISOLATION = "isolation"
DETECTORS = (
    DUPLICATE,
    AFTER_DEATH,
    MUE,
    IMPOSSIBLE_DAY,
    UNBUNDLING,
    UPCODING,
    AMOUNT,
    VOLUME,
    ISOLATION,
)
LABELS = {
    DUPLICATE: "Duplicate line",
    AFTER_DEATH: "Service after death",
    MUE: "Units above MUE",
    IMPOSSIBLE_DAY: "Impossible day",
    UNBUNDLING: "Unbundling",
    UPCODING: "Upcoding",
    AMOUNT: "Billed amount outlier",
    VOLUME: "Provider volume outlier",
    ISOLATION: "Unusual claim (Isolation Forest)",
}
EMPTY = pd.DataFrame({"claim_id": [], "score": [], "evidence": []})
BYPASS_REGEX = r"(?:^|\|)(?:" + "|".join(sorted(BYPASS_MODIFIERS)) + r")(?:\||$)"


def day(values: pd.Series) -> list[str]:
    return values.dt.strftime("%Y-%m-%d").tolist()


def per_claim(claim_ids, scores, evidence) -> pd.DataFrame:
    """Keep each claim's strongest finding; mention how many more the detector found."""
    found = pd.DataFrame(
        {
            "claim_id": np.asarray(claim_ids),
            "score": np.asarray(scores, dtype="float64"),
            "evidence": np.asarray(evidence, dtype=object),
        }
    )
    if found.empty:
        return EMPTY.copy()
    found = found.sort_values(["claim_id", "score"], ascending=[True, False], kind="stable")
    counts = found.groupby("claim_id", sort=False)["score"].transform("size")
    found = found.assign(more=counts - 1).drop_duplicates("claim_id", keep="first")
    extra = np.where(found["more"] > 0, " (+" + found["more"].astype(str) + " more)", "")
    found["evidence"] = found["evidence"] + extra
    return found[["claim_id", "score", "evidence"]].reset_index(drop=True)


def strength(excess: np.ndarray | pd.Series, full_at: float) -> np.ndarray:
    """Map an excess over a threshold to a score in [0.75, 1]."""
    return 0.75 + 0.25 * np.clip(np.asarray(excess, dtype="float64") / full_at, 0.0, 1.0)


def duplicates(lines: pd.DataFrame) -> pd.DataFrame:
    """Same patient, provider, day, code and units billed under more than one claim."""
    candidates = lines.loc[lines["line_key"].duplicated(keep=False)]
    if candidates.empty:
        return EMPTY.copy()
    distinct = candidates.drop_duplicates(["line_key", "claim_id"]).sort_values(
        ["line_key", "claim_id"], kind="stable"
    )
    first = distinct.groupby("line_key", sort=False)["claim_id"].transform("first")
    later = distinct.loc[distinct["claim_id"] != first]
    originals = first.loc[later.index]
    evidence = [
        f"line {number}: {code} x{units} on {date} already billed on claim {original} "
        "for the same patient and provider"
        for number, code, units, date, original in zip(
            later["line_number"],
            later["procedure_code"],
            later["units"],
            day(later["service_date"]),
            originals,
            strict=True,
        )
    ]
    return per_claim(later["claim_id"], np.ones(len(later)), evidence)


def after_death(lines: pd.DataFrame) -> pd.DataFrame:
    """A service dated after the patient's recorded death."""
    hit = lines.loc[
        lines["patient_death_date"].notna() & (lines["service_date"] > lines["patient_death_date"])
    ].drop_duplicates("claim_id")
    gap = (hit["service_date"] - hit["patient_death_date"]).dt.days
    evidence = [
        f"service on {service} is {days} day(s) after the patient's recorded death on {death}"
        for service, days, death in zip(
            day(hit["service_date"]), gap, day(hit["patient_death_date"]), strict=True
        )
    ]
    return per_claim(hit["claim_id"], np.ones(len(hit)), evidence)


def units_above_mue(lines: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """Units of a code per patient, provider and day above the medically unlikely limit."""
    limited = lines.loc[lines["procedure_code"].isin(reference.mue.index)]
    if limited.empty:
        return EMPTY.copy()
    # Exact repeats of a line under another claim are the duplicate detector's finding; count
    # them once here so the original claim is not flagged for the copy's units.
    distinct = limited.drop_duplicates("line_key")
    total = (
        distinct.groupby(["visit_key", "procedure_code"], sort=False)["units"].sum().rename("total")
    )
    hit = limited.join(total, on=["visit_key", "procedure_code"])
    hit["limit"] = hit["procedure_code"].map(reference.mue)
    hit = hit.loc[hit["total"] > hit["limit"]]
    evidence = [
        f"{code}: {total} units for one patient on {date}, limit {limit} per day"
        for code, total, date, limit in zip(
            hit["procedure_code"], hit["total"], day(hit["service_date"]), hit["limit"], strict=True
        )
    ]
    return per_claim(hit["claim_id"], np.ones(len(hit)), evidence)


def impossible_days(lines: pd.DataFrame, reference: Reference, config: Config) -> pd.DataFrame:
    """A provider's time-based services adding up to more than the longest possible day."""
    minutes = lines["procedure_code"].map(reference.minutes) * lines["units"]
    timed = lines.assign(minutes=minutes).loc[minutes.notna()]
    if timed.empty:
        return EMPTY.copy()
    total = timed.groupby("provider_day", sort=False)["minutes"].transform("sum")
    limit = config.max_daily_minutes
    hit = timed.assign(total=total).loc[total > limit].drop_duplicates("claim_id")
    evidence = [
        f"provider {provider} billed {total / 60:.1f} h of timed services on {date} "
        f"(over {limit / 60:.0f} h)"
        for provider, total, date in zip(
            hit["provider_id"], hit["total"], day(hit["service_date"]), strict=True
        )
    ]
    return per_claim(hit["claim_id"], np.ones(len(hit)), evidence)


def unbundling(lines: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """Both codes of a procedure-to-procedure pair for one patient, provider and day, without a
    modifier that the edit allows. The claim holding the column-2 (component) code is flagged."""
    ptp = reference.ptp
    if ptp.empty:
        return EMPTY.copy()
    columns = ["visit_key", "procedure_code", "modifiers", "claim_id", "line_number"]
    first = lines.loc[lines["procedure_code"].isin(ptp["column1"]), columns]
    second = lines.loc[lines["procedure_code"].isin(ptp["column2"]), columns]
    if first.empty or second.empty:
        return EMPTY.copy()
    pairs = first.merge(ptp, left_on="procedure_code", right_on="column1").merge(
        second,
        left_on=["visit_key", "column2"],
        right_on=["visit_key", "procedure_code"],
        suffixes=("_1", "_2"),
    )
    bypassed = pairs["modifier_allowed"] & (
        pairs["modifiers_1"].str.contains(BYPASS_REGEX)
        | pairs["modifiers_2"].str.contains(BYPASS_REGEX)
    )
    hit = pairs.loc[~bypassed]
    evidence = [
        f"{code2} (line {line2}) billed with {code1} on claim {claim1} for the same patient and "
        f"day; {'no modifier lifting the edit' if allowed else 'the edit allows no modifier'}"
        for code2, line2, code1, claim1, allowed in zip(
            hit["column2"],
            hit["line_number_2"],
            hit["column1"],
            hit["claim_id_1"],
            hit["modifier_allowed"],
            strict=True,
        )
    ]
    return per_claim(hit["claim_id_2"], np.ones(len(hit)), evidence)


def upcoding(lines: pd.DataFrame, baselines: Baselines, config: Config) -> pd.DataFrame:
    """High-level visits of providers whose visit-level mix is significantly shifted upward
    against specialty peers (beta-binomial test, Benjamini-Hochberg across providers)."""
    flagged = baselines.providers.loc[baselines.providers["upcoding"]]
    hit = lines.loc[
        lines["provider_id"].isin(flagged.index)
        & lines["procedure_code"].isin(HIGH_LEVEL_VISIT_CODES)
    ]
    if hit.empty:
        return EMPTY.copy()
    stats = flagged.loc[hit["provider_id"]]
    effect = (stats["high_share"] - stats["peer_share"]).to_numpy()
    evidence = [
        f"provider {provider} billed {share:.0%} of {visits:.0f} visits at the high levels "
        f"against {peer:.0%} for {specialty} peers (beta-binomial p={p:.1e}, BH q={q:.1e})"
        for provider, share, visits, peer, specialty, p, q in zip(
            stats.index,
            stats["high_share"],
            stats["visits"],
            stats["peer_share"],
            stats["specialty"],
            stats["p_value"],
            stats["q_value"],
            strict=True,
        )
    ]
    return per_claim(hit["claim_id"], strength(effect - config.upcoding_min_effect, 0.3), evidence)


def amount_outliers(lines: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Billed amount per unit far above the code's median, on the log scale (median/MAD)."""
    hit = lines.loc[lines["amount_z"] > config.amount_z]
    ratio = np.exp(hit["log_unit_amount"] - hit["code_median"])
    evidence = [
        f"{code} billed ${amount:,.2f} per unit, {r:.1f}x the code median "
        f"${np.exp(median):,.2f} (robust z={z:.1f})"
        for code, amount, r, median, z in zip(
            hit["procedure_code"],
            np.exp(hit["log_unit_amount"]),
            ratio,
            hit["code_median"],
            hit["amount_z"],
            strict=True,
        )
    ]
    score = strength(hit["amount_z"] - config.amount_z, config.amount_z)
    return per_claim(hit["claim_id"], score, evidence)


def volume_outliers(lines: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Provider-days with far more patients or services than specialty peers' days."""
    hit = lines.loc[lines["volume_z"] > config.volume_z].drop_duplicates("claim_id")
    evidence = [
        f"provider {provider} saw {patients} patients and billed {units} services on {date}; "
        f"{specialty} peers' typical day: {peer_patients:.0f} patients, {peer_units:.0f} services "
        f"(robust z={z:.1f})"
        for provider, patients, units, date, specialty, peer_patients, peer_units, z in zip(
            hit["provider_id"],
            hit["day_patients"],
            hit["day_units"],
            day(hit["service_date"]),
            hit["provider_specialty"],
            hit["peer_day_patients"],
            hit["peer_day_units"],
            hit["volume_z"],
            strict=True,
        )
    ]
    score = strength(hit["volume_z"] - config.volume_z, config.volume_z)
    return per_claim(hit["claim_id"], score, evidence)
