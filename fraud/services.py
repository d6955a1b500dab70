"""Writes: claim and reference imports, scoring, flag decisions. Each runs in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import pickle
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from hospops import jobs
from hospops.models import JobRun
from hospops.privacy import pseudonymise

from . import selectors
from .engine import scoring
from .engine.claims import ClaimsFileError, RowError, parse_claims, read_rows
from .engine.reference import MUE_HEADER, PROCEDURES_HEADER, PTP_HEADER
from .models import (
    Claim,
    ClaimLine,
    ClaimScore,
    DetectorSetting,
    Flag,
    FlagDecision,
    MueLimit,
    Patient,
    Payer,
    ProcedureCode,
    Provider,
    PtpEdit,
    ScoringBaseline,
    ScoringSettings,
)

logger = logging.getLogger(__name__)
BATCH = 5000
IN_CHUNK = 900  # ids per IN (...) clause, under SQLite's variable limit on old builds


def chunked(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def text_stream(source) -> io.TextIOBase:
    """A text stream over a path, an uploaded file or a text/binary stream."""
    if isinstance(source, str):
        return open(source, newline="", encoding="utf-8-sig")  # noqa: SIM115 - caller closes
    if hasattr(source, "seek"):
        source.seek(0)
    if isinstance(source, io.TextIOBase):
        return source
    return io.TextIOWrapper(source, encoding="utf-8-sig", newline="")


# --- claims import ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    lines: int
    claims_created: int
    claims_updated: int
    claims_unchanged: int

    def as_counts(self) -> dict:
        return self.__dict__.copy()


def claim_hashes(lines: pd.DataFrame) -> pd.Series:
    """Content hash per claim: a 64-bit hash per line (position included), summed per claim."""
    columns = [c for c in lines.columns if c not in {"claim_id", "row"}]
    row_hash = pd.util.hash_pandas_object(lines[columns], index=False).to_numpy(np.uint64)
    order = np.argsort(lines["claim_id"].to_numpy(), kind="stable")
    claim_ids = lines["claim_id"].to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, claim_ids[1:] != claim_ids[:-1]])
    with np.errstate(over="ignore"):
        sums = np.add.reduceat(row_hash[order], starts)
    return pd.Series([f"{value:016x}" for value in sums], index=claim_ids[starts])


def import_claims(source, user=None, today: dt.date | None = None) -> ImportResult:
    """Import a claims CSV atomically. Raises ClaimsFileError listing every bad row. Claims
    already imported with the same content are left untouched; changed ones are replaced."""
    today = today or timezone.localdate()
    stream = text_stream(source)
    try:
        lines = parse_claims(stream, today)
    finally:
        if isinstance(source, str):
            stream.close()
    raw_ids = lines.pop("patient_id")
    keys = {raw: pseudonymise(raw) for raw in raw_ids.unique()}
    lines.insert(2, "patient_key", raw_ids.map(keys))
    del raw_ids, keys
    hashes = claim_hashes(lines)
    with transaction.atomic():
        result = write_claims(lines, hashes)
    if result.claims_created or result.claims_updated:
        refresh_statistics(Claim, ClaimLine, Patient)
    logger.info(
        "claims import: %s lines, %s new, %s changed, %s unchanged claims",
        result.lines,
        result.claims_created,
        result.claims_updated,
        result.claims_unchanged,
    )
    return result


def upsert_providers(lines: pd.DataFrame) -> dict[str, int]:
    wanted = lines.drop_duplicates("provider_id", keep="last").set_index("provider_id")[
        "provider_specialty"
    ]
    existing = {p.provider_id: p for p in Provider.objects.all()}
    new = [
        Provider(provider_id=pid, specialty=s) for pid, s in wanted.items() if pid not in existing
    ]
    Provider.objects.bulk_create(new, batch_size=BATCH)
    changed = []
    for pid, specialty in wanted.items():
        provider = existing.get(pid)
        if provider is not None and provider.specialty != specialty:
            provider.specialty = specialty
            changed.append(provider)
    Provider.objects.bulk_update(changed, ["specialty"], batch_size=BATCH)
    return dict(Provider.objects.values_list("provider_id", "pk"))


def upsert_payers(lines: pd.DataFrame) -> dict[str, int]:
    existing = set(Payer.objects.values_list("payer_id", flat=True))
    new = [Payer(payer_id=pid) for pid in lines["payer_id"].unique() if pid not in existing]
    Payer.objects.bulk_create(new, batch_size=BATCH)
    return dict(Payer.objects.values_list("payer_id", "pk"))


def upsert_patients(lines: pd.DataFrame) -> dict[str, int]:
    latest = lines.drop_duplicates("patient_key", keep="last")
    wanted = {
        key: (birth.date(), sex, None if pd.isna(death) else death.date())
        for key, birth, sex, death in zip(
            latest["patient_key"],
            latest["patient_birth_date"],
            latest["patient_sex"],
            latest["patient_death_date"],
            strict=True,
        )
    }
    existing: dict[str, Patient] = {}
    for keys in chunked(list(wanted)):
        existing.update({p.key: p for p in Patient.objects.filter(key__in=keys)})
    new, changed = [], []
    for key, (birth, sex, death) in wanted.items():
        patient = existing.get(key)
        if patient is None:
            new.append(Patient(key=key, birth_date=birth, sex=sex, death_date=death))
        elif (patient.birth_date, patient.sex, patient.death_date) != (birth, sex, death):
            patient.birth_date, patient.sex, patient.death_date = birth, sex, death
            changed.append(patient)
    Patient.objects.bulk_create(new, batch_size=BATCH)
    Patient.objects.bulk_update(changed, ["birth_date", "sex", "death_date"], batch_size=BATCH)
    ids = {p.key: p.pk for p in new}
    ids.update({key: p.pk for key, p in existing.items()})
    return ids


def write_claims(lines: pd.DataFrame, hashes: pd.Series) -> ImportResult:
    providers, payers = upsert_providers(lines), upsert_payers(lines)
    patients = upsert_patients(lines)
    heads = lines.groupby("claim_id", sort=False).agg(
        patient_key=("patient_key", "first"),
        provider_id=("provider_id", "first"),
        payer_id=("payer_id", "first"),
        service_date=("service_date", "min"),
        total=("billed_amount", "sum"),
        line_count=("line_number", "size"),
    )
    heads["content_hash"] = hashes.reindex(heads.index)
    existing: dict[str, tuple[int, str]] = {}
    for claim_ids in chunked(heads.index.tolist()):
        for pk, claim_id, content_hash in Claim.objects.filter(claim_id__in=claim_ids).values_list(
            "pk", "claim_id", "content_hash"
        ):
            existing[claim_id] = (pk, content_hash)
    now = timezone.now()

    def build(claim_id: str, row) -> Claim:
        return Claim(
            claim_id=claim_id,
            patient_id=patients[row.patient_key],
            provider_id=providers[row.provider_id],
            payer_id=payers[row.payer_id],
            service_date=row.service_date.date(),
            total_billed=f"{row.total:.2f}",
            line_count=row.line_count,
            content_hash=row.content_hash,
            imported_at=now,
            updated_at=now,
        )

    new_claims, changed_claims = [], []
    for row in heads.itertuples():
        known = existing.get(row.Index)
        if known is None:
            new_claims.append(build(row.Index, row))
        elif known[1] != row.content_hash:
            claim = build(row.Index, row)
            claim.pk = known[0]
            changed_claims.append(claim)
    Claim.objects.bulk_create(new_claims, batch_size=BATCH)
    Claim.objects.bulk_update(
        changed_claims,
        [
            "patient",
            "provider",
            "payer",
            "service_date",
            "total_billed",
            "line_count",
            "content_hash",
            "updated_at",
        ],
        batch_size=BATCH,
    )
    for pks in chunked([claim.pk for claim in changed_claims]):
        ClaimLine.objects.filter(claim_id__in=pks).delete()
    claim_pks = {claim.claim_id: claim.pk for claim in new_claims + changed_claims}
    write_lines(lines.loc[lines["claim_id"].isin(claim_pks)], claim_pks)
    return ImportResult(
        lines=len(lines),
        claims_created=len(new_claims),
        claims_updated=len(changed_claims),
        claims_unchanged=len(heads) - len(new_claims) - len(changed_claims),
    )


def write_lines(lines: pd.DataFrame, claim_pks: dict[str, int]) -> None:
    """Insert lines in batches, building model instances one batch at a time (memory)."""
    if lines.empty:
        return
    columns = {
        "claim_id": lines["claim_id"].map(claim_pks).tolist(),
        "line_number": lines["line_number"].tolist(),
        "service_date": lines["service_date"].dt.date.tolist(),
        "procedure_code": lines["procedure_code"].tolist(),
        "modifiers": lines["modifiers"].tolist(),
        "diagnosis_codes": lines["diagnosis_codes"].tolist(),
        "units": lines["units"].tolist(),
        "billed_amount": np.char.mod("%.2f", lines["billed_amount"].to_numpy(dtype=float)).tolist(),
        "place_of_service": lines["place_of_service"].tolist(),
    }
    names = list(columns)
    if connection.vendor == "postgresql":
        copy_rows(ClaimLine, names, zip(*columns.values(), strict=True))
        return
    for start in range(0, len(lines), BATCH):
        batch = zip(*(columns[name][start : start + BATCH] for name in names), strict=True)
        ClaimLine.objects.bulk_create(
            [ClaimLine(**dict(zip(names, values, strict=True))) for values in batch]
        )


def refresh_statistics(*models) -> None:
    """After bulk writes, refresh PostgreSQL's planner statistics at once rather than waiting
    for autovacuum: with stale counts the queue's keyset pages stop using their index."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def copy_rows(model, names: list[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL COPY: several times faster than batched INSERTs for a million lines."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in names
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


