"""The fraud module's nightly step."""

from __future__ import annotations

from hospops.models import JobRun
from hospops.pipeline import nightly_step

from . import services


@nightly_step("score_claims", order=30)
def score_claims(job: JobRun) -> dict:
    """Score new and changed claims; idempotent (a second run finds nothing pending)."""
    return services.score_claims(job)
