"""The pipeline (kanban) and forecast pages: the demo dealer's manager (the dealer with the most
open opportunities: thousands at large scale), its salesperson, the region manager above it and
headquarters (every open opportunity), against the bare SQL of the board's totals query."""

from __future__ import annotations

from typing import Any

from bench.customer_360 import session_cookie
from bench.harness import http_get, load, milliseconds, not_available, route_exists, time_sql

TITLE = "Pipeline (kanban) and forecast pages"
PAGE = "/sales/pipeline/"
FORECAST = "/sales/forecast/"
USERS = (
    ("dealer manager", "dealer_manager"),
    ("salesperson", "salesperson"),
    ("region manager", "region_manager"),
    ("headquarters", "analyst"),
)


def _totals_sql(dealer_id: int) -> tuple[str, list[Any]]:
    from autocrm.sales.choices import OPEN_STAGES

    return (
        "SELECT stage, count(*), sum(amount), sum(amount * probability) FROM sales_opportunity"
        " WHERE dealer_id = %s AND stage = ANY(%s) GROUP BY stage",
        [dealer_id, [str(stage) for stage in OPEN_STAGES]],
    )


def measure(bench: Any) -> dict[str, Any]:
    from autocrm.accounts.models import User
    from autocrm.sales.choices import OPEN_STAGES
    from autocrm.sales.models import Opportunity

    manager = User.objects.filter(username="dealer_manager").first()
    if not route_exists(PAGE) or manager is None or not Opportunity.objects.exists():
        return not_available(
            TITLE, "The pipeline page, the demo users or opportunities are missing."
        )
    open_at_dealer = Opportunity.objects.filter(
        dealer_id=manager.dealer_id, stage__in=OPEN_STAGES
    ).count()
    open_total = Opportunity.objects.filter(stage__in=OPEN_STAGES).count()
    total = max(20, bench.requests // 20)
    rows = []
    for label, username in USERS:
        if not User.objects.filter(username=username).exists():
            continue
        headers = {"Cookie": session_cookie(username), "Accept-Language": "zh-hans"}
        for page, path, marker in (
            ("pipeline", PAGE, b'data-testid="pipeline-board"'),
            ("forecast", FORECAST, b'data-testid="forecast-form"'),
        ):

            def request(
                path: str = path, headers: dict[str, str] = headers, marker: bytes = marker
            ) -> None:
                status, body = http_get(bench.address, path, headers)
                if status != 200 or marker not in body:
                    raise RuntimeError(f"{path} answered {status}: {body[:200]!r}")

            timings = load(request, total=total, concurrency=1, warm_up=3)
            rows.append(
                [f"{page}, {label}", milliseconds(timings.p50),
                 milliseconds(timings.percentile(0.95)), milliseconds(timings.p99)]
            )  # fmt: skip
    sql, params = _totals_sql(manager.dealer_id)
    bare = time_sql(sql, params, total=total)
    rows.append(
        ["bare SQL: the dealer's column totals", milliseconds(bare.p50),
         milliseconds(bare.percentile(0.95)), milliseconds(bare.p99)]
    )  # fmt: skip
    return {
        "title": TITLE,
        "description": (
            f"`GET {PAGE}` (a column per open stage: totals and the first 15 cards each) and "
            f"`GET {FORECAST}` (12 months by salesperson) with a session cookie, {total} requests "
            f"per row from one client on loopback. The demo dealer has {open_at_dealer:,} open "
            f"opportunities, headquarters sees {open_total:,}. Budget: server time under 150 ms."
        ),
        "header": ["request", "p50", "p95", "p99"],
        "rows": rows,
    }
