"""Small hand-made claim lines for detector and import tests."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from fraud.engine.claims import CLAIMS_HEADER

DEFAULT_LINE = {
    "claim_id": "C1",
    "line_number": 1,
    "patient_id": "P1",
    "patient_birth_date": "1960-05-01",
    "patient_sex": "F",
    "patient_death_date": "",
    "provider_id": "1000000001",
    "provider_specialty": "Family Medicine",
    "payer_id": "PAYER01",
    "service_date": "2025-03-03",
    "procedure_code": "99213",
    "modifiers": "",
    "diagnosis_codes": "I10",
    "units": 1,
    "billed_amount": 95.0,
    "place_of_service": "11",
}
TODAY = dt.date(2025, 12, 31)


def lines(*rows: dict) -> pd.DataFrame:
    """Typed claim lines (as parse_claims returns them) from partial rows."""
    frame = pd.DataFrame([{**DEFAULT_LINE, **row} for row in rows])[CLAIMS_HEADER]
    for column in ("patient_birth_date", "patient_death_date", "service_date"):
        frame[column] = pd.to_datetime(frame[column].replace("", None))
    frame["units"] = frame["units"].astype("int64")
    frame["billed_amount"] = frame["billed_amount"].astype("float64")
    frame["line_number"] = frame["line_number"].astype("int64")
    return frame


def csv_text(*rows: dict, header: str | None = None) -> str:
    out = io.StringIO()
    out.write((header or ",".join(CLAIMS_HEADER)) + "\n")
    for row in rows:
        values = {**DEFAULT_LINE, **row}
        out.write(",".join(str(values[name]) for name in CLAIMS_HEADER) + "\n")
    return out.getvalue()
