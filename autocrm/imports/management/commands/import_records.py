"""``manage.py import_records FILE --source NAME [--mapping MAPPING.json] [--key COLUMN]``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from autocrm.accounts.models import User
from autocrm.core.errors import ApplicationError
from autocrm.imports.pipeline import run_import
from autocrm.imports.services import import_run_create, load_mapping_file


class Command(BaseCommand):
    help = "Import customers and vehicles from a CSV or XLSX file, resolving identities."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="the source system's name")
        parser.add_argument("--mapping", help='JSON: {"columns": {header: field}, "key": header}')
        parser.add_argument("--key", default="", help="the column holding the source's row key")
        parser.add_argument("--user", default="", help="run as this administrator (audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = self._actor(options["user"])
        mapping = None
        key = options["key"]
        try:
            if options["mapping"]:
                mapping, mapped_key = load_mapping_file(options["mapping"])
                key = key or mapped_key
            run = import_run_create(
                actor=actor,
                source=options["source"],
                path=path,
                original_name=path.name,
                mapping=mapping,
                key_column=key,
                keep_file=False,
            )
            self.stdout.write(f"mapping: {run.mapping}")
            started = time.monotonic()

            def progress(done: int) -> None:
                elapsed = time.monotonic() - started
                self.stdout.write(f"{done} rows ({done / max(elapsed, 1e-6):.0f} rows/s)")

            counts = run_import(run, path, actor=actor, progress=progress)
        except (ApplicationError, ValidationError) as error:
            message = getattr(error, "message", None) or "; ".join(
                getattr(error, "messages", [str(error)])
            )
            raise CommandError(str(message)) from error
        elapsed = time.monotonic() - started
        run.refresh_from_db()
        self.stdout.write(
            f"import {run.pk} done in {elapsed:.1f} s ({counts.rows_total / max(elapsed, 1e-6):.0f}"
            f" rows/s): {counts.rows_total} rows, {counts.customers_created} customers created, "
            f"{counts.customers_matched} matched, {counts.vehicles_created} vehicles created, "
            f"{counts.vehicles_matched} matched, {counts.rows_unchanged} unchanged, "
            f"{counts.rows_failed} failed, {counts.rows_for_review} for review"
        )
        if run.error_report:
            self.stdout.write(f"error report: {run.error_report.path}")

    def _actor(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
            or users.filter(role="administrator").order_by("pk").first()
        )
        if user is None:
            raise CommandError("No active administrator to run the import as; pass --user.")
        return user
