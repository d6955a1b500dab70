"""Fitting peer baselines, running the detectors and combining them into a risk score.

``fit_baselines`` learns what is normal from a population of claim lines (code fee levels,
specialty visit-level mixes and daily volumes, an Isolation Forest); ``score_lines`` scores any
batch of lines against those baselines. Scoring a batch of providers against baselines fitted on
the whole population gives the same scores as scoring everything at once, which is what lets the
nightly step fan out by provider.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import IsolationForest

from . import detectors as d
from .reference import HIGH_LEVEL_VISIT_CODES, VISIT_CODES, Reference

MAD_TO_SD = 1.4826

DEFAULT_WEIGHTS = {
    d.DUPLICATE: 1.0,
    d.AFTER_DEATH: 1.0,
    d.MUE: 0.9,
    d.IMPOSSIBLE_DAY: 0.9,
    d.UNBUNDLING: 0.9,
    d.UPCODING: 0.8,
    d.AMOUNT: 0.8,
    d.VOLUME: 0.75,
    d.ISOLATION: 0.6,
}
DEFAULT_THRESHOLD = 0.5


@dataclass
class Config:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    enabled: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(d.DETECTORS, True))
    threshold: float = DEFAULT_THRESHOLD
    max_daily_minutes: float = 24 * 60
    amount_z: float = 4.5
    volume_z: float = 4.0
    upcoding_alpha: float = 0.01
    upcoding_min_effect: float = 0.10
    upcoding_min_visits: int = 30
    min_code_lines: int = 20
    isolation_quantile: float = 0.995
    isolation_sample: int = 200_000
    seed: int = 0


@dataclass
class Baselines:
    amounts: pd.DataFrame  # index code: median, scale, lines (log unit amount)
    volume: pd.DataFrame  # index specialty: patients/units per day, log median and scale
    providers: pd.DataFrame  # index provider_id: visit-level test and volume summary
    isolation: IsolationForest | None = None
    isolation_cutoffs: np.ndarray = field(default_factory=lambda: np.array([]))
    feature_medians: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))
    feature_scales: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))


def robust_scale(values: pd.Series, floor: float) -> float:
    mad = float(np.median(np.abs(values - np.median(values)))) if len(values) else 0.0
    return max(MAD_TO_SD * mad, floor)


def add_keys(lines: pd.DataFrame) -> pd.DataFrame:
    """Integer keys for the groupings the detectors use (patient-provider-day, provider-day)."""
    patient = pd.factorize(lines["patient_id"])[0]
    provider = pd.factorize(lines["provider_id"])[0]
    code = pd.factorize(lines["procedure_code"])[0]
    dates = lines["service_date"].to_numpy().astype("datetime64[D]").astype("int64")
    frame = pd.DataFrame(
        {"p": patient, "v": provider, "t": dates, "c": code, "u": lines["units"].to_numpy()}
    )
    lines = lines.copy()
    lines["visit_key"] = frame.groupby(["p", "v", "t"], sort=False).ngroup().to_numpy()
    lines["provider_day"] = frame.groupby(["v", "t"], sort=False).ngroup().to_numpy()
    lines["line_key"] = frame.groupby(["p", "v", "t", "c", "u"], sort=False).ngroup().to_numpy()
    unit_amount = lines["billed_amount"] / lines["units"].clip(lower=1)
    lines["log_unit_amount"] = np.log(unit_amount.where(unit_amount > 0))
    day = lines.groupby("provider_day", sort=False)
    lines["day_patients"] = day["visit_key"].transform("nunique")
    lines["day_units"] = day["units"].transform("sum")
    return lines


def fit_amounts(lines: pd.DataFrame, config: Config) -> pd.DataFrame:
    grouped = lines.dropna(subset=["log_unit_amount"]).groupby("procedure_code")["log_unit_amount"]
    median = grouped.median()
    deviation = (
        (lines["log_unit_amount"] - lines["procedure_code"].map(median))
        .abs()
        .groupby(lines["procedure_code"])
        .median()
    )
    table = pd.DataFrame(
        {
            "median": median,
            "scale": (MAD_TO_SD * deviation).clip(lower=0.05),
            "lines": grouped.size(),
        }
    )
    return table.loc[table["lines"] >= config.min_code_lines]


def fit_volume(lines: pd.DataFrame) -> pd.DataFrame:
    days = lines.drop_duplicates("provider_day")[
        ["provider_specialty", "day_patients", "day_units"]
    ]
    rows = {}
    for specialty, group in days.groupby("provider_specialty"):
        log_patients, log_units = np.log(group["day_patients"]), np.log(group["day_units"])
        patients_median, units_median = float(np.median(log_patients)), float(np.median(log_units))
        # Counting noise: the log of a Poisson count with mean m has a spread of about
        # 1/sqrt(m), which the MAD of small daily counts understates (often to zero).
        rows[specialty] = {
            "patients_median": patients_median,
            "patients_scale": math.hypot(
                robust_scale(log_patients, 0.1), math.exp(-patients_median / 2)
            ),
            "units_median": units_median,
            "units_scale": math.hypot(robust_scale(log_units, 0.1), math.exp(-units_median / 2)),
            "days": len(group),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    count = len(p_values)
    if count == 0:
        return p_values
    order = np.argsort(p_values)
    ranked = p_values[order] * count / np.arange(1, count + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    result = np.empty(count)
    result[order] = adjusted
    return result


def fit_providers(lines: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per provider: visit-level counts and a one-sided beta-binomial test of the high-level
    share against specialty peers. The beta-binomial's spread is the between-provider variation
    estimated robustly (MAD) from peers, so large volume alone does not make a provider
    significant; Benjamini-Hochberg controls the false discovery rate across providers."""
    visits = lines.loc[lines["procedure_code"].isin(VISIT_CODES)]
    high = visits["procedure_code"].isin(HIGH_LEVEL_VISIT_CODES)
    providers = (
        lines.groupby("provider_id")
        .agg(specialty=("provider_specialty", "first"), claims=("claim_id", "nunique"))
        .join(
            visits.assign(high=high)
            .groupby("provider_id")
            .agg(visits=("high", "size"), high=("high", "sum"))
        )
        .fillna({"visits": 0, "high": 0})
    )
    providers["high_share"] = providers["high"] / providers["visits"].where(providers["visits"] > 0)
    providers["peer_share"] = np.nan
    providers["p_value"] = 1.0
    tested = providers["visits"] >= config.upcoding_min_visits
    for _specialty, group in providers.loc[tested].groupby("specialty"):
        if len(group) < 3:
            continue
        mean = float(np.median(group["high_share"]))
        mean = min(max(mean, 0.01), 0.99)
        observed = robust_scale(group["high_share"], 0.0) ** 2
        sampling = float(np.mean(mean * (1 - mean) / group["visits"]))
        between = max(observed - sampling, 1e-4)
        dispersion = min(between / (mean * (1 - mean)), 0.5)
        concentration = (1 - dispersion) / dispersion
        alpha, beta = mean * concentration, (1 - mean) * concentration
        p = stats.betabinom.sf(group["high"] - 1, group["visits"].astype(int), alpha, beta)
        providers.loc[group.index, "p_value"] = p
        providers.loc[group.index, "peer_share"] = mean
    providers["q_value"] = 1.0
    providers.loc[tested, "q_value"] = benjamini_hochberg(
        providers.loc[tested, "p_value"].to_numpy()
    )
    providers["upcoding"] = (
        tested
        & (providers["q_value"] < config.upcoding_alpha)
        & (providers["high_share"] - providers["peer_share"] >= config.upcoding_min_effect)
    )
    return providers


