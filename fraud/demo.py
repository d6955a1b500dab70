"""Demo claims: a year for about 150 providers with a few injected cases of each pattern,
imported through the real import service and scored, plus a few worked flags."""

from __future__ import annotations

import datetime as dt
import io

from hospops import roles
from hospops.demo import DemoContext, demo_seeder

from . import services
from .engine import synthetic
from .engine.claims import write_claims
from .models import Claim, Flag, FlagDecision

DEMO_PROVIDERS = 150
DEMO_VOLUME_SCALE = 0.05  # about 55,000 claim lines: a realistic queue that seeds quickly


@demo_seeder(order=40)
def seed(ctx: DemoContext) -> None:
    if Claim.objects.exists():
        ctx.write("fraud: claims already present, skipped")
        return
    start = ctx.today - dt.timedelta(days=365)
    data = synthetic.generate(
        n_providers=DEMO_PROVIDERS,
        start=start,
        days=365,
        seed=ctx.seed,
        volume_scale=DEMO_VOLUME_SCALE,
        rates=synthetic.Rates(
            duplicate=0.0008,
            after_death=0.0005,
            mue=0.0005,
            unbundling=0.0008,
            amount=0.0005,
            impossible_day=0.00015,
            volume=0.0003,
            upcoding=0.04,
            volume_multiplier=(15.0, 20.0),
        ),
    )
    buffer = io.StringIO()
    write_claims(data.lines, buffer)
    result = services.import_claims(io.StringIO(buffer.getvalue()), today=ctx.today)
    job = services.run_scoring()
    ctx.write(f"fraud: {result.lines} claim lines imported, scoring {job.status}: {job.counts}")
    work_some_flags(ctx)


def work_some_flags(ctx: DemoContext) -> None:
    """Give the demo reviewer a few assigned flags and a short decision history."""
    reviewer = ctx.users[roles.BILLING_REVIEWER]
    flags = list(Flag.objects.order_by("-risk_score", "id")[:12])
    for index, flag in enumerate(flags):
        flag = services.change_flag(
            flag.pk,
            reviewer,
            action=FlagDecision.Action.ASSIGN,
            note="Taken from the queue.",
            expected_version=flag.version,
            assignee=reviewer,
        )
        if index < 4:
            action = FlagDecision.Action.CONFIRM if index % 2 == 0 else FlagDecision.Action.CLEAR
            services.change_flag(
                flag.pk,
                reviewer,
                action=action,
                note="Demo decision after reviewing the lines.",
                expected_version=flag.version,
            )
