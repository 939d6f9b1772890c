"""The import pipeline: stream a file in chunks, normalise, resolve identities, write.

Each chunk is planned with a few queries and written in one transaction, so a chunk lands whole
or not at all. Rows with errors are left out before writing and reported (row, column, value,
reason); should the database still refuse a chunk (a concurrent write), its halves are retried
on their own, down to single rows, so one bad row never blocks the others. Unchanged rows (same
source, key and row hash) are skipped, so importing the same file again changes nothing.

Several things run at once on PostgreSQL: a second process reads and normalises the file a few
chunks ahead (``streaming``); this thread resolves the next chunk (``resolution``: a fixed number
of queries per chunk) while two writer threads, each on a connection of its own, write the
chunks before it, taking turns (``ChunkWriter``; ``writing``, ``bulk``, ``references``: one COPY
per table and chunk), so that PostgreSQL works on two chunks at once. A chunk planned while
earlier ones are still being written sees what those create through their
``resolution.Overlay`` (the ids of new customers and vehicles are reserved when a chunk is
planned), so a row matches a customer created a few chunks earlier exactly as if those were
already committed; a chunk that drew on an earlier chunk's overlay is written only once that
chunk is committed. Should the database refuse a chunk, the writers write nothing more until
every chunk in flight has an outcome; the refused chunk and those not written are then planned
again and written here, one after the other, with the halving retry above, and the pipeline
resumes. Counts, row errors and progress are taken in the order the chunks were planned.
SQLite (one writer at a time) and a caller's open transaction (which another connection could
not see) get the sequential path.

Where the time goes, per million rows: see ``docs/benchmarks.md``.
"""

from __future__ import annotations

import contextvars
import csv
import io
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from autocrm.core.channels import Channel, working_through
from autocrm.core.collection import batch_collection
from autocrm.imports.models import ImportRun, ImportStatus, SourceRecord
from autocrm.imports.normalising import Incoming, RowError
from autocrm.imports.reading import check_recognisable, open_table
from autocrm.imports.references import ReferenceCheck, set_wise_checks_possible
from autocrm.imports.resolution import (
    Catalogue,
    ChunkPlan,
    KnownRecord,
    Overlay,
    Resolver,
    known_records,
    reserve,
)
from autocrm.imports.streaming import chunks_ahead
from autocrm.imports.writing import TABLES_WRITTEN, write_chunk

CHUNK_SIZE = 10_000
# Whether chunks are written by a second thread while the next ones are resolved (PostgreSQL).
CONCURRENT_WRITING = True
# Writer threads (connections) on PostgreSQL.
WRITERS = 2
# Chunks planned and not yet committed, at most: those being written and those queued.
_IN_FLIGHT = 4
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


def _counts_of(plan: ChunkPlan) -> Counts:
    counts = Counts()
    for planned in plan.rows:
        counts.customers_created += planned.customer_is_new
        counts.customers_matched += not planned.customer_is_new
        if planned.vehicle is not None:
            counts.vehicles_created += planned.vehicle_is_new
            counts.vehicles_matched += not planned.vehicle_is_new
        counts.rows_for_review += planned.review is not None
    return counts


@dataclass(eq=False)
class Batch:
    """A chunk handed to the writer: its rows to write, planned with their ids reserved (no
    plan: nothing to write, the batch only carries the progress in order)."""

    rows: list[Incoming]
    records: dict[str, KnownRecord]
    rows_read: int  # the rows read once this chunk is done, for the progress bar
    plan: ChunkPlan | None = None
    overlay: Overlay | None = None
    # The earlier batches whose overlays the plan drew on: written after they are committed.
    after: list[Batch] = field(default_factory=list)
    writer: ChunkWriter | None = None
    committed: bool = False
    settled: threading.Event = field(default_factory=threading.Event)


WRITTEN, REFUSED, SKIPPED, BROKEN = "written", "refused", "skipped", "broken"
_STOP = "stop"