# --- reference import ------------------------------------------------------------------------

REFERENCE_HEADERS = {"procedures": PROCEDURES_HEADER, "ptp": PTP_HEADER, "mue": MUE_HEADER}
CODE_PATTERN = r"\d{4}[0-9A-Z]|[A-Z]\d{4}"


def check_code(frame: pd.DataFrame, field: str, errors: list[RowError]) -> None:
    bad = ~frame[field].str.fullmatch(CODE_PATTERN)
    for row, value in zip(frame.loc[bad, "row"], frame.loc[bad, field], strict=True):
        errors.append(RowError(int(row), field, f"malformed procedure code {value!r}"))


def check_integer(frame, field, errors, *, optional=False, minimum=0, allowed=None) -> None:
    for row, value in zip(frame["row"], frame[field], strict=True):
        if optional and value == "":
            continue
        if not value.isdigit() or int(value) < minimum or (allowed and value not in allowed):
            expected = f"one of {', '.join(allowed)}" if allowed else f"an integer >= {minimum}"
            errors.append(RowError(int(row), field, f"expected {expected}, not {value!r}"))


def import_reference(kind: str, source) -> dict:
    """Upsert a reference table from CSV; rows already present with the same values are left
    alone, so the same file twice changes nothing. Raises ClaimsFileError on bad rows."""
    header = REFERENCE_HEADERS[kind]
    stream = text_stream(source)
    try:
        frame, errors = read_rows(stream, header)
    finally:
        if isinstance(source, str):
            stream.close()
    if not errors or errors[0].row != 1:
        frame = frame.apply(
            lambda c: c.str.upper() if c.name in ("code", "column1_code", "column2_code") else c
        )
        if kind == "procedures":
            check_code(frame, "code", errors)
            check_integer(frame, "minutes", errors, optional=True)
        elif kind == "ptp":
            check_code(frame, "column1_code", errors)
            check_code(frame, "column2_code", errors)
            check_integer(frame, "modifier_allowed", errors, allowed=("0", "1"))
        else:
            check_code(frame, "code", errors)
            check_integer(frame, "max_units", errors, minimum=1)
        key = ["column1_code", "column2_code"] if kind == "ptp" else ["code"]
        for row in frame.loc[frame.duplicated(key), "row"]:
            errors.append(RowError(int(row), key[-1], "appears more than once in the file"))
    if errors:
        raise ClaimsFileError(sorted(errors, key=lambda e: (e.row, e.field)))
    with transaction.atomic():
        if kind == "procedures":
            rows = {
                r.code: {"minutes": int(r.minutes) if r.minutes else None}
                for r in frame.itertuples()
            }
            return upsert(ProcedureCode, ("code",), rows)
        if kind == "ptp":
            rows = {
                (r.column1_code, r.column2_code): {"modifier_allowed": r.modifier_allowed == "1"}
                for r in frame.itertuples()
            }
            return upsert(PtpEdit, ("column1", "column2"), rows)
        rows = {r.code: {"max_units": int(r.max_units)} for r in frame.itertuples()}
        return upsert(MueLimit, ("code",), rows)


