"""Loading millions of rows fast: the demo seeders and other bulk loads write through here.

``BulkWriter`` sends plain tuples to one table (COPY on PostgreSQL, batched INSERTs elsewhere),
with no model instances and no signals. ``indexes_deferred`` is what ``pg_restore`` does: on
PostgreSQL the secondary indexes, unique constraints and foreign keys of the loaded tables are
dropped for the load and recreated after it, in the same transaction. Building an index once
over sorted data is far cheaper than maintaining it row by row, and adding a foreign key checks
every row with one join, where a deferred constraint queues a trigger per row and runs them all
at COMMIT (minutes for tens of millions of rows).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection


def write_rows(table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``, a quoted column list) into the
    quoted ``table``: COPY on PostgreSQL, one ``executemany`` elsewhere. Database errors come
    out as Django's, as from any query."""
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        rows = list(rows)
        if rows:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


class BulkWriter:
    """Rows (tuples in ``columns`` order) into one table, in batches (``write_rows``)."""

    def __init__(self, model: Any, columns: Sequence[str], batch_size: int = 20_000) -> None:
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(column) for column in columns)
        self.batch_size = batch_size
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, *row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        write_rows(self.table, self.columns, self.rows)
        self.count += len(self.rows)
        self.rows = []


def next_id(model: Any) -> int:
    """The first free primary key of ``model``'s table (rows are then written with explicit
    keys, and ``after_explicit_ids`` moves the sequence past them)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
        return int(cursor.fetchone()[0] or 0) + 1


def after_explicit_ids(model: Any) -> None:
    """Rows were written with explicit keys: move PostgreSQL's sequence past them."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
        )


def analyze(models: Iterable[Any] | None = None) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL plans by them from row one): of
    ``models``' tables, or of every table (the small ones too: a planner that guesses a hundred
    users where there are thousands picks worse plans)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if models is None:
            cursor.execute("ANALYZE")
            return
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


_CONSTRAINTS = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
    FROM pg_constraint
    WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
    ORDER BY contype, conname
"""
_INDEXES = """
    SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
    FROM pg_index
    WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = pg_index.indexrelid)
    ORDER BY 1
"""


@contextlib.contextmanager
def indexes_deferred(models: Iterable[Any]) -> Iterator[None]:
    """Load ``models``' tables without their secondary indexes and constraints (PostgreSQL;
    elsewhere nothing changes). Must run inside the loading transaction: should the load fail,
    the rollback restores the dropped definitions too. Primary keys stay."""
    tables = sorted({model._meta.db_table for model in models})
    if connection.vendor != "postgresql" or not tables:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(_CONSTRAINTS, [tables])
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES, [tables])
        indexes = cursor.fetchall()
        # Foreign keys first ('f' sorts before 'u'): one may lean on a unique constraint.
        for table, name, _definition, _kind in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _kind in sorted(constraints, key=lambda c: c[3] == "f"):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
