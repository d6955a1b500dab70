"""Reading and validating the claim-line CSV (one row per claim line).

Validation is vectorised over the whole file and reports every bad row with its file row number
(the header is row 1), the field and the reason. A service after the patient's death is not an
import error: it is a finding for the detectors.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

CLAIMS_HEADER = [
    "claim_id",
    "line_number",
    "patient_id",
    "patient_birth_date",
    "patient_sex",
    "patient_death_date",
    "provider_id",
    "provider_specialty",
    "payer_id",
    "service_date",
    "procedure_code",
    "modifiers",
    "diagnosis_codes",
    "units",
    "billed_amount",
    "place_of_service",
]

SEXES = ("F", "M", "U")
# CPT (five digits, or four digits and a letter for category II/III) or HCPCS level II.
PROCEDURE_CODE_PATTERN = r"\d{4}[0-9A-Z]|[A-Z]\d{4}"
MODIFIER_PATTERN = r"[0-9A-Z]{2}"
DIAGNOSIS_PATTERN = r"[A-Z]\d[0-9A-Z](\.?[0-9A-Z]{1,4})?"
MODIFIERS_PATTERN = rf"({MODIFIER_PATTERN})(\|{MODIFIER_PATTERN})*"
DIAGNOSES_PATTERN = rf"({DIAGNOSIS_PATTERN})(\|{DIAGNOSIS_PATTERN})*"
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
AMOUNT_PATTERN = r"-?\d{1,9}(\.\d{1,2})?"
IDENTIFIER_MAX_LENGTH = 64
# Fields that describe the claim as a whole and must agree on all its lines.
CLAIM_LEVEL_FIELDS = ("patient_id", "provider_id", "payer_id")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


class ClaimsFileError(ValueError):
    """The file cannot be imported; ``errors`` lists every bad row."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(str(error) for error in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the claims file:\n{shown}{more}")