def add_peer_columns(lines: pd.DataFrame, baselines: Baselines) -> pd.DataFrame:
    amounts = baselines.amounts
    code = lines["procedure_code"]
    lines["code_median"] = code.map(amounts["median"])
    lines["amount_z"] = (lines["log_unit_amount"] - lines["code_median"]) / code.map(
        amounts["scale"]
    )
    volume = baselines.volume
    specialty = lines["provider_specialty"]
    patients_z = (np.log(lines["day_patients"]) - specialty.map(volume["patients_median"])) / (
        specialty.map(volume["patients_scale"])
    )
    units_z = (np.log(lines["day_units"]) - specialty.map(volume["units_median"])) / specialty.map(
        volume["units_scale"]
    )
    lines["volume_z"] = np.fmax(patients_z, units_z)
    lines["peer_day_patients"] = np.exp(specialty.map(volume["patients_median"]))
    lines["peer_day_units"] = np.exp(specialty.map(volume["units_median"]))
    return lines


# Patient age and sex are deliberately not features: a flag should rest on billing evidence,
# not on who the patient is (the metrics page shows flag rates by sex and age band).
FEATURES = {
    "lines": "lines on the claim",
    "units": "units on the claim",
    "log_billed": "total billed",
    "max_amount_z": "highest per-unit amount robust z",
    "minutes": "minutes of timed services",
    "provider_high_share": "provider's high-level visit share",
    "volume_z": "provider-day volume robust z",
}


