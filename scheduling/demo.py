"""Demo data of the scheduling app; each part registers its own seeder."""

from . import demo_appointments  # noqa: F401
from .roster_demo import seed_rosters  # noqa: F401