class ChunkWriter:
    """A thread writing the planned chunks it is sent in order, each in its own transaction on
    the thread's own connection; psycopg lets other threads run while PostgreSQL works. Every
    batch gets one outcome, in order: WRITTEN; REFUSED (a DatabaseError: rolled back), which
    sets ``halted``, shared by the writers of one import: while it is set, and for a batch
    drawing on one that was not committed, SKIPPED; BROKEN (any other error: the thread ends)."""

    def __init__(
        self,
        *,
        run: ImportRun,
        actor: Any,
        set_wise_checks: bool,
        halted: threading.Event,
        number: int = 1,
    ) -> None:
        self.run, self.actor, self.set_wise_checks = run, actor, set_wise_checks
        self.halted = halted
        self.inbox: queue.Queue[Batch | str] = queue.Queue()
        self.outcomes: queue.Queue[tuple[Batch, str, BaseException | None]] = queue.Queue()
        self.abandoned = threading.Event()
        # The import's channel (a context variable) and language go along to the thread.
        context = contextvars.copy_context()
        self.thread = threading.Thread(
            target=context.run,
            args=(self._work, translation.get_language()),
            name=f"import-{run.pk}-writer-{number}",
            daemon=True,
        )
        self.thread.start()

    def send(self, batch: Batch) -> None:
        batch.writer = self
        self.inbox.put(batch)

    def outcome(self) -> tuple[Batch, str, BaseException | None]:
        while True:
            try:
                return self.outcomes.get(timeout=5)
            except queue.Empty:
                if not self.thread.is_alive():
                    raise RuntimeError(_("The import's writer ended unexpectedly.")) from None

    def stop(self, *, abandon: bool = False) -> None:
        """End the thread once it has written what it was sent (``abandon``: skip it)."""
        if abandon:
            self.abandoned.set()
        self.inbox.put(_STOP)
        self.thread.join()

    def _work(self, language: str | None) -> None:
        if language:
            translation.activate(language)
        try:
            while True:
                batch = self.inbox.get()
                if batch == _STOP:
                    return
                assert isinstance(batch, Batch)
                try:
                    outcome = self._write(batch)
                except BaseException as error:  # handed to the importing thread to raise
                    self.halted.set()
                    self._settle(batch, BROKEN, error)
                    return
                self._settle(batch, *outcome)
        finally:
            connection.close()  # the thread's own connection

    def _write(self, batch: Batch) -> tuple[str, BaseException | None]:
        for earlier in batch.after:  # written by the other writer: wait for its commit
            # A writer that broke leaves the batches queued behind its last one unsettled;
            # the import is then abandoned, which ends the wait.
            while not earlier.settled.wait(timeout=0.5):
                if self.abandoned.is_set():
                    return SKIPPED, None
        if self.halted.is_set() or self.abandoned.is_set():
            return SKIPPED, None
        if not all(earlier.committed for earlier in batch.after):
            return SKIPPED, None
        try:
            if batch.plan is not None:
                with transaction.atomic():
                    references = ReferenceCheck(enabled=self.set_wise_checks)
                    write_chunk(batch.plan, run=self.run, actor=self.actor, references=references)
        except DatabaseError as error:
            self.halted.set()
            return REFUSED, error
        return WRITTEN, None

    def _settle(self, batch: Batch, outcome: str, error: BaseException | None) -> None:
        batch.committed = outcome == WRITTEN
        batch.settled.set()
        self.outcomes.put((batch, outcome, error))


def concurrent_writing_possible() -> bool:
    """A writer thread on a second connection: PostgreSQL, outside the caller's transaction
    (whose rows a second connection would not see)."""
    return (
        CONCURRENT_WRITING and connection.vendor == "postgresql" and not connection.in_atomic_block
    )


