"""The import pipeline: stream a file in chunks, normalise, resolve identities, write.

Each chunk is planned with a few queries and written in one transaction, so a chunk lands whole
or not at all. Rows with errors are left out before writing and reported (row, column, value,
reason); should the database still refuse a chunk (a concurrent write), its halves are retried
on their own, down to single rows, so one bad row never blocks the others. Unchanged rows (same
source, key and row hash) are skipped, so importing the same file again changes nothing.

Where the time goes, per million rows (PostgreSQL, medium demo data; see ``bench/``): reading
and normalising some 100 s of CPU, in a second process (``streaming``) that works a few
chunks ahead, kept cheap by the fast paths in ``customers.identifiers`` and ``normalising``;
resolving and preparing the writes some 80 s in this process (a fixed number of queries per
chunk: ``resolution``); PostgreSQL some 110 s, most of it maintaining the indexes of the tables
written (one COPY per table and chunk: ``writing``, ``bulk``; foreign keys checked per table,
not per row: ``references``). Chunks of 10,000 rows keep the per-chunk round trips few.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core.channels import Channel, working_through
from autocrm.imports.models import ImportRun, ImportStatus
from autocrm.imports.normalising import Incoming, RowError
from autocrm.imports.reading import check_recognisable, open_table
from autocrm.imports.references import ReferenceCheck, set_wise_checks_possible
from autocrm.imports.resolution import Catalogue, KnownRecord, Resolver, known_records
from autocrm.imports.streaming import chunks_ahead
from autocrm.imports.writing import TABLES_WRITTEN, write_chunk

CHUNK_SIZE = 10_000
Progress = Callable[[int], None]


@dataclass
class Counts:
    rows_total: int = 0
    customers_created: int = 0
    customers_matched: int = 0
    vehicles_created: int = 0
    vehicles_matched: int = 0
    rows_unchanged: int = 0
    rows_failed: int = 0
    rows_for_review: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Importer:
    run: ImportRun
    actor: Any
    progress: Progress | None = None
    counts: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    # key -> (row hash, row number) of the rows seen so far in this file.
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)

    def execute(self, path: str | Path) -> Counts:
        mapping = self.run.mapping
        name = self.run.original_name
        with open_table(path, name=name) as table:
            check_recognisable(table.headers, mapping)
        with working_through(Channel.IMPORT):
            self.resolver = Resolver(Catalogue(), mapping)
            self.set_wise_checks = set_wise_checks_possible(TABLES_WRITTEN)
            for chunk in chunks_ahead(path, name=name, mapping=mapping, size=CHUNK_SIZE):
                self._chunk(chunk)
        return self.counts

    def _key_column(self) -> str:
        return self.run.key_column or _("row number")

    def _chunk(self, rows: list[Incoming]) -> None:
        self.counts.rows_total += len(rows)
        usable: list[Incoming] = []
        for incoming in rows:
            if incoming.errors:
                self._failed(incoming.errors)
                continue
            earlier = self.seen.get(incoming.key)
            if earlier is not None:
                if earlier[0] == incoming.row_hash:
                    self.counts.rows_unchanged += 1  # the same row twice: it is already in
                else:
                    reason = _("The key %(key)s is also in row %(row)s, with different values.")
                    self._failed(
                        [
                            RowError(
                                incoming.row,
                                self._key_column(),
                                incoming.key,
                                reason % {"key": incoming.key, "row": earlier[1]},
                            )
                        ]
                    )
                continue
            self.seen[incoming.key] = (incoming.row_hash, incoming.row)
            usable.append(incoming)
        records = known_records(self.run.source, [row.key for row in usable])
        todo = []
        for incoming in usable:
            record = records.get(incoming.key)
            if record is not None and record.row_hash == incoming.row_hash:
                self.counts.rows_unchanged += 1
            else:
                todo.append(incoming)
        if todo:
            self._write(todo, records)
        if self.progress:
            self.progress(self.counts.rows_total)

    def _write(self, rows: list[Incoming], records: dict[str, KnownRecord]) -> None:
        try:
            with transaction.atomic():
                plan = self.resolver.plan(rows, records)
                references = ReferenceCheck(enabled=self.set_wise_checks)
                write_chunk(plan, run=self.run, actor=self.actor, references=references)
        except DatabaseError as error:
            if len(rows) == 1:
                self._failed(
                    [
                        RowError(
                            rows[0].row,
                            "",
                            "",
                            _("The row could not be saved: %(reason)s") % {"reason": error},
                        )
                    ]
                )
                return
            half = len(rows) // 2
            self._write(rows[:half], records)
            self._write(rows[half:], records)
            return
        self._failed(plan.errors)
        counts = Counts()
        for planned in plan.rows:
            counts.customers_created += planned.customer_is_new
            counts.customers_matched += not planned.customer_is_new
            if planned.vehicle is not None:
                counts.vehicles_created += planned.vehicle_is_new
                counts.vehicles_matched += not planned.vehicle_is_new
            counts.rows_for_review += planned.review is not None
        self.counts.add(counts)

    def _failed(self, errors: list[RowError]) -> None:
        if errors:
            self.counts.rows_failed += len({error.row for error in errors})
            self.errors.extend(errors)


def error_report(errors: list[RowError]) -> bytes:
    """The rejected rows as CSV (UTF-8 with BOM, so spreadsheet programs show Chinese)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Reason")])
    for error in sorted(errors, key=lambda e: e.row):
        value = error.value
        if value.startswith(("=", "+", "-", "@")):
            value = "'" + value  # spreadsheets would run it as a formula
        writer.writerow([error.row, error.column, value, error.reason])
    return text.getvalue().encode("utf-8-sig")


def run_import(
    run: ImportRun, path: str | Path, *, actor: Any, progress: Progress | None = None
) -> Counts:
    """Import ``path`` for ``run`` and record the outcome on it (counts, status, error report).
    An unreadable file marks the run failed and raises ``UnreadableFile``."""
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING)
    importer = Importer(run=run, actor=actor, progress=progress)
    try:
        counts = importer.execute(path)
    except Exception:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    for name in counts.__dataclass_fields__:
        setattr(run, name, getattr(counts, name))
    if importer.errors:
        run.error_report.save(
            f"import-{run.pk}-errors.csv", ContentFile(error_report(importer.errors)), save=False
        )
    run.status = ImportStatus.DONE
    run.finished_at = timezone.now()
    run.save()
    return counts