def claim_features(lines: pd.DataFrame, baselines: Baselines, reference: Reference) -> pd.DataFrame:
    minutes = lines["procedure_code"].map(reference.minutes).fillna(0) * lines["units"]
    grouped = lines.assign(minutes=minutes).groupby("claim_id", sort=False)
    features = grouped.agg(
        lines=("line_number", "size"),
        units=("units", "sum"),
        billed=("billed_amount", "sum"),
        max_amount_z=("amount_z", "max"),
        minutes=("minutes", "sum"),
        provider_id=("provider_id", "first"),
        volume_z=("volume_z", "max"),
    )
    features["log_billed"] = np.log1p(features.pop("billed"))
    share = baselines.providers["high_share"] if len(baselines.providers) else pd.Series()
    features["provider_high_share"] = features.pop("provider_id").map(share)
    return features[list(FEATURES)].fillna(0.0).clip(-50, 50)


def fit_isolation(features: pd.DataFrame, baselines: Baselines, config: Config) -> None:
    if len(features) < 50:
        return
    sample = features.sample(min(len(features), config.isolation_sample), random_state=config.seed)
    model = IsolationForest(n_estimators=100, max_samples=256, random_state=config.seed, n_jobs=1)
    model.fit(sample.to_numpy())
    anomaly = -model.score_samples(sample.to_numpy())
    baselines.isolation = model
    baselines.isolation_cutoffs = np.quantile(anomaly, [config.isolation_quantile, 1.0])
    baselines.feature_medians = sample.median()
    baselines.feature_scales = sample.apply(lambda column: robust_scale(column, 1e-6))


def fit_baselines(
    lines: pd.DataFrame, reference: Reference, config: Config | None = None
) -> Baselines:
    """Learn peer baselines from a population of claim lines (as returned by ``parse_claims``)."""
    config = config or Config()
    keyed = add_keys(lines)
    baselines = Baselines(
        amounts=fit_amounts(keyed, config),
        volume=fit_volume(keyed),
        providers=fit_providers(keyed, config),
    )
    add_peer_columns(keyed, baselines)
    fit_isolation(claim_features(keyed, baselines, reference), baselines, config)
    return baselines


def isolation_findings(features: pd.DataFrame, baselines: Baselines) -> pd.DataFrame:
    if baselines.isolation is None or features.empty:
        return d.EMPTY.copy()
    anomaly = -baselines.isolation.score_samples(features.to_numpy())
    cutoff, top = baselines.isolation_cutoffs
    hit = anomaly > cutoff
    if not hit.any():
        return d.EMPTY.copy()
    score = np.clip((anomaly[hit] - cutoff) / max(top - cutoff, 1e-9), 0.05, 1.0)
    unusual = features.loc[hit]
    z = ((unusual - baselines.feature_medians) / baselines.feature_scales).abs()
    evidence = []
    for (_, row), (_, zrow) in zip(unusual.iterrows(), z.iterrows(), strict=True):
        top_features = zrow.nlargest(2).index
        parts = [
            describe_feature(name, row[name], baselines.feature_medians[name])
            for name in top_features
        ]
        evidence.append("unusual combination: " + "; ".join(parts))
    return d.per_claim(unusual.index, score, evidence)


def describe_feature(name: str, value: float, median: float) -> str:
    if name == "log_billed":
        return f"{FEATURES[name]} ${math.expm1(value):,.2f} (typical ${math.expm1(median):,.2f})"
    if name == "provider_high_share":
        return f"{FEATURES[name]} {value:.0%} (typical {median:.0%})"
    return f"{FEATURES[name]} {value:.1f} (typical {median:.1f})"


