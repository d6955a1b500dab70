"""Reference tables the rule detectors read, with sensible defaults for common codes.

The defaults are illustrative values in the spirit of the public CMS NCCI procedure-to-procedure
edits and medically unlikely edits; a site loads its licensed tables with ``import_reference``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

PROCEDURES_HEADER = ["code", "minutes"]
PTP_HEADER = ["column1_code", "column2_code", "modifier_allowed"]
MUE_HEADER = ["code", "max_units"]

# Office visit levels: new patients 99202-99205, established 99211-99215.
NEW_VISIT_CODES = ("99202", "99203", "99204", "99205")
ESTABLISHED_VISIT_CODES = ("99211", "99212", "99213", "99214", "99215")
VISIT_CODES = NEW_VISIT_CODES + ESTABLISHED_VISIT_CODES
HIGH_LEVEL_VISIT_CODES = ("99204", "99205", "99214", "99215")
# Modifiers that lift a procedure-to-procedure edit when the edit allows one.
BYPASS_MODIFIERS = frozenset({"25", "59", "XE", "XP", "XS", "XU"})

# code, typical clinician minutes (None: not time-based), description
DEFAULT_PROCEDURES: tuple[tuple[str, int | None, str], ...] = (
    ("99202", 20, "Office visit, new patient, straightforward"),
    ("99203", 30, "Office visit, new patient, low complexity"),
    ("99204", 45, "Office visit, new patient, moderate complexity"),
    ("99205", 60, "Office visit, new patient, high complexity"),
    ("99211", 5, "Office visit, established patient, minimal"),
    ("99212", 10, "Office visit, established patient, straightforward"),
    ("99213", 20, "Office visit, established patient, low complexity"),
    ("99214", 30, "Office visit, established patient, moderate complexity"),
    ("99215", 40, "Office visit, established patient, high complexity"),
    ("90791", 60, "Psychiatric diagnostic evaluation"),
    ("90832", 30, "Psychotherapy, 30 minutes"),
    ("90834", 45, "Psychotherapy, 45 minutes"),
    ("90837", 60, "Psychotherapy, 60 minutes"),
    ("97110", 15, "Therapeutic exercise, each 15 minutes"),
    ("97112", 15, "Neuromuscular re-education, each 15 minutes"),
    ("97140", 15, "Manual therapy, each 15 minutes"),
    ("97530", 15, "Therapeutic activities, each 15 minutes"),
    ("97161", 20, "Physical therapy evaluation, low complexity"),
    ("97162", 30, "Physical therapy evaluation, moderate complexity"),
    ("97163", 45, "Physical therapy evaluation, high complexity"),
    ("80048", None, "Basic metabolic panel"),
    ("80053", None, "Comprehensive metabolic panel"),
    ("80061", None, "Lipid panel"),
    ("83036", None, "Haemoglobin A1c"),
    ("84443", None, "Thyroid stimulating hormone"),
    ("85025", None, "Complete blood count with differential"),
    ("85027", None, "Complete blood count, automated"),
    ("81001", None, "Urinalysis, automated, with microscopy"),
    ("81003", None, "Urinalysis, automated, without microscopy"),
    ("36415", None, "Venipuncture"),
    ("93000", None, "Electrocardiogram with interpretation and report"),
    ("93005", None, "Electrocardiogram, tracing only"),
    ("93010", None, "Electrocardiogram, interpretation and report only"),
    ("96372", None, "Therapeutic injection, subcutaneous or intramuscular"),
)

# column-1 code, column-2 code, whether a modifier may lift the edit
DEFAULT_PTP: tuple[tuple[str, str, bool], ...] = (
    ("80053", "80048", False),
    ("85025", "85027", False),
    ("81001", "81003", False),
    ("93000", "93005", False),
    ("93000", "93010", False),
    ("90837", "90832", False),
    ("90837", "90834", False),
    ("90834", "90832", False),
    ("97530", "97140", True),
    ("97530", "97110", True),
    ("97161", "97140", True),
    ("97162", "97140", True),
    ("97163", "97140", True),
    ("99213", "96372", True),
    ("99214", "96372", True),
)

# code, maximum units per patient per provider per day
DEFAULT_MUE: tuple[tuple[str, int], ...] = (
    *((code, 1) for code in VISIT_CODES),
    ("90791", 1),
    ("90832", 1),
    ("90834", 1),
    ("90837", 1),
    ("97110", 6),
    ("97112", 6),
    ("97140", 6),
    ("97530", 6),
    ("97161", 1),
    ("97162", 1),
    ("97163", 1),
    ("80048", 1),
    ("80053", 1),
    ("80061", 1),
    ("83036", 2),
    ("84443", 2),
    ("85025", 2),
    ("85027", 2),
    ("81001", 2),
    ("81003", 2),
    ("36415", 2),
    ("93000", 3),
    ("93005", 3),
    ("93010", 3),
    ("96372", 4),
)


@dataclass
class Reference:
    """Reference tables as frames: minutes by code, PTP pairs, MUE limits."""

    minutes: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))
    ptp: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["column1", "column2", "modifier_allowed"])
    )
    mue: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    @classmethod
    def from_rows(
        cls,
        procedures: list[tuple[str, int | None]],
        ptp: list[tuple[str, str, bool]],
        mue: list[tuple[str, int]],
    ) -> Reference:
        minutes = pd.Series(
            {code: float(minutes) for code, minutes in procedures if minutes}, dtype="float64"
        )
        ptp_frame = pd.DataFrame(ptp, columns=["column1", "column2", "modifier_allowed"])
        ptp_frame["modifier_allowed"] = ptp_frame["modifier_allowed"].astype(bool)
        limits = pd.Series(dict(mue), dtype="int64")
        return cls(minutes=minutes, ptp=ptp_frame, mue=limits)

    @classmethod
    def defaults(cls) -> Reference:
        return cls.from_rows(
            [(code, minutes) for code, minutes, _ in DEFAULT_PROCEDURES],
            list(DEFAULT_PTP),
            list(DEFAULT_MUE),
        )
