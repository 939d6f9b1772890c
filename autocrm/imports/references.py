"""Foreign keys of a chunk checked once per parent table instead of once per row (PostgreSQL).

PostgreSQL checks a foreign key with a trigger per inserted row: a query that finds the parent
row and locks it FOR KEY SHARE, so that it cannot go away before the commit. A chunk writes some
fifteen references per source row (vehicle -> model and dealer, ownership -> vehicle, customer
and dealer, lineage -> customer, vehicle and run, ...), and those checks cost PostgreSQL more
than the inserts themselves. ``ReferenceCheck`` gives the same guarantee set-wise: before a COPY
it locks the parent rows the copied rows refer to, one ``SELECT ... FOR KEY SHARE`` per foreign
key column over the distinct ids (rows this transaction inserted are its own: nobody else can
see, let alone delete them), and fails the chunk when one is missing, as the trigger would.
The per-row triggers are then off for that COPY alone (``SET LOCAL session_replication_role =
replica``; unique and check constraints stay in force).

Only where that is both allowed and safe: the database role may change the setting (a
superuser, or ``GRANT SET ON PARAMETER session_replication_role``), and no table the import
writes has triggers of its own, which the setting would switch off too. Elsewhere (and on
SQLite) every row is checked by the database as usual.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, models

from autocrm.imports.bulk import array_literal

_ALLOWED = """
    SELECT rolsuper OR (
        current_setting('server_version_num')::int >= 150000
        AND has_parameter_privilege('session_replication_role', 'SET')
    )
    FROM pg_roles WHERE rolname = current_user
"""
_OWN_TRIGGERS = """
    SELECT count(*) FROM pg_trigger
    WHERE NOT tgisinternal AND tgrelid = ANY(%s::text[]::regclass[])
"""


def set_wise_checks_possible(models_written: Sequence[type[models.Model]]) -> bool:
    """Whether foreign keys of rows copied into ``models_written`` may be checked set-wise."""
    if connection.vendor != "postgresql":
        return False
    tables = [model._meta.db_table for model in models_written]
    with connection.cursor() as cursor:
        cursor.execute(_ALLOWED)
        allowed = cursor.fetchone()
        if not (allowed and allowed[0]):
            return False
        cursor.execute(_OWN_TRIGGERS, [[connection.ops.quote_name(t) for t in tables]])
        return bool(cursor.fetchone()[0] == 0)


class ReferenceCheck:
    """The parent rows one transaction (one chunk) has locked or inserted itself."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.settled: dict[str, set[Any]] = defaultdict(set)  # parent table -> ids

    def inserted(self, model: type[models.Model], ids: Sequence[Any]) -> None:
        """Rows this transaction inserted: they exist, and only it can see them."""
        self.settled[model._meta.db_table].update(ids)

    @contextmanager
    def copying(
        self, model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> Iterator[None]:
        """Around one COPY of ``rows`` (``columns`` in order) into ``model``'s table: lock the
        parents, and copy without the per-row checks (or, disabled, just copy)."""
        if not self.enabled:
            yield
            return
        fields: dict[str, Any] = {field.attname: field for field in model._meta.concrete_fields}
        for position, column in enumerate(columns):
            field = fields[column]
            if field.many_to_one and field.db_constraint:
                self._lock_parents(field, {row[position] for row in rows} - {None})
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    def _lock_parents(self, field: Any, ids: set[Any]) -> None:
        parent = field.related_model
        table = parent._meta.db_table
        wanted = ids - self.settled[table]
        if not wanted:
            return
        target = field.target_field
        column = connection.ops.quote_name(target.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM {connection.ops.quote_name(table)} "
                f"WHERE {column} = ANY(%s::{target.rel_db_type(connection)}[]) FOR KEY SHARE",
                [array_literal(wanted)],
            )
            found = {row[0] for row in cursor.fetchall()}
        missing = wanted - found
        if missing:
            raise IntegrityError(
                f"{field.model._meta.db_table}.{field.column} refers to missing "
                f"{table} rows: {sorted(missing)[:5]}"
            )
        self.settled[table].update(found)
