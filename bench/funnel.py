"""The sales funnel report page at headquarters' scope: every lead of the last 12 months, with
and without a grouping, and the same figures from the API."""

from __future__ import annotations

from typing import Any

from bench.customer_360 import session_cookie
from bench.harness import http_get, load, milliseconds, not_available, route_exists

TITLE = "Sales funnel report"
PAGE = "/analytics/funnel/"
API = "/api/v1/analytics/funnel"
# The seeded headquarters analyst sees every lead.
USER = "analyst"


def _dataset() -> str:
    from autocrm.sales.models import Lead, LeadStatusChange, Opportunity, OpportunityStageChange

    counts: list[tuple[Any, str]] = [
        (Lead, "leads"),
        (LeadStatusChange, "lead status changes"),
        (Opportunity, "opportunities"),
        (OpportunityStageChange, "opportunity stage changes"),
    ]
    return ", ".join(f"{model.objects.count():,} {label}" for model, label in counts)


def measure(bench: Any) -> dict[str, Any]:
    from autocrm.accounts.models import User

    if not route_exists(PAGE) or not User.objects.filter(username=USER).exists():
        return not_available(TITLE, "The funnel page or the seeded analyst is missing.")
    page_headers = {"Cookie": session_cookie(USER), "Accept-Language": "zh-hans"}
    api_headers = {"Authorization": f"Bearer {bench.token(USER)}"}
    cold, warm = max(5, bench.requests // 100), max(20, bench.requests // 20)
    rows = []
    for label, path, headers, marker, total in (
        ("page, computed", f"{PAGE}?fresh=1", page_headers, b'id="funnel-data"', cold),
        ("page, kept", PAGE, page_headers, b'id="funnel-data"', warm),
        ("page by dealer, computed", f"{PAGE}?group_by=dealer&fresh=1", page_headers,
         b'id="funnel-data"', cold),
        ("page by region, computed", f"{PAGE}?group_by=region&fresh=1", page_headers,
         b'id="funnel-data"', cold),
        ("API, computed", f"{API}?fresh=true", api_headers, b'"stages"', cold),
        ("API, kept", API, api_headers, b'"stages"', warm),
    ):  # fmt: skip

        def request(
            path: str = path, headers: dict[str, str] = headers, marker: bytes = marker
        ) -> None:
            status, body = http_get(bench.address, path, headers)
            if status != 200 or marker not in body:
                raise RuntimeError(f"{path} answered {status}: {body[:200]!r}")

        timings = load(request, total=total, concurrency=1, warm_up=2)
        rows.append(
            [label, str(total), milliseconds(timings.p50), milliseconds(timings.percentile(0.95)),
             milliseconds(max(timings.samples))]
        )  # fmt: skip
    return {
        "title": TITLE,
        "description": (
            f"`GET {PAGE}` (the last 12 months; {_dataset()}) as the headquarters analyst with "
            f"a session cookie, grouped by dealer and by region, and `GET {API}` with a bearer "
            'token, one client, latency measured by the client on loopback. "computed" asks '
            'for a fresh report (`fresh=1`: every query runs); "kept" repeats the same '
            "request, answered from the report kept for 5 minutes. Budget: under 1 s."
        ),
        "header": ["request", "requests", "p50", "p95", "max"],
        "rows": rows,
    }
