"""Demo data of the scheduling app; each part registers its own seeder."""

from .roster_demo import seed_rosters  # noqa: F401
