"""Solve a Curtois–Qu benchmark instance with the app's roster model and write the roster CSV."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from scheduling.engine.roster import ProblemError, SolveParameters, curtois, solve


class Command(BaseCommand):
    help = "Solve a Curtois–Qu instance (text format) and write employee_id,day,shift_id rows."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--curtois", required=True, metavar="PATH", help="Instance .txt file")
        parser.add_argument("--time-limit", type=float, required=True, metavar="SECONDS")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", required=True, metavar="ROSTER_CSV")
        parser.add_argument("--log", action="store_true", help="Print the CP-SAT search log")

    def handle(self, *args, **options) -> None:
        try:
            instance = curtois.parse_file(options["curtois"])
        except OSError as exc:
            raise CommandError(f"Cannot read {options['curtois']}: {exc.strerror}") from exc
        except curtois.CurtoisFormatError as exc:
            raise CommandError(f"Malformed benchmark file: {exc}") from exc
        parameters = SolveParameters(
            time_limit_seconds=options["time_limit"],
            workers=options["workers"],
            seed=options["seed"],
            log=options["log"],
        )
        try:
            solution = solve(curtois.to_problem(instance), parameters)
        except ProblemError as exc:
            raise CommandError("Invalid instance: " + "; ".join(exc.errors)) from exc
        if not solution.has_roster:
            detail = "\n".join(solution.explanation)
            raise CommandError(f"No roster found ({solution.status}).\n{detail}")
        curtois.write_roster_csv(options["out"], solution.assignments, instance)
        broken = curtois.violations(instance, solution.assignments)
        objective = curtois.penalty(instance, solution.assignments)
        self.stdout.write(
            f"instance={instance.name} status={solution.status} objective={objective} "
            f"bound={solution.bound:.0f} gap={100 * (solution.gap or 0):.2f}% "
            f"seconds={solution.wall_seconds:.1f} hard_violations={len(broken)}"
        )
        for line in broken[:20]:
            self.stderr.write(f"hard constraint broken: {line}")
        if broken:
            raise CommandError("The roster breaks hard constraints (see above).")