@dataclass
class ScoreResult:
    claims: pd.DataFrame  # claim_id, provider_id, risk_score, reasons (list of dicts)
    findings: pd.DataFrame  # claim_id, detector, score, weight, contribution, evidence


def run_detectors(
    lines: pd.DataFrame, reference: Reference, baselines: Baselines, config: Config
) -> dict[str, pd.DataFrame]:
    found = {}
    enabled = config.enabled
    if enabled.get(d.DUPLICATE, True):
        found[d.DUPLICATE] = d.duplicates(lines)
    if enabled.get(d.AFTER_DEATH, True):
        found[d.AFTER_DEATH] = d.after_death(lines)
    if enabled.get(d.MUE, True):
        found[d.MUE] = d.units_above_mue(lines, reference)
    if enabled.get(d.IMPOSSIBLE_DAY, True):
        found[d.IMPOSSIBLE_DAY] = d.impossible_days(lines, reference, config)
    if enabled.get(d.UNBUNDLING, True):
        found[d.UNBUNDLING] = d.unbundling(lines, reference)
    if enabled.get(d.UPCODING, True):
        found[d.UPCODING] = d.upcoding(lines, baselines, config)
    if enabled.get(d.AMOUNT, True):
        found[d.AMOUNT] = d.amount_outliers(lines, config)
    if enabled.get(d.VOLUME, True):
        found[d.VOLUME] = d.volume_outliers(lines, config)
    if enabled.get(d.ISOLATION, True):
        features = claim_features(lines, baselines, reference)
        found[d.ISOLATION] = isolation_findings(features, baselines)
    return found


def combine(claims: pd.DataFrame, found: dict[str, pd.DataFrame], config: Config) -> ScoreResult:
    """Noisy-OR of weighted detector scores: risk = 1 - prod(1 - weight * score), in [0, 1]."""
    frames = [frame.assign(detector=name) for name, frame in found.items() if len(frame)]
    if frames:
        findings = pd.concat(frames, ignore_index=True)
    else:
        findings = pd.DataFrame(columns=["claim_id", "score", "evidence", "detector"])
    findings["weight"] = findings["detector"].map(config.weights).astype("float64").fillna(0.0)
    findings["contribution"] = (findings["weight"] * findings["score"].astype("float64")).clip(
        0.0, 1.0
    )
    findings = findings.sort_values(
        ["claim_id", "contribution"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)
    survival = np.log1p(-findings["contribution"].clip(upper=1 - 1e-12))
    risk = 1.0 - np.exp(survival.groupby(findings["claim_id"]).sum())
    claims = claims.copy()
    claims["risk_score"] = claims["claim_id"].map(risk).fillna(0.0).clip(0.0, 1.0).round(6)
    reasons: dict[str, list[dict]] = {}
    for claim_id, detector, score, contribution, evidence in zip(
        findings["claim_id"],
        findings["detector"],
        findings["score"],
        findings["contribution"],
        findings["evidence"],
        strict=True,
    ):
        reasons.setdefault(claim_id, []).append(
            {
                "detector": detector,
                "score": round(float(score), 4),
                "contribution": round(float(contribution), 4),
                "evidence": evidence,
            }
        )
    claims["reasons"] = [reasons.get(claim_id, []) for claim_id in claims["claim_id"]]
    return ScoreResult(claims=claims, findings=findings)


def score_lines(
    lines: pd.DataFrame, reference: Reference, baselines: Baselines, config: Config | None = None
) -> ScoreResult:
    """Score every claim in ``lines`` (which must hold whole provider histories for the
    provider-day detectors) against the given baselines."""
    config = config or Config()
    keyed = add_peer_columns(add_keys(lines), baselines)
    claims = keyed.drop_duplicates("claim_id")[["claim_id", "provider_id"]].reset_index(drop=True)
    return combine(claims, run_detectors(keyed, reference, baselines, config), config)


def score(lines: pd.DataFrame, reference: Reference, config: Config | None = None) -> ScoreResult:
    """Fit baselines on ``lines`` and score them: the one-call path for a whole data set."""
    config = config or Config()
    return score_lines(lines, reference, fit_baselines(lines, reference, config), config)


def reasons_text(reasons: list[dict]) -> str:
    return " | ".join(
        f"{d.LABELS.get(r['detector'], r['detector'])}: {r['evidence']}" for r in reasons
    )
