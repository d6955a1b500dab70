"""Each detector on small hand-made cases: one that must fire and one that must not."""

import numpy as np
import pandas as pd
import pytest

from fraud.engine import detectors as d
from fraud.engine import scoring
from fraud.engine.reference import Reference
from tests.fraud.builders import lines

REFERENCE = Reference.defaults()


def findings(frame: pd.DataFrame, config: scoring.Config | None = None) -> pd.DataFrame:
    result = scoring.score(
        frame,
        REFERENCE,
        config or scoring.Config(enabled={**dict.fromkeys(d.DETECTORS, True), d.ISOLATION: False}),
    )
    return result.findings


def fired(frame: pd.DataFrame, detector: str, **config) -> dict[str, str]:
    found = findings(frame, scoring.Config(**config) if config else None)
    hits = found.loc[found["detector"] == detector]
    return dict(zip(hits["claim_id"], hits["evidence"], strict=True))


def test_duplicate_fires_on_the_later_claim_only():
    frame = lines({"claim_id": "C1"}, {"claim_id": "C2"})
    hits = fired(frame, d.DUPLICATE)
    assert list(hits) == ["C2"]
    assert "already billed on claim C1" in hits["C2"]


def test_duplicate_does_not_fire_for_other_units_or_same_claim():
    frame = lines(
        {"claim_id": "C1"},
        {"claim_id": "C2", "units": 2, "procedure_code": "97110"},
        {"claim_id": "C1", "line_number": 2, "procedure_code": "97110"},
    )
    assert fired(frame, d.DUPLICATE) == {}


def test_service_after_death_fires_with_the_gap():
    hits = fired(lines({"patient_death_date": "2025-02-01"}), d.AFTER_DEATH)
    assert "30 day(s) after the patient's recorded death on 2025-02-01" in hits["C1"]


def test_service_before_death_does_not_fire():
    assert fired(lines({"patient_death_date": "2025-06-01"}), d.AFTER_DEATH) == {}


def test_units_above_mue_fires_and_within_limit_does_not():
    frame = lines(
        {"claim_id": "C1", "procedure_code": "97110", "units": 8},
        {"claim_id": "C2", "procedure_code": "97110", "units": 6, "patient_id": "P2"},
    )
    hits = fired(frame, d.MUE)
    assert list(hits) == ["C1"]
    assert "8 units for one patient on 2025-03-03, limit 6" in hits["C1"]


def timed_day(sessions: int, code: str = "90837") -> pd.DataFrame:
    return lines(
        *[
            {
                "claim_id": f"C{i}",
                "patient_id": f"P{i}",
                "procedure_code": code,
                "provider_specialty": "Psychiatry",
            }
            for i in range(sessions)
        ]
    )


def test_impossible_day_fires_over_24_hours():
    hits = fired(timed_day(25), d.IMPOSSIBLE_DAY)  # 25 x 60 min
    assert len(hits) == 25
    assert "25.0 h of timed services on 2025-03-03" in hits["C0"]


def test_full_but_possible_day_does_not_fire():
    assert fired(timed_day(12), d.IMPOSSIBLE_DAY) == {}


def test_unbundling_fires_without_modifier_on_the_component_claim():
    frame = lines(
        {"claim_id": "C1", "procedure_code": "97530"}, {"claim_id": "C2", "procedure_code": "97140"}
    )
    hits = fired(frame, d.UNBUNDLING)
    assert list(hits) == ["C2"]
    assert "97140 (line 1) billed with 97530 on claim C1" in hits["C2"]


def test_unbundling_lifted_by_an_allowed_modifier_but_not_when_none_is_allowed():
    allowed = lines(
        {"procedure_code": "97530"},
        {"line_number": 2, "procedure_code": "97140", "modifiers": "59"},
    )
    assert fired(allowed, d.UNBUNDLING) == {}
    not_allowed = lines(
        {"procedure_code": "80053"},
        {"line_number": 2, "procedure_code": "80048", "modifiers": "59"},
    )
    assert "the edit allows no modifier" in fired(not_allowed, d.UNBUNDLING)["C1"]


def visit_population(shares: dict[str, float], visits: int = 200, seed: int = 0) -> pd.DataFrame:
    """Providers with the given high-level share; the rest of the visits are 99213."""
    rng = np.random.default_rng(seed)
    rows = []
    for provider, share in shares.items():
        high = rng.random(visits) < share
        for i, is_high in enumerate(high):
            rows.append(
                {
                    "claim_id": f"{provider}-{i}",
                    "provider_id": provider,
                    "patient_id": f"{provider}-P{i}",
                    "service_date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "procedure_code": "99214" if is_high else "99213",
                }
            )
    return lines(*rows)