def upsert(model, key_fields: tuple[str, ...], rows: dict) -> dict:
    def key_of(obj):
        values = tuple(getattr(obj, f) for f in key_fields)
        return values if len(values) > 1 else values[0]

    existing = {key_of(obj): obj for obj in model.objects.all()}
    new, changed = [], []
    for key, values in rows.items():
        obj = existing.get(key)
        if obj is None:
            keys = dict(zip(key_fields, key if isinstance(key, tuple) else (key,), strict=True))
            new.append(model(**keys, **values))
        elif any(getattr(obj, f) != v for f, v in values.items()):
            for field, value in values.items():
                setattr(obj, field, value)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        model.objects.bulk_update(changed, list(next(iter(rows.values()))), batch_size=BATCH)
    return {
        "created": len(new),
        "updated": len(changed),
        "unchanged": len(rows) - len(new) - len(changed),
    }


# --- scoring ---------------------------------------------------------------------------------


def current_config() -> scoring.Config:
    config = scoring.Config()
    for setting in DetectorSetting.objects.all():
        config.weights[setting.detector] = setting.weight
        config.enabled[setting.detector] = setting.enabled
    config.threshold = ScoringSettings.current().threshold
    return config


def settings_fingerprint(config: scoring.Config) -> str:
    """What a score depends on besides the claim: weights, threshold, reference tables."""
    payload = {
        "weights": config.weights,
        "enabled": config.enabled,
        "threshold": config.threshold,
        "procedures": list(ProcedureCode.objects.values_list("code", "minutes")),
        "ptp": list(PtpEdit.objects.values_list("column1", "column2", "modifier_allowed")),
        "mue": list(MueLimit.objects.values_list("code", "max_units")),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def pending_claims(fingerprint: str):
    return Claim.objects.filter(
        Q(score__isnull=True)
        | ~Q(score__claim_hash=F("content_hash"))
        | ~Q(score__settings_hash=fingerprint)
    )


def score_claims(job: JobRun) -> dict:
    """Score new and changed claims (and all claims after a change of weights or reference),
    fanned out by provider; unchanged claims keep their score."""
    config = current_config()
    fingerprint = settings_fingerprint(config)
    providers = sorted(set(pending_claims(fingerprint).values_list("provider_id", flat=True)))
    if not providers:
        return {"claims_scored": 0, "providers": 0, "flags": Flag.objects.count()}
    reference = selectors.load_reference()
    population = selectors.load_lines()
    baselines = scoring.fit_baselines(population, reference, config)
    baseline = ScoringBaseline.objects.create(lines=len(population), data=pickle.dumps(baselines))
    del population
    from . import tasks

    signatures = [
        tasks.score_providers.s(baseline.pk, chunk, fingerprint)
        for chunk in provider_chunks(providers)
    ]
    results = jobs.run_chunks(job, signatures, message="provider chunks scored")
    ScoringBaseline.objects.exclude(pk=baseline.pk).delete()
    refresh_statistics(Flag, ClaimScore)
    totals = {"claims_scored": 0, "flags_created": 0, "flags_removed": 0}
    for result in results:
        for name in totals:
            totals[name] += result.get(name, 0)
    totals["providers"] = len(providers)
    return totals


def provider_chunks(provider_pks: list[int], target_lines: int = 150_000) -> list[list[int]]:
    """Group providers so each chunk holds about ``target_lines`` claim lines."""
    sizes = selectors.lines_per_provider(provider_pks)
    chunks, current, filled = [], [], 0
    for pk in provider_pks:
        current.append(pk)
        filled += sizes.get(pk, 0)
        if filled >= target_lines:
            chunks.append(current)
            current, filled = [], 0
    if current:
        chunks.append(current)
    return chunks


def score_providers(baseline_id: int, provider_pks: list[int], fingerprint: str) -> dict:
    """Score the pending claims of some providers (their whole history is the context)."""
    baselines = pickle.loads(ScoringBaseline.objects.get(pk=baseline_id).data)  # noqa: S301 - own data
    config = current_config()
    reference = selectors.load_reference()
    lines = selectors.load_lines(provider_pks)
    pending = set(
        pending_claims(fingerprint)
        .filter(provider_id__in=provider_pks)
        .values_list("pk", flat=True)
    )
    if lines.empty or not pending:
        return {"claims_scored": 0}
    result = scoring.score_lines(lines.drop(columns="claim_pk"), reference, baselines, config)
    claim_pks = lines.drop_duplicates("claim_id").set_index("claim_id")["claim_pk"]
    scored = result.claims.assign(claim_pk=result.claims["claim_id"].map(claim_pks))
    scored = scored.loc[scored["claim_pk"].isin(pending)]
    with transaction.atomic():
        return save_scores(scored, fingerprint, config.threshold)


def detector_list(reasons: list[dict]) -> str:
    return "," + ",".join(sorted({r["detector"] for r in reasons})) + "," if reasons else ""


def save_scores(scored: pd.DataFrame, fingerprint: str, threshold: float) -> dict:
    claim_pks = scored["claim_pk"].astype(int).tolist()
    claims = {}
    for pks in chunked(claim_pks):
        claims.update(Claim.objects.filter(pk__in=pks).select_related("provider").in_bulk())
        ClaimScore.objects.filter(claim_id__in=pks).delete()
    now = timezone.now()
    scores = [
        ClaimScore(
            claim_id=pk,
            risk_score=float(risk),
            reasons=reasons,
            detectors=detector_list(reasons)[:200],
            claim_hash=claims[pk].content_hash,
            settings_hash=fingerprint,
            scored_at=now,
        )
        for pk, risk, reasons in zip(
            claim_pks, scored["risk_score"], scored["reasons"], strict=True
        )
    ]
    if connection.vendor == "postgresql":
        names = [
            "claim_id",
            "risk_score",
            "reasons",
            "detectors",
            "claim_hash",
            "settings_hash",
            "scored_at",
        ]
        copy_rows(
            ClaimScore,
            names,
            (
                (
                    s.claim_id,
                    s.risk_score,
                    json.dumps(s.reasons),
                    s.detectors,
                    s.claim_hash,
                    s.settings_hash,
                    s.scored_at,
                )
                for s in scores
            ),
        )
    else:
        ClaimScore.objects.bulk_create(scores, batch_size=BATCH)
    return sync_flags(scores, claims, threshold)


def sync_flags(scores: list[ClaimScore], claims: dict[int, Claim], threshold: float) -> dict:
    """Create flags for claims over the threshold, refresh the risk of existing ones, and drop
    untouched open flags whose claim fell below the threshold."""
    existing: dict[int, Flag] = {}
    pks = [score.claim_id for score in scores]
    for chunk in chunked(pks):
        existing.update({flag.claim_id: flag for flag in Flag.objects.filter(claim_id__in=chunk)})
    new, changed, removable = [], [], []
    now = timezone.now()
    for score in scores:
        flag = existing.get(score.claim_id)
        top = score.reasons[0]["evidence"][:300] if score.reasons else ""
        if score.risk_score >= threshold:
            if flag is None:
                claim = claims[score.claim_id]
                new.append(
                    Flag(
                        claim_id=claim.pk,
                        risk_score=score.risk_score,
                        provider_id=claim.provider_id,
                        specialty=claim.provider.specialty,
                        payer_id=claim.payer_id,
                        service_date=claim.service_date,
                        total_billed=claim.total_billed,
                        detectors=score.detectors,
                        top_reason=top,
                        created_at=now,
                        updated_at=now,
                    )
                )
                continue
        elif flag is None:
            continue
        elif flag.status == Flag.Status.OPEN and flag.assignee_id is None:
            removable.append(flag.pk)
            continue
        flag.risk_score, flag.detectors, flag.top_reason = score.risk_score, score.detectors, top
        changed.append(flag)
    Flag.objects.bulk_create(new, batch_size=BATCH)
    Flag.objects.bulk_update(changed, ["risk_score", "detectors", "top_reason"], batch_size=BATCH)
    undecided = set(
        FlagDecision.objects.filter(flag_id__in=removable).values_list("flag_id", flat=True)
    )
    for chunk in chunked([pk for pk in removable if pk not in undecided]):
        Flag.objects.filter(pk__in=chunk).delete()
    return {
        "claims_scored": len(scores),
        "flags_created": len(new),
        "flags_removed": len(removable) - len(undecided),
    }


def start_scoring(user=None) -> JobRun:
    """Score now on the fraud workers (in-process in the embedded mode), tracked as a job."""
    from .tasks import score_job

    job = jobs.create("score_claims", run_date=timezone.localdate(), user=user)
    jobs.dispatch(score_job, job.pk)
    return job


def run_scoring(user=None) -> JobRun:
    """Score now (outside the nightly run), tracked as a job."""
    job = jobs.create("score_claims", run_date=timezone.localdate(), user=user)
    return jobs.run_tracked(job, score_claims)


# --- review decisions ------------------------------------------------------------------------

DECISION_STATUS = {
    FlagDecision.Action.CLEAR: Flag.Status.CLEARED,
    FlagDecision.Action.CONFIRM: Flag.Status.CONFIRMED,
    FlagDecision.Action.ESCALATE: Flag.Status.ESCALATED,
    FlagDecision.Action.REQUEST_RECORDS: Flag.Status.RECORDS_REQUESTED,
}


class StaleFlagError(Exception):
    """Someone else changed the flag since the reviewer loaded it."""

    def __init__(self, flag: Flag) -> None:
        self.flag = flag
        last = flag.decisions.select_related("decided_by").last()
        who = last.decided_by.get_username() if last and last.decided_by else "another reviewer"
        super().__init__(
            f"This flag was changed by {who} while you were reviewing it (it is now "
            f"'{flag.get_status_display()}', version {flag.version}). Nothing was saved: "
            "review the latest state below and decide again."
        )


def change_flag(
    flag_id: int, user, *, action: str, note: str, expected_version: int, assignee=None
) -> Flag:
    """Apply a decision or an assignment if the flag is still at ``expected_version``."""
    note = (note or "").strip()
    if not note:
        raise ValueError("A note is required.")
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag_id)
        if flag.version != expected_version:
            raise StaleFlagError(flag)
        from_status = flag.status
        fields = {"version": F("version") + 1, "updated_at": timezone.now()}
        if action == FlagDecision.Action.ASSIGN:
            fields["assignee"] = assignee
            to_status = from_status
        else:
            to_status = DECISION_STATUS[action]
            fields["status"] = to_status
        updated = Flag.objects.filter(pk=flag_id, version=expected_version).update(**fields)
        if not updated:
            raise StaleFlagError(Flag.objects.get(pk=flag_id))
        FlagDecision.objects.create(
            flag_id=flag_id,
            action=action,
            note=note,
            from_status=from_status,
            to_status=to_status,
            assignee=assignee,
            version=expected_version + 1,
            decided_by=user,
        )
    return Flag.objects.get(pk=flag_id)


def save_detector_settings(
    weights: dict[str, float], enabled: dict[str, bool], threshold: float, user
) -> None:
    with transaction.atomic():
        for setting in DetectorSetting.objects.select_for_update():
            setting.weight = weights[setting.detector]
            setting.enabled = enabled[setting.detector]
            setting.save(update_fields=["weight", "enabled"])
        settings_row = ScoringSettings.current()
        settings_row.threshold, settings_row.updated_by = threshold, user
        settings_row.updated_at = timezone.now()
        settings_row.save()
