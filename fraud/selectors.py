"""Reads: claim lines for the engine, the review queue, claim details and metrics."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from .engine import detectors
from .engine.claims import CLAIMS_HEADER
from .engine.reference import HIGH_LEVEL_VISIT_CODES, VISIT_CODES, Reference
from .models import (
    Claim,
    ClaimLine,
    ClaimScore,
    Flag,
    FlagDecision,
    MueLimit,
    ProcedureCode,
    PtpEdit,
)

LINE_FIELDS = {
    "claim_pk": "claim_id",
    "claim_id": "claim__claim_id",
    "line_number": "line_number",
    "patient_id": "claim__patient__key",
    "patient_birth_date": "claim__patient__birth_date",
    "patient_sex": "claim__patient__sex",
    "patient_death_date": "claim__patient__death_date",
    "provider_id": "claim__provider__provider_id",
    "provider_specialty": "claim__provider__specialty",
    "payer_id": "claim__payer__payer_id",
    "service_date": "service_date",
    "procedure_code": "procedure_code",
    "modifiers": "modifiers",
    "diagnosis_codes": "diagnosis_codes",
    "units": "units",
    "billed_amount": "billed_amount",
    "place_of_service": "place_of_service",
}


def load_reference() -> Reference:
    return Reference.from_rows(
        list(ProcedureCode.objects.values_list("code", "minutes")),
        list(PtpEdit.objects.values_list("column1", "column2", "modifier_allowed")),
        list(MueLimit.objects.values_list("code", "max_units")),
    )


def load_lines(provider_pks: list[int] | None = None) -> pd.DataFrame:
    """Claim lines in the engine's format (``patient_id`` holds the pseudonymous key) plus the
    claim's primary key. Read through a raw cursor: far faster than model instances."""
    queryset = ClaimLine.objects.order_by()
    if provider_pks is not None:
        queryset = queryset.filter(claim__provider_id__in=provider_pks)
    sql, params = queryset.values_list(*LINE_FIELDS.values()).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=list(LINE_FIELDS))
    for column in ("patient_birth_date", "patient_death_date", "service_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame["billed_amount"] = pd.to_numeric(frame["billed_amount"].astype(str)).astype("float64")
    frame["units"] = frame["units"].astype("int64")
    frame["line_number"] = frame["line_number"].astype("int64")
    for column in ("modifiers", "diagnosis_codes", "place_of_service"):
        frame[column] = frame[column].fillna("")
    return frame[["claim_pk", *CLAIMS_HEADER]]


def lines_per_provider(provider_pks: list[int]) -> dict[int, int]:
    counts = (
        Claim.objects.filter(provider_id__in=provider_pks)
        .values("provider_id")
        .annotate(lines=Count("lines"))
        .order_by()
    )
    return {row["provider_id"]: row["lines"] for row in counts}


# --- queue -----------------------------------------------------------------------------------

QUEUE_FILTERS = (
    "provider",
    "specialty",
    "payer",
    "detector",
    "date_from",
    "date_to",
    "amount_min",
    "amount_max",
    "status",
    "assignee",
)


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def filtered_flags(filters, user) -> QuerySet[Flag]:
    flags = Flag.objects.all()
    if value := filters.get("provider"):
        flags = flags.filter(provider__provider_id=value.strip())
    if value := filters.get("specialty"):
        flags = flags.filter(specialty=value)
    if value := filters.get("payer"):
        flags = flags.filter(payer__payer_id=value.strip())
    if (value := filters.get("detector")) in detectors.DETECTORS:
        flags = flags.filter(detectors__contains=f",{value},")
    if value := parse_date(filters.get("date_from")):
        flags = flags.filter(service_date__gte=value)
    if value := parse_date(filters.get("date_to")):
        flags = flags.filter(service_date__lte=value)
    if (value := parse_number(filters.get("amount_min"))) is not None:
        flags = flags.filter(total_billed__gte=value)
    if (value := parse_number(filters.get("amount_max"))) is not None:
        flags = flags.filter(total_billed__lte=value)
    status = filters.get("status", "open")
    if status in Flag.Status.values:
        flags = flags.filter(status=status)
    assignee = filters.get("assignee", "")
    if assignee == "me":
        flags = flags.filter(assignee=user)
    elif assignee == "none":
        flags = flags.filter(assignee__isnull=True)
    elif assignee.isdigit():
        flags = flags.filter(assignee_id=int(assignee))
    return flags


@dataclass
class QueuePage:
    flags: list[Flag]
    next_cursor: str | None
    has_previous: bool


def queue_page(filters, user, cursor: str | None = None, size: int = 50) -> QueuePage:
    """Keyset pagination on (risk desc, id): each page is an index range scan, as fast on the
    millionth flag as on the first (no OFFSET)."""
    flags = filtered_flags(filters, user)
    if cursor:
        try:
            risk_text, id_text = cursor.split("_", 1)
            risk, last_id = float(risk_text), int(id_text)
        except ValueError:
            risk, last_id = None, None
        if risk is not None:
            # The redundant bound lets the index on (risk desc, id) serve a range scan that
            # stops after one page; the OR alone would make the planner scan more.
            flags = flags.filter(risk_score__lte=risk).filter(
                Q(risk_score__lt=risk) | Q(risk_score=risk, id__gt=last_id)
            )
    rows = list(
        flags.order_by("-risk_score", "id").select_related(
            "claim", "provider", "payer", "assignee"
        )[: size + 1]
    )
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = f"{rows[-1].risk_score!r}_{rows[-1].pk}"
    return QueuePage(flags=rows, next_cursor=next_cursor, has_previous=bool(cursor))


# --- claim page ------------------------------------------------------------------------------


def other_claims(claim: Claim, limit: int = 50) -> list[Claim]:
    return list(
        Claim.objects.filter(patient_id=claim.patient_id)
        .exclude(pk=claim.pk)
        .select_related("provider", "score")
        .order_by("-service_date")[:limit]
    )


def visit_level_mix(provider) -> dict:
    """Share of each office-visit level for the provider and for its specialty (cached)."""

    def shares(queryset) -> dict[str, float]:
        counts = dict(
            queryset.filter(procedure_code__in=VISIT_CODES)
            .values_list("procedure_code")
            .annotate(n=Count("id"))
            .order_by()
        )
        total = sum(counts.values()) or 1
        return {code: counts.get(code, 0) / total for code in VISIT_CODES}

    cache_key = "fraud-visit-mix-" + hashlib.sha1(provider.specialty.encode()).hexdigest()
    peers = cache.get(cache_key)
    if peers is None:
        peers = shares(ClaimLine.objects.filter(claim__provider__specialty=provider.specialty))
        cache.set(cache_key, peers, 600)
    own = shares(ClaimLine.objects.filter(claim__provider=provider))
    return {
        "codes": list(VISIT_CODES),
        "provider": [round(own[c], 4) for c in VISIT_CODES],
        "specialty": [round(peers[c], 4) for c in VISIT_CODES],
        "provider_high": round(sum(own[c] for c in HIGH_LEVEL_VISIT_CODES), 4),
        "specialty_high": round(sum(peers[c] for c in HIGH_LEVEL_VISIT_CODES), 4),
        "specialty_name": provider.specialty,
    }


# --- metrics ---------------------------------------------------------------------------------

AGE_BANDS = (
    (0, 18, "0-17"),
    (18, 40, "18-39"),
    (40, 65, "40-64"),
    (65, 80, "65-79"),
    (80, 200, "80+"),
)


def age_band(age: int) -> str:
    return next(label for low, high, label in AGE_BANDS if low <= age < high)


def metrics() -> dict:
    per_detector = []
    for name in detectors.DETECTORS:
        flagged = Flag.objects.filter(detectors__contains=f",{name},")
        per_detector.append(
            {
                "detector": name,
                "label": detectors.LABELS[name],
                "flags": flagged.count(),
                "confirmed": flagged.filter(status=Flag.Status.CONFIRMED).count(),
                "cleared": flagged.filter(status=Flag.Status.CLEARED).count(),
            }
        )
    for row in per_detector:
        decided = row["confirmed"] + row["cleared"]
        row["precision"] = row["confirmed"] / decided if decided else None
    return {
        "per_detector": per_detector,
        "precision_over_time": precision_over_time(),
        "by_specialty": flag_rates("provider__specialty"),
        "by_sex": flag_rates("patient__sex"),
        "by_age_band": flag_rates_by_age(),
    }


def precision_over_time() -> dict:
    """Confirmed / (confirmed + cleared) per detector and month of the final decision."""
    decisions = (
        FlagDecision.objects.filter(action__in=["confirm", "clear"])
        .annotate(month=TruncMonth("decided_at"))
        .values_list("month", "action", "flag__detectors")
    )
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    months = set()
    for month, action, names in decisions:
        label = month.strftime("%Y-%m")
        months.add(label)
        for name in names.strip(",").split(","):
            if name:
                counts[(name, label)][0 if action == "confirm" else 1] += 1
    months = sorted(months)
    series = {}
    for name in detectors.DETECTORS:
        values = []
        for month in months:
            confirmed, cleared = counts.get((name, month), (0, 0))
            values.append(
                round(confirmed / (confirmed + cleared), 3) if confirmed + cleared else None
            )
        if any(v is not None for v in values):
            series[detectors.LABELS[name]] = values
    return {"months": months, "series": series}


def flag_rates(field: str) -> list[dict]:
    claims = dict(Claim.objects.values_list(field).annotate(n=Count("id")).order_by())
    flags = dict(
        Claim.objects.filter(flag__isnull=False)
        .values_list(field)
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {
            "group": group or "-",
            "claims": total,
            "flags": flags.get(group, 0),
            "rate": flags.get(group, 0) / total if total else 0.0,
        }
        for group, total in sorted(claims.items(), key=lambda item: str(item[0]))
    ]


def flag_rates_by_age() -> list[dict]:
    """Age at service, approximated by whole years, grouped in bands."""
    rows = (
        Claim.objects.values_list("service_date__year", "patient__birth_date__year")
        .annotate(claims=Count("id"), flags=Count("flag"))
        .order_by()
    )
    totals: dict[str, list[int]] = {label: [0, 0] for _, _, label in AGE_BANDS}
    for service_year, birth_year, claims, flags in rows:
        band = age_band(max(0, service_year - birth_year))
        totals[band][0] += claims
        totals[band][1] += flags
    return [
        {"group": band, "claims": c, "flags": f, "rate": f / c if c else 0.0}
        for band, (c, f) in totals.items()
    ]


def scores_for_export():
    """(claim_id, risk_score, reasons) for every scored claim, highest risk first."""
    return (
        ClaimScore.objects.order_by("-risk_score", "claim__claim_id")
        .values_list("claim__claim_id", "risk_score", "reasons")
        .iterator(chunk_size=5000)
    )