def test_upcoding_fires_for_a_shifted_provider_with_its_test():
    shares = {f"PEER{i}": 0.30 + 0.02 * (i % 3) for i in range(12)} | {"UPCODER": 0.75}
    hits = fired(visit_population(shares), d.UPCODING)
    assert hits and all(claim.startswith("UPCODER-") for claim in hits)
    evidence = next(iter(hits.values()))
    assert "at the high levels against" in evidence and "beta-binomial p=" in evidence


def test_upcoding_accounts_for_volume_and_peer_spread():
    # A slightly higher share is within peers' natural spread, however many visits it has.
    shares = {f"PEER{i}": 0.25 + 0.03 * (i % 4) for i in range(12)} | {"BUSY": 0.38}
    assert fired(visit_population(shares, visits=400), d.UPCODING) == {}


def priced(amounts: list[float]) -> pd.DataFrame:
    return lines(
        *[
            {"claim_id": f"C{i}", "patient_id": f"P{i}", "billed_amount": amount}
            for i, amount in enumerate(amounts)
        ]
    )


def test_billed_amount_outlier_fires_on_the_log_scale():
    rng = np.random.default_rng(1)
    amounts = list(np.round(95 * rng.lognormal(0, 0.06, 40), 2)) + [480.0]
    hits = fired(priced(amounts), d.AMOUNT)
    assert list(hits) == ["C40"]
    assert "99213 billed $480.00 per unit" in hits["C40"] and "robust z=" in hits["C40"]


def test_ordinary_price_spread_does_not_fire():
    rng = np.random.default_rng(1)
    amounts = list(np.round(95 * rng.lognormal(0, 0.06, 40), 2)) + [110.0]
    assert fired(priced(amounts), d.AMOUNT) == {}


def day_volumes(busy_day_patients: int) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    rows = []
    for provider in range(10):
        for day in range(1, 21):
            count = busy_day_patients if (provider, day) == (0, 5) else rng.poisson(15)
            rows += [
                {
                    "claim_id": f"C{provider}-{day}-{k}",
                    "patient_id": f"P{provider}-{day}-{k}",
                    "provider_id": f"V{provider}",
                    "service_date": f"2025-04-{day:02d}",
                }
                for k in range(count)
            ]
    return lines(*rows)


def test_provider_volume_outlier_fires_on_the_busy_day():
    hits = fired(day_volumes(90), d.VOLUME)
    assert hits and all(claim.startswith("C0-5-") for claim in hits)
    assert "saw 90 patients" in next(iter(hits.values()))


def test_ordinary_busy_day_does_not_fire():
    assert fired(day_volumes(22), d.VOLUME) == {}


def test_isolation_forest_flags_an_extreme_claim_only():
    rng = np.random.default_rng(3)
    rows = [
        {
            "claim_id": f"C{i}",
            "patient_id": f"P{i}",
            "units": 1,
            "billed_amount": round(95 * rng.lognormal(0, 0.05), 2),
        }
        for i in range(400)
    ]
    rows += [
        {
            "claim_id": "ODD",
            "patient_id": "PX",
            "line_number": n,
            "procedure_code": code,
            "units": 4,
            "billed_amount": 900.0,
        }
        for n, code in enumerate(["97110", "97112", "97140", "96372"], start=1)
    ]
    result = scoring.score(lines(*rows), REFERENCE, scoring.Config(isolation_quantile=0.995))
    hits = result.findings.loc[result.findings["detector"] == d.ISOLATION]
    assert "ODD" in set(hits["claim_id"])
    assert len(hits) <= 5
    assert hits.set_index("claim_id").loc["ODD", "evidence"].startswith("unusual combination")


def test_risk_combines_weights_and_orders_reasons():
    frame = lines(
        {"claim_id": "C1", "patient_death_date": "2025-01-01"},
        {"claim_id": "C2", "patient_death_date": "2025-01-01"},
        {"claim_id": "C3", "patient_id": "P3"},
    )
    config = scoring.Config(
        weights={**scoring.DEFAULT_WEIGHTS, d.DUPLICATE: 0.5, d.AFTER_DEATH: 0.6}
    )
    result = scoring.score(frame, REFERENCE, config)
    claims = result.claims.set_index("claim_id")
    assert claims.loc["C2", "risk_score"] == pytest.approx(1 - (1 - 0.5) * (1 - 0.6))
    assert [r["detector"] for r in claims.loc["C2", "reasons"]] == [d.AFTER_DEATH, d.DUPLICATE]
    assert claims.loc["C3", "risk_score"] == 0.0 and claims.loc["C3", "reasons"] == []
    assert claims["risk_score"].between(0, 1).all()


def test_disabled_detector_does_not_contribute():
    frame = lines({"patient_death_date": "2025-01-01"})
    config = scoring.Config(enabled={**dict.fromkeys(d.DETECTORS, True), d.AFTER_DEATH: False})
    assert scoring.score(frame, REFERENCE, config).claims["risk_score"].tolist() == [0.0]
