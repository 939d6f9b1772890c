"""Set-based writes for the import: rows as plain tuples straight into a table.

A chunk of 10,000 source rows becomes some 70,000 table rows. Model instances and
``bulk_create`` cost more Python time per row than everything else in the import together, so
the writer takes tuples: COPY on PostgreSQL, one ``executemany`` INSERT on SQLite. Every column
the caller does not name gets the model field's default (timestamps: the chunk's ``now``), so
rows look exactly as the ORM would have written them. Errors surface as Django's
``DatabaseError`` subclasses, which the pipeline's retry relies on.

New customers and vehicles are referred to by the rows written after them (contact points,
ownerships, lineage), so their ids are reserved before they are written: ``reserve_ids``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from autocrm.core.bulkload import write_rows

if TYPE_CHECKING:
    from autocrm.imports.references import ReferenceCheck

# Parameters per statement stay under SQLite's limit (32,766) and PostgreSQL's (65,535).
_MAX_PARAMETERS = 30_000


class TableWriter:
    """Rows for one model's table: each row gives ``columns`` (attribute names: ``customer_id``)
    in order; every other column is filled with its field's default."""

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        now: datetime.datetime,
        references: ReferenceCheck,
    ) -> None:
        quote = connection.ops.quote_name
        self.model = model
        self.attnames = tuple(columns)
        self.references = references
        named = set(columns)
        defaults: list[tuple[str, Any]] = []
        for field in model._meta.concrete_fields:
            if field.attname in named or field.primary_key:
                continue
            automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            value = now if automatic else field.get_default()
            defaults.append((field.column, field.get_db_prep_save(value, connection)))
        self.table = quote(model._meta.db_table)
        by_attname = {field.attname: field.column for field in model._meta.concrete_fields}
        names = [by_attname[column] for column in columns]
        self.columns = ", ".join(quote(column) for column in [*names, *(c for c, _v in defaults)])
        self.width = len(names) + len(defaults)
        self.constants = tuple(value for _column, value in defaults)

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert the rows (all of them new: a conflict fails the chunk)."""
        rows = list(rows)
        if not rows:
            return
        if connection.vendor == "postgresql":
            with self.references.copying(self.model, self.attnames, rows):
                self._copy(self.table, rows)
            return
        constants = self.constants
        write_rows(self.table, self.columns, [row + constants for row in rows])

    def _copy(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        # Time stamps go as text: the driver formats a datetime slower than everything else
        # in a row together.
        constants = tuple(
            value.isoformat() if isinstance(value, datetime.datetime) else value
            for value in self.constants
        )
        write_rows(table, self.columns, (row + constants for row in rows))

    def insert_ignoring_conflicts(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert the rows, leaving out those a unique constraint already holds (rows for
        customers that exist: their phone or dealer link may be known). PostgreSQL: copied
        into a temporary table first, then inserted from it in one statement."""
        if not rows:
            return
        if connection.vendor == "postgresql":
            staging = connection.ops.quote_name(f"import_staging_{self.table.strip(chr(34))}")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                    f"SELECT {self.columns} FROM {self.table} WITH NO DATA"
                )
            self._copy(staging, rows)
            with (
                self.references.copying(self.model, self.attnames, list(rows)),
                connection.cursor() as cursor,
            ):
                cursor.execute(
                    f"INSERT INTO {self.table} ({self.columns}) "
                    f"SELECT {self.columns} FROM {staging} ON CONFLICT DO NOTHING; "
                    f"DROP TABLE {staging}"
                )
            return
        marks = "(" + ", ".join(["%s"] * self.width) + ")"
        per_statement = max(1, _MAX_PARAMETERS // self.width)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per_statement):
                batch = rows[start : start + per_statement]
                cursor.execute(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES "
                    f"{', '.join([marks] * len(batch))} ON CONFLICT DO NOTHING",
                    [value for row in batch for value in row + self.constants],
                )


def one_of(model: type[models.Model], field: str, values: Iterable[Any]) -> Any:
    """A filter condition: ``field`` (of ``model``'s own table) is one of thousands of
    ``values``. On PostgreSQL ``= ANY(array)``, one parameter, answered with one index probe
    per value (``IN (...)`` with thousands of placeholders costs more to prepare in the
    driver than to run); elsewhere ``__in``."""
    values = list(values)
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{field}__in": values})
    columns = {f.name: f.column for f in model._meta.concrete_fields}
    columns |= {f.attname: f.column for f in model._meta.concrete_fields}
    columns["pk"] = columns[model._meta.pk.name]
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(columns[field])}"
    array_type = "bigint[]" if isinstance(values[0], int) else "text[]"
    # The array behind a sub-select: the planner then counts on a few rows and probes the
    # index, whatever its statistics say about thousands of literal values (without fresh
    # statistics it would scan the whole table, on every chunk).
    return RawSQL(
        f"{column} = ANY(ARRAY(SELECT unnest(%s::{array_type})))",
        [array_literal(values)],
        output_field=BooleanField(),
    )


def array_literal(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal ('{1,2}', '{"a","b"}') of ints or strings, built here: the
    driver adapts a list element by element, in Python, slower than the query runs."""
    values = list(values)
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    parts = []
    for value in values:
        if isinstance(value, int):
            parts.append(str(int(value)))
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{escaped}"')
    return "{" + ",".join(parts) + "}"


@dataclass
class ChunkTables:
    """What every table write of one chunk shares: its time stamp and its reference check."""

    now: datetime.datetime
    references: ReferenceCheck

    def writer(self, model: type[models.Model], columns: Sequence[str]) -> TableWriter:
        return TableWriter(model, columns, now=self.now, references=self.references)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model``, which nobody else will use.

    PostgreSQL: drawn from the table's own sequence (not necessarily consecutive when others
    insert at the same time). SQLite: the next ones after the highest ever handed out; the
    caller's transaction holds the database's write lock from its start (``transaction_mode``
    IMMEDIATE), so nobody can take them in between."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name first: looked up per row, it costs more than nextval.
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column],
            )
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return [row[0] for row in cursor.fetchall()]
        assert connection.in_atomic_block, "ids are reserved inside the writing transaction"
        cursor.execute(f"SELECT MAX({model._meta.pk.column}) FROM {table}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        handed_out = cursor.fetchone()
        first = max(highest, handed_out[0] if handed_out else 0) + 1
    return list(range(first, first + count))
