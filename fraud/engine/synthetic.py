"""Synthetic claim lines with injected billing patterns at known rates, labels kept apart.

Providers of several specialties see patients on working days; each visit becomes one claim of
one to a few lines with fees per code. The patterns the detectors target are then injected and
the affected claims recorded in a separate label frame (``claim_id``, ``pattern``), which the
benchmark compares against the scores and which never enters the claims file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .claims import CLAIMS_HEADER
from .reference import DEFAULT_MUE, HIGH_LEVEL_VISIT_CODES, VISIT_CODES

PATTERNS = (
    "duplicate",
    "after_death",
    "mue",
    "impossible_day",
    "unbundling",
    "upcoding",
    "amount",
    "volume",
)
FEES = {
    "99202": 75,
    "99203": 115,
    "99204": 170,
    "99205": 225,
    "99211": 25,
    "99212": 60,
    "99213": 95,
    "99214": 135,
    "99215": 190,
    "90791": 180,
    "90832": 75,
    "90834": 100,
    "90837": 145,
    "97110": 32,
    "97112": 36,
    "97140": 30,
    "97530": 38,
    "97161": 100,
    "97162": 100,
    "97163": 100,
    "80048": 12,
    "80053": 16,
    "80061": 20,
    "83036": 14,
    "84443": 25,
    "85025": 11,
    "85027": 9,
    "81001": 5,
    "81003": 4,
    "36415": 4,
    "93000": 18,
    "93005": 9,
    "93010": 9,
}
NEW_LEVELS = np.array([0.15, 0.45, 0.30, 0.10])
UPCODED_NEW_LEVELS = np.array([0.02, 0.13, 0.40, 0.45])


@dataclass(frozen=True)
class Specialty:
    name: str
    share: float  # of providers
    daily_visits: float
    primary: tuple[tuple[str, float, int, int], ...]  # code, probability, min units, max units
    extras: tuple[tuple[str, float, int, int], ...] = ()  # independent optional lines
    diagnoses: tuple[str, ...] = ("Z00.00",)
    place_of_service: str = "11"


def visit_mix(established: tuple[float, ...], new_share: float = 0.1) -> tuple:
    new = [(code, new_share * p, 1, 1) for code, p in zip(VISIT_CODES[:4], NEW_LEVELS, strict=True)]
    old = [
        (code, (1 - new_share) * p, 1, 1)
        for code, p in zip(VISIT_CODES[4:], established, strict=True)
    ]
    return tuple(new + old)


LABS = (
    ("36415", 0.25, 1, 1),
    ("80053", 0.10, 1, 1),
    ("80061", 0.10, 1, 1),
    ("83036", 0.10, 1, 1),
    ("85025", 0.12, 1, 1),
    ("84443", 0.06, 1, 1),
    ("81003", 0.05, 1, 1),
)
SPECIALTIES = (
    Specialty(
        "Family Medicine",
        0.30,
        18,
        visit_mix((0.03, 0.15, 0.47, 0.28, 0.07)),
        (*LABS, ("93000", 0.05, 1, 1)),
        ("I10", "E11.9", "J06.9", "E78.5", "Z00.00"),
    ),
    Specialty(
        "Internal Medicine",
        0.20,
        16,
        visit_mix((0.02, 0.10, 0.42, 0.36, 0.10)),
        (*LABS, ("93000", 0.08, 1, 1)),
        ("I10", "E11.9", "N18.3", "E78.5", "J44.9"),
    ),
    Specialty(
        "Cardiology",
        0.12,
        14,
        visit_mix((0.02, 0.08, 0.35, 0.40, 0.15)),
        (("93000", 0.5, 1, 1), ("80061", 0.2, 1, 1), ("80048", 0.1, 1, 1)),
        ("I10", "I25.10", "I48.91", "R07.9", "I50.9"),
    ),
    Specialty(
        "Psychiatry",
        0.13,
        8,
        (
            ("90834", 0.50, 1, 1),
            ("90837", 0.33, 1, 1),
            ("90832", 0.12, 1, 1),
            ("90791", 0.05, 1, 1),
        ),
        (),
        ("F32.9", "F41.1", "F43.10", "F33.1"),
    ),
    Specialty(
        "Physical Therapy",
        0.15,
        8,
        (("97110", 1.0, 1, 2),),
        (("97140", 0.6, 1, 3), ("97112", 0.3, 1, 2), ("97530", 0.2, 1, 2), ("97161", 0.04, 1, 1)),
        ("M54.50", "M25.561", "M17.11", "S83.241A"),
    ),
    Specialty(
        "Clinical Laboratory",
        0.10,
        30,
        (
            ("80053", 0.3, 1, 1),
            ("80048", 0.15, 1, 1),
            ("80061", 0.2, 1, 1),
            ("83036", 0.15, 1, 1),
            ("84443", 0.1, 1, 1),
            ("81001", 0.1, 1, 1),
        ),
        (("85025", 0.35, 1, 1), ("36415", 0.7, 1, 1)),
        ("Z00.00", "E11.9", "D64.9", "E03.9"),
        "81",
    ),
)
EM_SPECIALTIES = ("Family Medicine", "Internal Medicine", "Cardiology")
TIMED_SPECIALTIES = ("Psychiatry", "Physical Therapy")
# Pairs injected as unbundling, by specialty (column-1 code, column-2 code).
UNBUNDLED_PAIRS = {
    "Family Medicine": (("80053", "80048"), ("85025", "85027")),
    "Internal Medicine": (("80053", "80048"), ("85025", "85027")),
    "Clinical Laboratory": (("80053", "80048"), ("85025", "85027"), ("81001", "81003")),
    "Cardiology": (("93000", "93010"), ("93000", "93005")),
    "Psychiatry": (("90837", "90832"), ("90834", "90832")),
    "Physical Therapy": (("97530", "97140"), ("97530", "97110")),
}


@dataclass(frozen=True)
class Rates:
    """Injection rates: fractions of claims (of lines for mue/amount, of provider-days for the
    day patterns, of visit-billing providers for upcoding)."""

    duplicate: float = 0.002
    after_death: float = 0.001
    mue: float = 0.0015
    unbundling: float = 0.002
    amount: float = 0.0015
    impossible_day: float = 0.002
    volume: float = 0.001
    upcoding: float = 0.06
    volume_multiplier: tuple[float, float] = (5.0, 7.0)  # a volume day against the usual day
    amount_multiplier: tuple[float, float] = (2.5, 6.0)  # an inflated line against its fee
    upcoded_levels: tuple[float, ...] = (0.01, 0.03, 0.16, 0.40, 0.40)  # 99211-99215 shares


SUBTLE = Rates(
    volume_multiplier=(2.5, 4.0),
    amount_multiplier=(1.6, 2.5),
    upcoded_levels=(0.02, 0.08, 0.32, 0.38, 0.20),
)


@dataclass
class Synthetic:
    lines: pd.DataFrame  # the claims file's columns, typed as ``parse_claims`` returns them
    labels: pd.DataFrame  # claim_id, pattern
    providers: pd.DataFrame = field(default_factory=pd.DataFrame)


class _Builder:
    def __init__(
        self,
        n_providers: int,
        start: dt.date,
        days: int,
        seed: int,
        volume_scale: float,
        rates: Rates,
    ) -> None:
        self.rng = np.random.default_rng(seed)
        self.start, self.days, self.rates = start, days, rates
        self.volume_scale = volume_scale
        self.make_providers(n_providers)
        self.make_patients()
        self.labels: list[pd.DataFrame] = []

    def make_providers(self, count: int) -> None:
        rng = self.rng
        shares = np.array([s.share for s in SPECIALTIES])
        spec = rng.choice(len(SPECIALTIES), size=count, p=shares / shares.sum())
        spec[: len(SPECIALTIES)] = np.arange(min(count, len(SPECIALTIES)))  # every specialty
        self.providers = pd.DataFrame(
            {
                "provider_id": [f"{1_300_000_000 + 7919 * i:010d}" for i in range(count)],
                "specialty": [SPECIALTIES[s].name for s in spec],
                "spec": spec,
                "daily": np.array([SPECIALTIES[s].daily_visits for s in spec])
                * np.clip(rng.lognormal(0, 0.2, count), 0.6, 1.4)
                * self.volume_scale,
                "fee_factor": rng.lognormal(0, 0.08, count),
            }
        )
        em = np.flatnonzero(self.providers["specialty"].isin(EM_SPECIALTIES))
        upcoders = rng.choice(em, size=max(1, round(self.rates.upcoding * len(em))), replace=False)
        self.providers["upcoder"] = False
        self.providers.loc[upcoders, "upcoder"] = True

    def make_patients(self) -> None:
        rng = self.rng
        expected_visits = self.providers["daily"].sum() * self.days * 5 / 7
        count = int(max(2000, expected_visits / 5))
        age_days = rng.uniform(0.2, 95, count) * 365.25
        birth = pd.Timestamp(self.start) - pd.to_timedelta(age_days.astype(int), unit="D")
        dies = rng.random(count) < 0.03
        death = pd.Timestamp(self.start) + pd.to_timedelta(
            rng.integers(0, self.days, count), unit="D"
        )
        self.patients = pd.DataFrame(
            {
                "patient_id": [f"PT{9_000_000 + 17 * i:09d}" for i in range(count)],
                "patient_birth_date": birth,
                "patient_sex": rng.choice(["F", "M", "U"], size=count, p=[0.52, 0.47, 0.01]),
                "patient_death_date": pd.Series(death).where(dies),
                "payer_id": rng.choice([f"PAYER{i:02d}" for i in range(1, 7)], size=count),
            }
        )

    def panel_patients(self, provider: np.ndarray) -> np.ndarray:
        count = len(self.patients)
        panel = max(300, count // max(1, len(self.providers)) * 3)
        offset = (provider * (count // max(1, len(self.providers)))) % count
        return (offset + self.rng.integers(0, panel, len(provider))) % count

    def make_visits(self) -> pd.DataFrame:
        rng = self.rng
        dates = pd.date_range(self.start, periods=self.days, freq="D")
        dates = dates[dates.dayofweek < 5]
        grid_provider = np.repeat(np.arange(len(self.providers)), len(dates))
        grid_date = np.tile(dates.to_numpy(), len(self.providers))
        counts = rng.poisson(self.providers["daily"].to_numpy()[grid_provider])
        visits = pd.DataFrame(
            {
                "provider": np.repeat(grid_provider, counts),
                "service_date": np.repeat(grid_date, counts),
                "day_label": "",
            }
        )
        visits = pd.concat([visits, self.busy_days(dates)], ignore_index=True)
        visits["patient"] = self.panel_patients(visits["provider"].to_numpy())
        visits = visits.drop_duplicates(["patient", "provider", "service_date"])
        death = self.patients["patient_death_date"].to_numpy()[visits["patient"]]
        visits = visits.loc[~(visits["service_date"].to_numpy() > death)]
        return visits.sort_values(["service_date", "provider"], kind="stable").reset_index(
            drop=True
        )

    def busy_days(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Extra visits making impossible days (timed specialties) and volume outliers."""
        rng, providers = self.rng, self.providers
        frames = []
        for pattern, specialties, rate in (
            ("impossible_day", TIMED_SPECIALTIES, self.rates.impossible_day),
            ("volume", EM_SPECIALTIES, self.rates.volume),
        ):
            eligible = np.flatnonzero(providers["specialty"].isin(specialties))
            if not len(eligible):
                continue
            count = max(1, round(rate * len(eligible) * len(dates)))
            chosen = rng.choice(eligible, size=count)
            days = rng.choice(dates.to_numpy(), size=count)
            if pattern == "impossible_day":
                extra = np.full(count, 40)
            else:
                extra = np.ceil(
                    providers["daily"].to_numpy()[chosen]
                    * rng.uniform(*self.rates.volume_multiplier, count)
                ).astype(int)
            frames.append(
                pd.DataFrame(
                    {
                        "provider": np.repeat(chosen, extra),
                        "service_date": np.repeat(days, extra),
                        "day_label": pattern,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def make_lines(self, visits: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        visits["claim_id"] = [f"C{i:09d}" for i in range(1, len(visits) + 1)]
        spec = self.providers["spec"].to_numpy()[visits["provider"]]
        upcoder = self.providers["upcoder"].to_numpy()[visits["provider"]]
        parts = []
        for index, specialty in enumerate(SPECIALTIES):
            mine = np.flatnonzero(spec == index)
            if not len(mine):
                continue
            codes, probs, low, high = zip(*specialty.primary, strict=True)
            probs = np.array(probs) / np.sum(probs)
            choice = rng.choice(len(codes), size=len(mine), p=probs)
            if specialty.name in EM_SPECIALTIES:
                up = upcoder[mine]
                upcoded = np.concatenate(
                    [0.1 * UPCODED_NEW_LEVELS, 0.9 * np.array(self.rates.upcoded_levels)]
                )
                choice[up] = rng.choice(len(codes), size=int(up.sum()), p=upcoded)
            parts.append(
                self.line_frame(
                    mine,
                    np.array(codes)[choice],
                    np.array(low)[choice],
                    np.array(high)[choice],
                    specialty,
                )
            )
            for code, probability, lo, hi in specialty.extras:
                has = mine[rng.random(len(mine)) < probability]
                parts.append(
                    self.line_frame(
                        has,
                        np.full(len(has), code),
                        np.full(len(has), lo),
                        np.full(len(has), hi),
                        specialty,
                    )
                )
        lines = pd.concat(parts, ignore_index=True)
        lines = lines.drop_duplicates(["visit", "procedure_code"])
        return self.finish_lines(lines, visits)

    def line_frame(
        self,
        visit_index: np.ndarray,
        codes: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        specialty: Specialty,
    ) -> pd.DataFrame:
        rng = self.rng
        diagnoses = np.array(specialty.diagnoses)
        first = rng.integers(0, len(diagnoses), len(visit_index))
        second = (first + 1) % len(diagnoses)
        two = rng.random(len(visit_index)) < 0.3
        diagnosis = np.where(
            two,
            np.char.add(np.char.add(diagnoses[first], "|"), diagnoses[second]),
            diagnoses[first],
        )
        return pd.DataFrame(
            {
                "visit": visit_index,
                "procedure_code": codes,
                "units": rng.integers(low, high + 1),
                "diagnosis_codes": diagnosis,
                "place_of_service": specialty.place_of_service,
            }
        )

    def finish_lines(self, lines: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        # Therapy visits with an activity or evaluation code bill the pair correctly with 59.
        pt_bundle = lines.loc[lines["procedure_code"].isin(["97530", "97161"]), "visit"]
        needs_59 = lines["visit"].isin(pt_bundle) & lines["procedure_code"].isin(["97140", "97110"])
        lines["modifiers"] = np.where(needs_59, "59", "")
        visit = visits.iloc[lines["visit"].to_numpy()]
        provider = self.providers.iloc[visit["provider"].to_numpy()]
        patient = self.patients.iloc[visit["patient"].to_numpy()]
        fee = lines["procedure_code"].map(FEES).to_numpy(dtype=float)
        amount = fee * provider["fee_factor"].to_numpy() * rng.lognormal(0, 0.06, len(lines))
        out = pd.DataFrame(
            {
                "claim_id": visit["claim_id"].to_numpy(),
                "patient_id": patient["patient_id"].to_numpy(),
                "patient_birth_date": patient["patient_birth_date"].to_numpy(),
                "patient_sex": patient["patient_sex"].to_numpy(),
                "patient_death_date": patient["patient_death_date"].to_numpy(),
                "provider_id": provider["provider_id"].to_numpy(),
                "provider_specialty": provider["specialty"].to_numpy(),
                "payer_id": patient["payer_id"].to_numpy(),
                "service_date": visit["service_date"].to_numpy(),
                "procedure_code": lines["procedure_code"].to_numpy(),
                "modifiers": lines["modifiers"].to_numpy(),
                "diagnosis_codes": lines["diagnosis_codes"].to_numpy(),
                "units": lines["units"].to_numpy().astype("int64"),
                "billed_amount": np.round(amount * lines["units"].to_numpy(), 2),
                "place_of_service": lines["place_of_service"].to_numpy(),
                "upcoder": provider["upcoder"].to_numpy(),
                "day_label": visit["day_label"].to_numpy(),
            }
        )
        out = out.sort_values(["claim_id"], kind="stable").reset_index(drop=True)
        out["line_number"] = out.groupby("claim_id").cumcount() + 1
        return out

    def label(self, claim_ids, pattern: str) -> None:
        self.labels.append(pd.DataFrame({"claim_id": np.asarray(claim_ids), "pattern": pattern}))

    def label_generated(self, lines: pd.DataFrame) -> None:
        for pattern in ("impossible_day", "volume"):
            day_lines = lines.loc[lines["day_label"] == pattern, ["provider_id", "service_date"]]
            days = day_lines.drop_duplicates()
            on_day = lines.merge(days, on=["provider_id", "service_date"])["claim_id"].unique()
            self.label(on_day, pattern)
        upcoded = lines.loc[lines["upcoder"] & lines["procedure_code"].isin(HIGH_LEVEL_VISIT_CODES)]
        self.label(upcoded["claim_id"].unique(), "upcoding")

    def pick_claims(self, lines: pd.DataFrame, rate: float, mask=None) -> np.ndarray:
        claims = (
            lines.loc[mask, "claim_id"].unique() if mask is not None else lines["claim_id"].unique()
        )
        count = min(len(claims), max(1, round(rate * lines["claim_id"].nunique())))
        return self.rng.choice(claims, size=count, replace=False)

    def inject_after_death(self, lines: pd.DataFrame) -> pd.DataFrame:
        deceased = self.patients.dropna(subset=["patient_death_date"]).sort_values(
            "patient_death_date"
        )
        first_death = deceased["patient_death_date"].min()
        claims = self.pick_claims(
            lines,
            self.rates.after_death,
            lines["service_date"] > first_death + pd.Timedelta(days=7),
        )
        service = (
            lines.drop_duplicates("claim_id").set_index("claim_id").loc[claims, "service_date"]
        )
        eligible = np.searchsorted(deceased["patient_death_date"].to_numpy(), service.to_numpy())
        pick = (self.rng.random(len(claims)) * eligible).astype(int)
        chosen = deceased.iloc[pick].set_index(pd.Index(claims, name="claim_id"))
        rows = lines["claim_id"].isin(claims)
        for column in (
            "patient_id",
            "patient_birth_date",
            "patient_sex",
            "patient_death_date",
            "payer_id",
        ):
            lines.loc[rows, column] = lines.loc[rows, "claim_id"].map(chosen[column]).to_numpy()
        self.label(claims, "after_death")
        return lines

    def inject_mue(self, lines: pd.DataFrame) -> pd.DataFrame:
        limits = dict(DEFAULT_MUE)
        candidates = np.flatnonzero(lines["procedure_code"].isin(limits).to_numpy())
        count = max(1, round(self.rates.mue * len(lines)))
        rows = self.rng.choice(candidates, size=count, replace=False)
        limit = lines["procedure_code"].iloc[rows].map(limits).to_numpy()
        new_units = limit + self.rng.integers(1, 4, count)
        per_unit = lines["billed_amount"].to_numpy()[rows] / lines["units"].to_numpy()[rows]
        lines.loc[lines.index[rows], "units"] = new_units
        lines.loc[lines.index[rows], "billed_amount"] = np.round(per_unit * new_units, 2)
        self.label(lines["claim_id"].to_numpy()[rows], "mue")
        return lines

    def inject_amount(self, lines: pd.DataFrame) -> pd.DataFrame:
        count = max(1, round(self.rates.amount * len(lines)))
        rows = self.rng.choice(len(lines), size=count, replace=False)
        factor = self.rng.uniform(*self.rates.amount_multiplier, count)
        lines.loc[lines.index[rows], "billed_amount"] = np.round(
            lines["billed_amount"].to_numpy()[rows] * factor, 2
        )
        self.label(lines["claim_id"].to_numpy()[rows], "amount")
        return lines

    def inject_unbundling(self, lines: pd.DataFrame) -> pd.DataFrame:
        claims = self.pick_claims(lines, self.rates.unbundling)
        heads = lines.drop_duplicates("claim_id").set_index("claim_id").loc[claims].reset_index()
        pair_index = self.rng.integers(0, 3, len(heads))
        added = []
        for position, column in enumerate(("column1", "column2")):
            codes = [
                UNBUNDLED_PAIRS[s][i % len(UNBUNDLED_PAIRS[s])][position]
                for s, i in zip(heads["provider_specialty"], pair_index, strict=True)
            ]
            extra = heads.copy()
            extra["procedure_code"] = codes
            extra["modifiers"] = ""
            extra["units"] = 1
            fee = extra["procedure_code"].map(FEES).to_numpy(dtype=float)
            extra["billed_amount"] = np.round(fee * self.rng.lognormal(0, 0.06, len(extra)), 2)
            extra["line_number"] = 100 + position
            added.append(extra)
            del column
        lines = pd.concat([lines, *added], ignore_index=True)
        # Keep one line per code in a claim: an existing line of the pair loses its modifier.
        lines = lines.drop_duplicates(["claim_id", "procedure_code"], keep="last")
        self.label(claims, "unbundling")
        return lines

    def inject_duplicates(self, lines: pd.DataFrame) -> pd.DataFrame:
        claims = self.pick_claims(lines, self.rates.duplicate)
        copies = lines.loc[lines["claim_id"].isin(claims)].copy()
        last = int(lines["claim_id"].str[1:].astype(int).max())
        new_ids = {old: f"C{last + i:09d}" for i, old in enumerate(sorted(claims), start=1)}
        copies["claim_id"] = copies["claim_id"].map(new_ids)
        self.label(list(new_ids.values()), "duplicate")
        return pd.concat([lines, copies], ignore_index=True)

    def build(self) -> Synthetic:
        lines = self.make_lines(self.make_visits())
        self.label_generated(lines)
        lines = self.inject_unbundling(lines)
        lines = lines.sort_values(["claim_id", "line_number"], kind="stable").reset_index(drop=True)
        lines["line_number"] = lines.groupby("claim_id").cumcount() + 1
        lines = self.inject_after_death(lines)
        lines = self.inject_mue(lines)
        lines = self.inject_amount(lines)
        lines = self.inject_duplicates(lines)
        labels = pd.concat(self.labels, ignore_index=True).drop_duplicates()
        lines = lines[CLAIMS_HEADER].reset_index(drop=True)
        for column in ("patient_birth_date", "patient_death_date", "service_date"):
            lines[column] = pd.to_datetime(lines[column])
        lines["units"] = lines["units"].astype("int64")
        lines["billed_amount"] = lines["billed_amount"].astype("float64")
        providers = self.providers[["provider_id", "specialty", "upcoder"]]
        return Synthetic(lines=lines, labels=labels.reset_index(drop=True), providers=providers)


def generate(
    n_providers: int = 150,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    seed: int = 0,
    volume_scale: float = 1.0,
    rates: Rates | None = None,
) -> Synthetic:
    """Claim lines for ``n_providers`` over ``days`` days; ``volume_scale`` scales daily visits
    (150 providers for a year at scale 1 give about a million lines)."""
    return _Builder(n_providers, start, days, seed, volume_scale, rates or Rates()).build()
