import csv
import datetime as dt
import io

from django.core.management import call_command

from fraud import services
from fraud.models import Claim, ClaimScore, DetectorSetting, Flag
from hospops import pipeline
from hospops.models import AuditEvent
from tests.fraud.builders import csv_text


def test_scoring_creates_scores_and_flags(scored):
    assert ClaimScore.objects.count() == Claim.objects.count()
    assert Flag.objects.exists()
    flag = Flag.objects.order_by("-risk_score").first()
    assert flag.risk_score >= 0.5 and flag.claim.score.reasons
    assert flag.top_reason == flag.claim.score.reasons[0]["evidence"][:300]


def test_unchanged_claims_are_not_rescored(scored, small_claims_csv):
    before = dict(ClaimScore.objects.values_list("claim_id", "scored_at"))
    header, first, *rest = small_claims_csv.splitlines()
    changed = first.split(",")
    changed[13] = "2"  # units of the first line of the first claim
    new_claim = rest[0].split(",")
    new_claim[0], new_claim[1] = "NEW-1", "1"
    text = "\n".join([header, ",".join(changed), *rest, ",".join(new_claim)]) + "\n"
    services.import_claims(io.StringIO(text), today=dt.date(2025, 12, 31))
    job = services.run_scoring()
    assert job.counts["claims_scored"] == 2
    after = dict(ClaimScore.objects.values_list("claim_id", "scored_at"))
    rescored = {pk for pk, at in after.items() if before.get(pk) != at}
    assert rescored == set(
        Claim.objects.filter(claim_id__in=[changed[0], "NEW-1"]).values_list("pk", flat=True)
    )
    assert services.run_scoring().counts["claims_scored"] == 0


def test_weight_change_rescores_everything(scored):
    DetectorSetting.objects.filter(detector="amount").update(weight=0.7)
    assert services.run_scoring().counts["claims_scored"] == Claim.objects.count()


def test_nightly_step_is_registered_and_idempotent(imported):
    assert "score_claims" in [step.name for step in pipeline.steps()]
    first = pipeline.execute(pipeline.create_run(dt.date(2025, 12, 31)).pk)
    assert first.status == "succeeded", first.error
    flags = Flag.objects.count()
    second = pipeline.execute(pipeline.create_run(dt.date(2025, 12, 31)).pk)
    step = second.steps.get(name="score_claims")
    assert step.counts["claims_scored"] == 0 and Flag.objects.count() == flags


def test_export_flags_writes_every_scored_claim_highest_first(scored, tmp_path):
    out = tmp_path / "flags.csv"
    call_command("export_flags", "--out", str(out), stdout=io.StringIO())
    with out.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["claim_id", "risk_score", "reasons"]
    risks = [float(row[1]) for row in rows[1:]]
    assert len(risks) == ClaimScore.objects.count()
    assert risks == sorted(risks, reverse=True) and risks[0] > 0.5
    assert rows[1][2] and ": " in rows[1][2]
    assert AuditEvent.objects.filter(action="export", object_type="fraud.ClaimScore").exists()


def test_death_before_service_becomes_a_flag(db):
    services.import_claims(
        io.StringIO(csv_text({"patient_death_date": "2025-01-02"})), today=dt.date(2025, 12, 31)
    )
    services.run_scoring()
    flag = Flag.objects.get()
    assert flag.detectors == ",after_death," and flag.risk_score == 1.0
