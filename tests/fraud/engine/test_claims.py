import io

import pytest

from fraud.engine.claims import CLAIMS_HEADER, ClaimsFileError, parse_claims
from tests.fraud.builders import TODAY, csv_text


def parse(text: str):
    return parse_claims(io.StringIO(text), TODAY)


def errors_of(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(ClaimsFileError) as caught:
        parse(text)
    return [(e.row, e.field, e.message) for e in caught.value.errors]


def test_valid_file_is_typed():
    lines = parse(
        csv_text(
            {"modifiers": "25|59", "diagnosis_codes": "I10|E11.9"},
            {"line_number": 2, "procedure_code": "36415", "billed_amount": "4.10"},
        )
    )
    assert len(lines) == 2
    assert lines["units"].dtype == "int64"
    assert lines["billed_amount"].tolist() == [95.0, 4.1]
    assert lines["patient_death_date"].isna().all()


def test_death_before_service_is_not_an_import_error():
    lines = parse(csv_text({"patient_death_date": "2025-01-01", "service_date": "2025-03-03"}))
    assert len(lines) == 1


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ({"procedure_code": "9921"}, "procedure_code", "malformed procedure code"),
        ({"modifiers": "5"}, "modifiers", "malformed modifiers"),
        ({"diagnosis_codes": "10I"}, "diagnosis_codes", "malformed diagnosis codes"),
        ({"service_date": "2025-13-01"}, "service_date", "malformed date"),
        ({"patient_birth_date": "03/05/1960"}, "patient_birth_date", "malformed date"),
        ({"patient_death_date": "yesterday"}, "patient_death_date", "malformed date"),
        ({"billed_amount": "-5.00"}, "billed_amount", "negative amount"),
        ({"billed_amount": "ten"}, "billed_amount", "not a decimal amount"),
        ({"service_date": "2026-01-05"}, "service_date", "service in the future"),
        ({"units": "0"}, "units", "must be positive"),
        ({"units": "-2"}, "units", "must be positive"),
        ({"units": "1.5"}, "units", "not an integer"),
        ({"patient_sex": "X"}, "patient_sex", "must be F, M or U"),
        ({"claim_id": ""}, "claim_id", "is required"),
        ({"line_number": "0"}, "line_number", "not a positive integer"),
    ],
)
def test_each_bad_value_is_reported_with_row_and_field(row, field, fragment):
    found = errors_of(csv_text({}, {"claim_id": "C2", **row}))
    assert [(r, f) for r, f, _ in found] == [(3, field)]
    assert fragment in found[0][2]


def test_every_bad_row_is_reported_not_just_the_first():
    found = errors_of(
        csv_text(
            {"units": "0"},
            {"claim_id": "C2"},
            {"claim_id": "C3", "billed_amount": "-1"},
            {"claim_id": "C4", "procedure_code": "ABC"},
        )
    )
    assert [(row, field) for row, field, _ in found] == [
        (2, "units"),
        (4, "billed_amount"),
        (5, "procedure_code"),
    ]


def test_unknown_field_in_header_is_rejected():
    found = errors_of(csv_text({}, header=",".join([*CLAIMS_HEADER, "ssn"])))
    assert found[0][:2] == (1, "header")
    assert "unknown fields ssn" in found[0][2]


def test_row_with_extra_fields_is_rejected():
    text = csv_text({}) + csv_text({"claim_id": "C2"}).splitlines()[1] + ",extra\n"
    found = errors_of(text)
    assert found == [(3, "row", "expected 16 fields, found 17")]


def test_repeated_line_and_conflicting_claim_fields():
    found = errors_of(csv_text({}, {"patient_id": "P2"}, {"line_number": 2, "payer_id": "X"}))
    fields = {(row, field) for row, field, _ in found}
    assert (3, "line_number") in fields
    assert (2, "patient_id") in fields and (4, "payer_id") in fields
