"""The dealer list API at a deep keyset page, against the bare SQL of the same query."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bench.harness import Timings, http_get, load, milliseconds, time_sql

PATH = "/api/v1/network/dealers"
PAGE_SIZE = 50
HEADER = ["user", "dealers in scope", "page", "API p50", "API p99", "SQL p50", "SQL p99",
          "API/SQL (p50)"]  # fmt: skip


def _deepest_cursor(address: str, headers: dict[str, str]) -> tuple[str | None, int]:
    """Walk the pages from the first to the last; the cursor that opens the last one."""
    cursor: str | None = None
    page = 1
    while True:
        query = {"limit": PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
        status, body = http_get(address, f"{PATH}?{urlencode(query)}", headers)
        if status != 200:
            raise RuntimeError(f"{PATH} answered {status}: {body[:200]!r}")
        next_cursor = json.loads(body)["next_cursor"]
        if next_cursor is None:
            return cursor, page
        cursor, page = next_cursor, page + 1


def _list_query(username: str, cursor: str | None) -> tuple[str, Any, int]:
    """The SELECT the API runs for this page (captured from the same code path), and the number
    of dealers in the user's scope."""
    from django.db import connection

    from autocrm.accounts.models import User
    from autocrm.core.pagination import keyset_page
    from autocrm.network.models import Dealer

    user = User.objects.get(username=username)
    queryset = Dealer.objects.visible_to(user).select_related("region")
    captured: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        keyset_page(queryset, ordering=("code",), cursor=cursor, limit=PAGE_SIZE)
    selects = [(sql, params) for sql, params in captured if '"network_dealer"' in sql]
    sql, params = selects[-1]
    return sql, params, queryset.count()


def measure(bench: Any) -> dict[str, Any]:
    """Returns a report section: one row per user (an HQ analyst, a region manager)."""
    rows = []
    for username, who in (("analyst", "HQ analyst"), ("region_manager", "region manager (华东)")):
        headers = {"Authorization": f"Bearer {bench.token(username)}", "Accept": "application/json"}
        cursor, page = _deepest_cursor(bench.address, headers)
        query = {"limit": PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
        path = f"{PATH}?{urlencode(query)}"

        def request(path: str = path, headers: dict[str, str] = headers) -> None:
            status, body = http_get(bench.address, path, headers)
            if status != 200 or not json.loads(body)["items"]:
                raise RuntimeError(f"unexpected answer {status}: {body[:200]!r}")

        api: Timings = load(request, total=bench.requests, concurrency=bench.concurrency)
        sql, params, in_scope = _list_query(username, cursor)
        bare: Timings = time_sql(sql, params, total=bench.requests)
        rows.append(
            [
                who,
                f"{in_scope:,}",
                f"{page} of {page}",
                milliseconds(api.p50),
                milliseconds(api.p99),
                milliseconds(bare.p50),
                milliseconds(bare.p99),
                f"{api.p50 / bare.p50:.1f}x",
            ]
        )
    return {
        "title": "Dealer list API, deepest keyset page",
        "description": (
            f"`GET {PATH}?limit={PAGE_SIZE}&cursor=…` for the last page of the user's dealers, "
            f"{bench.requests:,} requests from {bench.concurrency} concurrent clients, each on a "
            "new loopback connection with a bearer token; latency measured by the client "
            "(connect, authenticate, scope, query, serialise). Bare SQL: the same SELECT, captured "
            f"from the same code path, run {bench.requests:,} times through the DB-API cursor in "
            "this process (execute and fetch all rows). Budget: any list page at any depth under "
            "100 ms."
        ),
        "header": HEADER,
        "rows": rows,
    }
