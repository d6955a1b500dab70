from django.core.management.base import BaseCommand

from hospops.demo import DEMO_USERS, seed_all


class Command(BaseCommand):
    help = "Create a small demo hospital with one user per role, plus each module's demo data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    def handle(self, *args, seed: int, **options) -> None:
        seed_all(seed, lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins:"))
        for role, (username, password) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<17} {username:<10} {password}")
