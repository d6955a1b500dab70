import datetime as dt
import io
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fraud import services
from fraud.engine.claims import ClaimsFileError
from fraud.models import Claim, ClaimLine, MueLimit, Patient, ProcedureCode, Provider, PtpEdit
from hospops.models import AuditEvent
from tests.fraud.builders import csv_text

TODAY = dt.date(2025, 12, 31)
RAW_PATIENT = "MRN-00424242"


def import_text(text: str):
    return services.import_claims(io.StringIO(text), today=TODAY)


def test_import_creates_claims_lines_and_pseudonymous_patients(db):
    result = import_text(
        csv_text(
            {"patient_id": RAW_PATIENT},
            {
                "line_number": 2,
                "patient_id": RAW_PATIENT,
                "procedure_code": "36415",
                "billed_amount": "4.00",
            },
            {"claim_id": "C2", "patient_id": "MRN-2", "patient_death_date": "2025-01-01"},
        )
    )
    assert (result.claims_created, result.lines) == (2, 3)
    claim = Claim.objects.get(claim_id="C1")
    assert claim.line_count == 2 and str(claim.total_billed) == "99.00"
    assert Patient.objects.count() == 2
    assert Patient.objects.get(claims__claim_id="C2").death_date == dt.date(2025, 1, 1)


def test_raw_patient_ids_are_never_stored_nor_logged(db, caplog, small_claims_csv):
    caplog.set_level(logging.DEBUG)
    import_text(csv_text({"patient_id": RAW_PATIENT}))
    services.run_scoring()
    call_command("export_flags", "--out", "/dev/null")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert RAW_PATIENT not in repr(row), table
    assert RAW_PATIENT not in caplog.text
    assert Patient.objects.get().key != RAW_PATIENT and len(Patient.objects.get().key) == 64


def test_bad_file_imports_nothing_and_lists_every_bad_row(db):
    text = csv_text(
        {},
        {"claim_id": "C2", "units": "0"},
        {"claim_id": "C3"},
        {"claim_id": "C4", "service_date": "2026-02-01"},
    )
    with pytest.raises(ClaimsFileError) as caught:
        import_text(text)
    assert [(e.row, e.field) for e in caught.value.errors] == [(3, "units"), (5, "service_date")]
    assert Claim.objects.count() == 0 and Provider.objects.count() == 0


def test_same_file_twice_changes_nothing(imported, small_claims_csv):
    before = list(Claim.objects.order_by("pk").values_list("pk", "content_hash", "updated_at"))
    lines_before = list(ClaimLine.objects.order_by("pk").values_list("pk", flat=True))
    again = services.import_claims(io.StringIO(small_claims_csv), today=TODAY)
    assert again.claims_created == again.claims_updated == 0
    assert again.claims_unchanged == imported.claims_created
    assert (
        list(Claim.objects.order_by("pk").values_list("pk", "content_hash", "updated_at")) == before
    )
    assert list(ClaimLine.objects.order_by("pk").values_list("pk", flat=True)) == lines_before


def test_changed_claim_is_replaced(db):
    import_text(csv_text({}, {"claim_id": "C2", "patient_id": "P2"}))
    result = import_text(
        csv_text({"units": 2, "billed_amount": "190.00"}, {"claim_id": "C2", "patient_id": "P2"})
    )
    assert (result.claims_updated, result.claims_unchanged) == (1, 1)
    line = ClaimLine.objects.get(claim__claim_id="C1")
    assert line.units == 2 and str(line.billed_amount) == "190.00"


def test_import_claims_command_reports_errors_and_audits(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text({"billed_amount": "-3"}))
    with pytest.raises(CommandError, match="row 2: billed_amount: negative amount"):
        call_command("import_claims", str(bad))
    good = tmp_path / "good.csv"
    good.write_text(csv_text({}))
    call_command("import_claims", str(good), stdout=io.StringIO())
    assert Claim.objects.count() == 1
    assert AuditEvent.objects.filter(action="import", object_type="fraud.Claim").exists()


def test_default_reference_data_is_loaded(db):
    assert ProcedureCode.objects.get(code="90837").minutes == 60
    assert ProcedureCode.objects.filter(code__in=[f"992{n}" for n in range(11, 16)]).count() == 5
    assert PtpEdit.objects.filter(column1="80053", column2="80048").exists()
    assert MueLimit.objects.get(code="99213").max_units == 1


def test_import_reference_upserts_and_is_idempotent(db, tmp_path):
    path = tmp_path / "mue.csv"
    path.write_text("code,max_units\n99213,2\nG0439,1\n")
    out = io.StringIO()
    call_command("import_reference", "mue", str(path), stdout=out)
    assert "'created': 1, 'updated': 1" in out.getvalue()
    assert MueLimit.objects.get(code="99213").max_units == 2
    assert services.import_reference("mue", str(path)) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("procedures", "code,minutes\n9921X3,10\n", "row 2: code: malformed procedure code"),
        ("procedures", "code,minutes\n99213,ten\n", "row 2: minutes: expected an integer"),
        (
            "ptp",
            "column1_code,column2_code,modifier_allowed\n80053,80048,2\n",
            "row 2: modifier_allowed: expected one of 0, 1",
        ),
        ("mue", "code,max_units\n99213,0\n", "row 2: max_units: expected an integer >= 1"),
        ("mue", "code,limit\n99213,1\n", "row 1: header"),
    ],
)
def test_import_reference_errors(db, kind, text, expected):
    with pytest.raises(ClaimsFileError, match=expected):
        services.import_reference(kind, io.StringIO(text))