def read_rows(text_lines: Iterable[str], header: list[str]) -> tuple[pd.DataFrame, list[RowError]]:
    """Read a CSV into a frame of strings with a ``row`` column; check header and field counts.

    The pandas C parser does the work; when it rejects a row (too many fields) the file is read
    again with the csv module to report every such row by number."""
    if isinstance(text_lines, io.TextIOBase):
        stream = text_lines
    else:
        stream = io.StringIO(
            "".join(line if line.endswith("\n") else line + "\n" for line in text_lines)
        )
    first = stream.readline()
    found = next(csv.reader([first]), None) if first.strip() else None
    if found is None:
        return pd.DataFrame(columns=[*header, "row"]), [RowError(1, "header", "the file is empty")]
    found = [name.strip().lstrip("\ufeff") for name in found]
    if found != header:
        unknown = [name for name in found if name not in header]
        missing = [name for name in header if name not in found]
        detail = []
        if unknown:
            detail.append(f"unknown fields {', '.join(unknown)}")
        if missing:
            detail.append(f"missing fields {', '.join(missing)}")
        if not detail:
            detail.append("fields out of order")
        message = f"{'; '.join(detail)}; expected exactly: {','.join(header)}"
        return pd.DataFrame(columns=[*header, "row"]), [RowError(1, "header", message)]
    body = stream.read()
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            header=None,
            names=header,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError:
        return read_rows_slowly(body, header)
    frame["row"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    missing = frame[header].isna()
    blank = missing.iloc[:, 1:].all(axis=1) & frame[header[0]].fillna("").eq("")
    short = missing.any(axis=1) & ~blank
    errors = [
        RowError(int(row), "row", f"expected {len(header)} fields, found fewer")
        for row in frame.loc[short, "row"]
    ]
    frame = frame.loc[~blank & ~short].reset_index(drop=True)
    return frame, errors


def read_rows_slowly(body: str, header: list[str]) -> tuple[pd.DataFrame, list[RowError]]:
    errors: list[RowError] = []
    records: list[list[str]] = []
    rows: list[int] = []
    width = len(header)
    for row_number, record in enumerate(csv.reader(io.StringIO(body)), start=2):
        if not record:
            continue
        if len(record) != width:
            errors.append(
                RowError(row_number, "row", f"expected {width} fields, found {len(record)}")
            )
            continue
        records.append(record)
        rows.append(row_number)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame["row"] = np.asarray(rows, dtype=np.int64)
    return frame, errors


def on_uniques(column: pd.Series, function) -> np.ndarray:
    """Apply a vectorised check to the distinct values only (codes, dates repeat a lot)."""
    codes, uniques = pd.factorize(column)
    values = function(pd.Series(uniques, dtype=object))
    return np.asarray(values)[codes]


class _Checker:
    """Collects errors for rows failing a vectorised condition."""

    def __init__(self, frame: pd.DataFrame, errors: list[RowError]) -> None:
        self.frame = frame
        self.errors = errors

    def fail(self, bad, field: str, message) -> None:
        bad = np.asarray(pd.Series(bad).fillna(False), dtype=bool)
        if not bad.any():
            return
        subset = self.frame.loc[bad]
        for row, value in zip(subset["row"], subset[field], strict=True):
            text = message(value) if callable(message) else message
            self.errors.append(RowError(int(row), field, text))

    def require(self, field: str) -> None:
        self.fail(self.frame[field] == "", field, "is required")

    def pattern(self, field: str, pattern: str, what: str) -> None:
        column = self.frame[field]
        bad = on_uniques(column, lambda u: ~u.str.fullmatch(pattern) & (u != ""))
        self.fail(bad, field, lambda value: f"malformed {what} {value!r}")

    def date(self, field: str, optional: bool = False) -> pd.Series:
        column = self.frame[field]
        codes, uniques = pd.factorize(column)
        parsed_uniques = pd.to_datetime(
            pd.Series(uniques, dtype=object).where(
                pd.Series(uniques, dtype=object).str.fullmatch(DATE_PATTERN)
            ),
            format="%Y-%m-%d",
            errors="coerce",
        )
        parsed = pd.Series(parsed_uniques.to_numpy()[codes], index=column.index)
        bad = parsed.isna() & (column != "")
        self.fail(bad, field, lambda value: f"malformed date {value!r} (expected YYYY-MM-DD)")
        if not optional:
            self.require(field)
        return parsed


def validate(frame: pd.DataFrame, today: dt.date) -> tuple[pd.DataFrame, list[RowError]]:
    """Check every row; return the typed frame of claim lines and the list of errors."""
    errors: list[RowError] = []
    check = _Checker(frame, errors)
    for field in ("claim_id", "patient_id", "provider_id", "provider_specialty", "payer_id"):
        check.require(field)
        check.fail(
            frame[field].str.len() > IDENTIFIER_MAX_LENGTH,
            field,
            f"longer than {IDENTIFIER_MAX_LENGTH} characters",
        )
    for field in ("line_number", "procedure_code", "units", "billed_amount", "patient_sex"):
        check.require(field)

    line_number = pd.to_numeric(frame["line_number"], errors="coerce")
    check.fail(
        frame["line_number"].ne("") & ~((line_number > 0) & (line_number % 1 == 0)),
        "line_number",
        lambda value: f"not a positive integer: {value!r}",
    )
    check.fail(
        on_uniques(frame["patient_sex"], lambda u: ~u.isin(SEXES) & (u != "")),
        "patient_sex",
        lambda value: f"must be F, M or U, not {value!r}",
    )
    check.pattern("procedure_code", PROCEDURE_CODE_PATTERN, "procedure code")
    check.pattern("modifiers", MODIFIERS_PATTERN, "modifiers")
    check.pattern("diagnosis_codes", DIAGNOSES_PATTERN, "diagnosis codes")

    units = pd.to_numeric(frame["units"], errors="coerce")
    integral = (units % 1 == 0) & units.notna()
    check.fail(
        frame["units"].ne("") & ~integral, "units", lambda value: f"not an integer: {value!r}"
    )
    check.fail(integral & (units <= 0), "units", lambda value: f"must be positive, not {value}")

    amount = pd.to_numeric(frame["billed_amount"], errors="coerce")
    amount_ok = amount.notna() & np.isfinite(amount)
    check.fail(
        frame["billed_amount"].ne("") & ~amount_ok,
        "billed_amount",
        lambda value: f"not a decimal amount: {value!r}",
    )
    check.fail(amount_ok & (amount < 0), "billed_amount", lambda value: f"negative amount {value}")

    birth = check.date("patient_birth_date")
    death = check.date("patient_death_date", optional=True)
    service = check.date("service_date")
    today_ts = pd.Timestamp(today)
    check.fail(service > today_ts, "service_date", lambda value: f"service in the future ({value})")
    check.fail(
        service < birth,
        "service_date",
        lambda value: f"service ({value}) before the patient's birth date",
    )
    check.fail(
        birth > today_ts, "patient_birth_date", lambda value: f"birth date in the future ({value})"
    )

    repeated = frame.duplicated(["claim_id", "line_number"], keep="first") & frame["claim_id"].ne(
        ""
    )
    check.fail(
        repeated, "line_number", lambda value: f"line {value} appears more than once in its claim"
    )
    distinct = frame.drop_duplicates(["claim_id", *CLAIM_LEVEL_FIELDS])
    if distinct["claim_id"].duplicated().any():
        for field in CLAIM_LEVEL_FIELDS:
            per_claim = frame.drop_duplicates(["claim_id", field])
            conflicting = per_claim.loc[per_claim["claim_id"].duplicated(keep=False), "claim_id"]
            check.fail(
                frame["claim_id"].isin(conflicting),
                field,
                "differs between lines of the same claim",
            )

    errors.sort(key=lambda error: (error.row, error.field))
    lines = pd.DataFrame(
        {
            "claim_id": frame["claim_id"],
            "line_number": line_number.fillna(0).astype("int64"),
            "patient_id": frame["patient_id"],
            "patient_birth_date": birth,
            "patient_sex": frame["patient_sex"],
            "patient_death_date": death,
            "provider_id": frame["provider_id"],
            "provider_specialty": frame["provider_specialty"],
            "payer_id": frame["payer_id"],
            "service_date": service,
            "procedure_code": frame["procedure_code"],
            "modifiers": frame["modifiers"],
            "diagnosis_codes": frame["diagnosis_codes"],
            "units": units.fillna(0).astype("int64"),
            "billed_amount": amount.fillna(0.0).round(2).astype("float64"),
            "place_of_service": frame["place_of_service"],
        }
    )
    return lines.reset_index(drop=True), errors


def parse_claims(source: str | io.TextIOBase | Iterable[str], today: dt.date) -> pd.DataFrame:
    """Parse and validate a claims CSV (path, text stream or lines); raise on any bad row."""
    if isinstance(source, str):
        with open(source, newline="", encoding="utf-8-sig") as handle:
            frame, errors = read_rows(handle, CLAIMS_HEADER)
    else:
        frame, errors = read_rows(source, CLAIMS_HEADER)
    if errors and errors[0].row == 1:
        raise ClaimsFileError(errors)
    lines, row_errors = validate(frame, today)
    errors = sorted(errors + row_errors, key=lambda error: (error.row, error.field))
    if errors:
        raise ClaimsFileError(errors)
    return lines


def write_claims(lines: pd.DataFrame, path_or_buffer) -> None:
    """Write claim lines in the import format (dates ISO, amounts with two decimals)."""
    out = lines[CLAIMS_HEADER].copy()
    for field in ("patient_birth_date", "patient_death_date", "service_date"):
        out[field] = out[field].dt.strftime("%Y-%m-%d").fillna("")
    out["billed_amount"] = out["billed_amount"].map("{:.2f}".format)
    out.to_csv(path_or_buffer, index=False)
