"""Demo data: a small hospital with one user per role. Domain apps add their own data through
``@demo_seeder`` functions in their ``demo`` modules, called in order by ``seed_demo``."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from . import roles
from .models import Department, Facility

DEMO_USERS = {
    roles.ADMINISTRATOR: ("admin", "Demo-Admin-2026!"),
    roles.SCHEDULER: ("scheduler", "Demo-Rota-2026!"),
    roles.SUPPLY_MANAGER: ("supply", "Demo-Stock-2026!"),
    roles.BILLING_REVIEWER: ("billing", "Demo-Claims-2026!"),
}

DEPARTMENTS = (
    ("ED", "Emergency"),
    ("CARD", "Cardiology"),
    ("ORTH", "Orthopaedics"),
    ("PAED", "Paediatrics"),
    ("ONC", "Oncology"),
    ("RAD", "Radiology"),
    ("ICU", "Intensive Care"),
    ("SURG", "General Surgery"),
    ("MED", "General Medicine"),
)


@dataclass
class DemoContext:
    seed: int
    today: dt.date
    facility: Facility
    departments: dict[str, Department]
    users: dict[str, User]
    write: Callable[[str], None]
    rng: np.random.Generator = field(init=False)
    random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.random = random.Random(self.seed)


Seeder = Callable[[DemoContext], None]
_SEEDERS: dict[str, tuple[int, Seeder]] = {}


def demo_seeder(order: int) -> Callable[[Seeder], Seeder]:
    """Register a function that adds a domain's demo data. It must be idempotent."""

    def register(function: Seeder) -> Seeder:
        _SEEDERS[f"{function.__module__}.{function.__qualname__}"] = (order, function)
        return function

    return register


def seed_core(seed: int, write: Callable[[str], None]) -> DemoContext:
    facility, _ = Facility.objects.get_or_create(
        code="SEG", defaults={"name": "St Elsewhere General Hospital"}
    )
    departments = {
        code: Department.objects.get_or_create(
            facility=facility, code=code, defaults={"name": name}
        )[0]
        for code, name in DEPARTMENTS
    }
    users = {}
    for role, (username, password) in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = role == roles.ADMINISTRATOR
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        users[role] = user
    return DemoContext(
        seed=seed,
        today=timezone.localdate(),
        facility=facility,
        departments=departments,
        users=users,
        write=write,
    )


def seed_all(seed: int, write: Callable[[str], None]) -> DemoContext:
    context = seed_core(seed, write)
    autodiscover_modules("demo")
    for _, seeder in sorted(_SEEDERS.values(), key=lambda item: item[0]):
        seeder(context)
    return context
