"""Fixed statements on hot paths (the screen pop, API token checks) run prepared on PostgreSQL.

Django binds parameters on the client, so PostgreSQL plans every statement again; for the
screen pop's short index probes planning took longer than running them. ``prepared_cursor``
gives a Django cursor (logged, error-wrapped) over a psycopg cursor that binds on the server, so
psycopg prepares a statement once it has run a few times on a connection (``prepare_threshold``
in the database settings) and PostgreSQL plans it once per connection. Only statements sent
through this cursor are prepared; the ORM's are not. Behind a connection pooler in transaction
mode, the pooler must support prepared statements (PgBouncer 1.21+ with
``max_prepared_statements``), or set ``prepare_threshold`` to ``None``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from django.db import connection

_cursor_class = functools.cache(lambda: _server_bound_cursor_class())


def _server_bound_cursor_class() -> Any:
    import psycopg

    class ServerBoundCursor(psycopg.Cursor):
        def _send_query_prepared(self, name: bytes, pgq: Any, *, binary: Any = None) -> None:
            super()._send_query_prepared(name, pgq, binary=binary)
            # psycopg leaves the statement unset when it runs a prepared one; Django's query log
            # (debug pages, query counts in tests) reads it.
            self._query = pgq

    return ServerBoundCursor


@contextlib.contextmanager
def prepared_cursor() -> Iterator[Any]:
    """A cursor for fixed SQL with ``%s`` placeholders (elsewhere than PostgreSQL, the usual
    cursor)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = _cursor_class()(connection.connection)
    cursor = (
        connection.make_debug_cursor(raw)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with cursor:
        yield cursor