@dataclass
class Importer:
    run: ImportRun
    actor: Any
    progress: Progress | None = None
    counts: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    # key -> (row hash, row number) of the rows seen so far in this file.
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)
    writers: list[ChunkWriter] = field(default_factory=list)
    halted: threading.Event = field(default_factory=threading.Event)
    # Batches sent to the writers and not yet taken in, oldest first.
    in_flight: deque[Batch] = field(default_factory=deque)
    sent: int = 0

    def execute(self, path: str | Path) -> Counts:
        mapping = self.run.mapping
        name = self.run.original_name
        with open_table(path, name=name) as table:
            check_recognisable(table.headers, mapping)
        with working_through(Channel.IMPORT), batch_collection():
            self.resolver = Resolver(Catalogue(), mapping)
            self.set_wise_checks = set_wise_checks_possible(TABLES_WRITTEN)
            # A source imported for the first time has no rows seen before: no chunk needs to
            # look its keys up (a run of the same source started alongside would collide on
            # the keys either way, and its rows are refused one by one).
            self.source_known = SourceRecord.objects.filter(source=self.run.source).exists()
            concurrent = concurrent_writing_possible()
            finished = False
            try:
                for chunk in chunks_ahead(path, name=name, mapping=mapping, size=CHUNK_SIZE):
                    if concurrent and not self.writers:
                        # Started once the reading process is forked (no thread is forked).
                        self.writers = [
                            ChunkWriter(
                                run=self.run,
                                actor=self.actor,
                                set_wise_checks=self.set_wise_checks,
                                halted=self.halted,
                                number=number,
                            )
                            for number in range(1, WRITERS + 1)
                        ]
                    self._chunk(chunk)
                while self.in_flight:
                    self._settle_oldest()
                finished = True
            finally:
                for writer in self.writers:
                    writer.stop(abandon=not finished)
                self.writers = []
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
        records = (
            known_records(self.run.source, [row.key for row in usable]) if self.source_known else {}
        )
        todo = []
        for incoming in usable:
            record = records.get(incoming.key)
            if record is not None and record.row_hash == incoming.row_hash:
                self.counts.rows_unchanged += 1
            else:
                todo.append(incoming)
        if self.writers:
            self._hand_over(Batch(todo, records, self.counts.rows_total))
            return
        if todo:
            self._write(todo, records)
        if self.progress:
            self.progress(self.counts.rows_total)

    # -- concurrent writing ---------------------------------------------------------------

    def _hand_over(self, batch: Batch) -> None:
        """Plan the batch against the database and the chunks still in flight, and send it to
        the writers in turn."""
        assert self.writers
        while len(self.in_flight) >= _IN_FLIGHT:
            self._settle_oldest()
        if batch.rows:
            earlier = [(b, b.overlay) for b in self.in_flight if b.overlay is not None]
            overlays = [overlay for _b, overlay in earlier]
            batch.plan = self.resolver.plan(batch.rows, batch.records, overlays)
            batch.after = [earlier[position][0] for position in sorted(batch.plan.drawn_on)]
            reserve(batch.plan)
            batch.overlay = Overlay.of(batch.plan)
        self.in_flight.append(batch)
        self.writers[self.sent % len(self.writers)].send(batch)
        self.sent += 1

    def _outcome(self, batch: Batch) -> tuple[str, BaseException | None]:
        assert batch.writer is not None
        settled, outcome, error = batch.writer.outcome()
        assert settled is batch, "outcomes come in the order batches were sent"
        if outcome == BROKEN:
            assert error is not None
            raise error
        return outcome, error

    def _settle_oldest(self) -> None:
        """Wait for the outcome of the oldest batch in flight and take it in."""
        batch = self.in_flight[0]
        outcome, _error = self._outcome(batch)
        if outcome == WRITTEN:
            self.in_flight.popleft()
            self._written(batch)
            return
        # Refused: it was rolled back, and the writers skip everything after it (a batch may
        # refer to what it would have created). Once every batch in flight has its outcome,
        # those not written are planned again and written here, in order, with those written
        # meanwhile taken in between (the halving retry of ``_write``).
        redo = list(self.in_flight)
        outcomes = [outcome] + [self._outcome(later)[0] for later in redo[1:]]
        self.in_flight.clear()
        self.halted.clear()
        for again, outcome in zip(redo, outcomes, strict=True):
            if outcome == WRITTEN:
                self._written(again)
                continue
            if again.rows:
                self._write(again.rows, again.records)
            if self.progress:
                self.progress(again.rows_read)

    def _written(self, batch: Batch) -> None:
        if batch.plan is not None:
            self._failed(batch.plan.errors)
            self.counts.add(_counts_of(batch.plan))
        if self.progress:
            self.progress(batch.rows_read)

    # -- sequential writing ---------------------------------------------------------------

    def _write(self, rows: list[Incoming], records: dict[str, KnownRecord]) -> None:
        try:
            with transaction.atomic():
                plan = self.resolver.plan(rows, records)
                reserve(plan)
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
        self.counts.add(_counts_of(plan))

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
