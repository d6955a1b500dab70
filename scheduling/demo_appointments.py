"""Demo appointment data: two weeks of clinician sessions, a backlog of requests and two years of
appointment history with no-shows, for six outpatient clinics."""

from __future__ import annotations

import datetime as dt

import numpy as np

from hospops.demo import DemoContext, demo_seeder
from hospops.privacy import pseudonymise

from .models_appointments import (
    Appointment,
    AppointmentRequest,
    ClinicianSession,
    time_of,
)

# Clinic: (clinicians, mean appointments a weekday in the history, no-show rate)
CLINICS = {
    "CARD": (4, 28, 0.12),
    "ORTH": (4, 34, 0.14),
    "PAED": (3, 22, 0.17),
    "ONC": (3, 24, 0.10),
    "RAD": (4, 40, 0.11),
    "MED": (4, 30, 0.18),
}
WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 0.95, 0.85, 0.0, 0.0)
MORNING, AFTERNOON = (9 * 60, 12 * 60 + 30), (13 * 60 + 30, 17 * 60)
DURATIONS, DURATION_SHARES = (10, 15, 20, 30, 45, 60), (0.15, 0.25, 0.2, 0.25, 0.1, 0.05)
URGENCY_SHARES = (0.55, 0.25, 0.13, 0.07)
MAX_WAIT = {1: 42, 2: 21, 3: 10, 4: 3}
BACKLOG = 400
HISTORY_DAYS = 730
SESSION_DAYS = 14


def clinician_code(code: str, index: int) -> str:
    return f"{code}-C{index + 1}"


def demo_patient(ctx: DemoContext, number: int) -> str:
    return pseudonymise(f"demo-patient-{ctx.seed}-{number}")


@demo_seeder(order=31)
def seed_appointments(ctx: DemoContext) -> None:
    rng = np.random.default_rng(ctx.seed + 31)
    sessions = seed_sessions(ctx, rng)
    requests = seed_backlog(ctx, rng)
    history = seed_history(ctx, rng)
    ctx.write(
        f"appointments: {sessions} clinician sessions, {requests} pending requests, "
        f"{history} history appointments added"
    )


def seed_sessions(ctx: DemoContext, rng: np.random.Generator) -> int:
    start = ctx.today + dt.timedelta(days=1)
    end = ctx.today + dt.timedelta(days=SESSION_DAYS)
    if ClinicianSession.objects.filter(date__range=(start, end)).exists():
        return 0
    rows = []
    for code, (clinicians, _, _) in CLINICS.items():
        department = ctx.departments[code]
        for index in range(clinicians):
            hours = MORNING if index % 2 == 0 else AFTERNOON
            for offset in range(1, SESSION_DAYS + 1):
                day = ctx.today + dt.timedelta(days=offset)
                if day.weekday() < 5 and rng.random() < 0.75:
                    rows.append(
                        ClinicianSession(
                            department=department,
                            clinician=clinician_code(code, index),
                            room=f"{code}-R{index // 2 + 1}",
                            date=day,
                            start=time_of(hours[0]),
                            end=time_of(hours[1]),
                        )
                    )
    ClinicianSession.objects.bulk_create(rows)
    return len(rows)


def seed_backlog(ctx: DemoContext, rng: np.random.Generator) -> int:
    # The first demo patient's pseudonym marks the backlog as added, whatever became of it.
    if AppointmentRequest.objects.filter(patient_ref=demo_patient(ctx, 0)).exists():
        return 0
    codes = list(CLINICS)
    rows = []
    for number in range(BACKLOG):
        code = codes[int(rng.integers(len(codes)))]
        urgency = int(rng.choice([1, 2, 3, 4], p=URGENCY_SHARES))
        earliest = ctx.today + dt.timedelta(days=int(rng.integers(-7, 12)))
        preferred = ""
        if rng.random() < 0.3:
            preferred = clinician_code(code, int(rng.integers(CLINICS[code][0])))
        unavailable = []
        if rng.random() < 0.2:
            unavailable = [
                (ctx.today + dt.timedelta(days=int(day))).isoformat()
                for day in sorted(rng.choice(np.arange(1, SESSION_DAYS + 1), 2, replace=False))
            ]
        rows.append(
            AppointmentRequest(
                patient_ref=demo_patient(ctx, number),
                department=ctx.departments[code],
                duration_minutes=int(rng.choice(DURATIONS, p=DURATION_SHARES)),
                urgency=urgency,
                max_wait_days=MAX_WAIT[urgency],
                earliest_date=earliest,
                preferred_clinician=preferred,
                unavailable_dates=unavailable,
            )
        )
    AppointmentRequest.objects.bulk_create(rows)
    return len(rows)


def seed_history(ctx: DemoContext, rng: np.random.Generator) -> int:
    """Poisson daily loads with weekly and yearly seasonality and a slight upward trend."""
    first = ctx.today - dt.timedelta(days=HISTORY_DAYS)
    if Appointment.objects.filter(date__gte=first, date__lt=ctx.today).exists():
        return 0
    days = [first + dt.timedelta(days=i) for i in range(HISTORY_DAYS)]
    weekly = np.array([WEEKDAY_FACTOR[day.weekday()] for day in days])
    yearly = 1 + 0.12 * np.cos(
        2 * np.pi * np.array([day.timetuple().tm_yday for day in days]) / 365.25
    )
    trend = np.linspace(0.92, 1.05, HISTORY_DAYS)
    patients = [pseudonymise(f"demo-history-{ctx.seed}-{i}") for i in range(4000)]
    rows = []
    for code, (clinicians, mean, no_show) in CLINICS.items():
        department = ctx.departments[code]
        counts = rng.poisson(mean * weekly * yearly * trend)
        for day, count in zip(days, counts, strict=True):
            if not count:
                continue
            # Mondays see a few more no-shows; about 4% of bookings are cancelled.
            missed = rng.random(count) < no_show * (1.2 if day.weekday() == 0 else 1.0)
            cancelled = rng.random(count) < 0.04
            starts = rng.integers(9 * 12, 16 * 12 + 6, size=count) * 5
            durations = rng.choice(DURATIONS, size=count, p=DURATION_SHARES)
            who = rng.integers(clinicians, size=count)
            refs = rng.integers(len(patients), size=count)
            for i in range(count):
                status = (
                    Appointment.Status.CANCELLED
                    if cancelled[i]
                    else Appointment.Status.NO_SHOW
                    if missed[i]
                    else Appointment.Status.COMPLETED
                )
                rows.append(
                    Appointment(
                        patient_ref=patients[refs[i]],
                        department=department,
                        clinician=clinician_code(code, int(who[i])),
                        room=f"{code}-R{int(who[i]) // 2 + 1}",
                        date=day,
                        start=time_of(int(starts[i])),
                        duration_minutes=int(durations[i]),
                        status=status,
                    )
                )
    Appointment.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
