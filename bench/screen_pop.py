"""Screen pop: ``GET /api/v1/lookup?phone=…`` for random existing phones, against the bare
indexed SQL lookup of the same phones (contact point by (kind, normalised) -> customer)."""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from typing import Any
from urllib.parse import quote

from bench.harness import (
    Timings,
    http_get,
    load,
    milliseconds,
    not_available,
    route_exists,
    time_sql_each,
)

PATH = "/api/v1/lookup"
TITLE = "Screen pop: lookup by phone"
BARE_SQL = (
    'SELECT c."id", c."number", c."name" FROM "customers_contactpoint" p '
    'JOIN "customers_customer" c ON c."id" = p."customer_id" '
    'WHERE p."kind" = \'phone\' AND p."normalised" = %s'
)


def sample_phones(count: int) -> list[tuple[str, str]]:
    """(as typed, E.164) of ``count`` random mobile contact points, picked by random customer
    keys (ORDER BY random() would read the whole table)."""
    from django.db.models import Max, Min

    from autocrm.customers.models import ContactPoint

    rng = random.Random(1)
    bounds = ContactPoint.objects.aggregate(low=Min("customer_id"), high=Max("customer_id"))
    found: dict[str, str] = {}
    while len(found) < count:
        ids = [rng.randint(bounds["low"], bounds["high"]) for _ in range(count)]
        rows = ContactPoint.objects.filter(kind="phone", is_mobile=True, customer_id__in=ids)
        found.update(rows.values_list("normalised", "value"))
    return [(typed, e164) for e164, typed in itertools.islice(found.items(), count)]


def time_card_sql(phones: list[str]) -> Timings:
    """The card's data as bare SQL: the customer by phone, then its primary contacts, current
    vehicles and last three interactions (the statements ``customers.cards`` sends), in this
    process, without HTTP, Django or serialisation."""
    from django.db import connection

    from autocrm.customers.cards import _statements

    statements = _statements()
    timings = Timings()
    with connection.cursor() as cursor:
        for index, phone in enumerate([*phones[:20], *phones]):
            started = time.perf_counter()
            cursor.execute(statements["by_phone"], [phone])
            ids = [row[0] for row in cursor.fetchall()]
            marks = ", ".join(["%s"] * len(ids))
            for name in ("contacts", "vehicles", "interactions"):
                cursor.execute(statements[name].replace("{ids}", marks), ids)
                cursor.fetchall()
            if index >= 20:
                timings.samples.append(time.perf_counter() - started)
    return timings


def measure(bench: Any) -> dict[str, Any]:
    if not route_exists(PATH):
        return not_available(TITLE, f"`{PATH}` is not served by this version.")
    phones = sample_phones(bench.requests)
    headers = {"Authorization": f"Bearer {bench.token('call_center_agent')}"}
    # Half the queries as E.164, half as the agent typed them (spaces, dashes, +86).
    queries = itertools.cycle(
        [e164 if index % 2 else typed for index, (typed, e164) in enumerate(phones)]
    )
    lock = threading.Lock()

    def request() -> None:
        with lock:
            phone = next(queries)
        status, body = http_get(bench.address, f"{PATH}?phone={quote(phone)}", headers)
        if status != 200 or not json.loads(body)["cards"]:
            raise RuntimeError(f"lookup {phone!r} answered {status}: {body[:200]!r}")

    api = load(request, total=bench.requests, concurrency=bench.concurrency)
    bare = time_sql_each(BARE_SQL, [[e164] for _typed, e164 in phones])
    card = time_card_sql([e164 for _typed, e164 in phones])
    return {
        "title": TITLE,
        "description": (
            f"`GET {PATH}?phone=…` as a call-center agent (HQ: every customer in scope) for "
            f"{bench.requests:,} random existing mobiles, half in E.164 and half as typed, from "
            f"{bench.concurrency} concurrent clients on new loopback connections with a bearer "
            "token; the answer is the caller's card (customer, primary contacts, vehicles, "
            "manager, last three interactions). Bare SQL, in this process on one connection, for "
            "the same phones: *lookup* is the indexed contact point -> customer join alone; "
            "*card* is the same four statements the endpoint sends (customer by phone, primary "
            "contacts, current vehicles, last three interactions) without HTTP, Django or "
            "serialisation. Budget at 1 million customers on PostgreSQL: p50 under 5 ms, p99 "
            "under 20 ms, within 3x of the bare SQL."
        ),
        "header": ["", "p50", "p99", "API / this (p50)"],
        "rows": [
            ["API over HTTP", milliseconds(api.p50), milliseconds(api.p99), "1.0x"],
            [
                "bare SQL: card",
                milliseconds(card.p50),
                milliseconds(card.p99),
                f"{api.p50 / card.p50:.1f}x",
            ],
            [
                "bare SQL: lookup",
                milliseconds(bare.p50),
                milliseconds(bare.p99),
                f"{api.p50 / bare.p50:.1f}x",
            ],
        ],
    }
