"""Migration operations the apps share."""

from __future__ import annotations

from typing import Any

from django.db import migrations


class DropColumnIndex(migrations.operations.base.Operation):
    """Drop the index Django made for one column by itself: a foreign key's, or on PostgreSQL
    the ``varchar_pattern_ops`` twin (``like=True``) of a unique or indexed text column, where
    a composite index already starts with the column or nothing searches it by prefix. Every
    index is one more write on each insert. The model state does not change (pair it with an
    ``AlterField`` to ``db_index=False`` in ``SeparateDatabaseAndState`` for a foreign key);
    going back recreates the index."""

    reversible = True

    def __init__(self, model_name: str, column: str, *, like: bool = False) -> None:
        self.model_name = model_name
        self.column = column
        self.like = like

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _target(self, app_label: str, schema_editor: Any, state: Any) -> tuple[str, str] | None:
        if self.like and schema_editor.connection.vendor != "postgresql":
            return None  # only PostgreSQL makes the pattern-ops twin
        table = state.apps.get_model(app_label, self.model_name)._meta.db_table
        suffix = "_like" if self.like else ""
        return table, schema_editor._create_index_name(table, [self.column], suffix=suffix)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        target = self._target(app_label, schema_editor, from_state)
        if target is not None:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(target[1])}")

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        target = self._target(app_label, schema_editor, to_state)
        if target is not None:
            table, name = target
            column = schema_editor.quote_name(self.column)
            opclass = " varchar_pattern_ops" if self.like else ""
            schema_editor.execute(
                f"CREATE INDEX {schema_editor.quote_name(name)} "
                f"ON {schema_editor.quote_name(table)} ({column}{opclass})"
            )

    def describe(self) -> str:
        kind = "pattern-ops index" if self.like else "index"
        return f"Drop the {kind} of {self.model_name}.{self.column}"
