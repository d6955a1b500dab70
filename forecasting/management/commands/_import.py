"""Shared body of the CSV import commands."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError

from forecasting.imports import ImportResult
from hospops import audit


def run_import(command: BaseCommand, path: str, kind: str, importer: Callable) -> None:
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            result: ImportResult = importer(stream)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text") from exc
    status = "ok" if result.ok else f"{len(result.errors)} errors, nothing saved"
    audit.record(
        None,
        audit.Action.IMPORT,
        object_type=f"forecasting.{kind}",
        summary=f"{kind} import from the command line: {result.rows} rows, {status}",
    )
    if not result.ok:
        for error in result.errors:
            command.stderr.write(error)
        raise CommandError(f"{len(result.errors)} bad rows in {path}; nothing was imported")
    command.stdout.write(
        f"Imported {result.rows} rows: {result.created} new, {result.updated} updated."
    )
