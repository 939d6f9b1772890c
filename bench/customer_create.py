"""Creating a customer through the API with a phone (the duplicate check included)."""

from __future__ import annotations

import json
import threading
from typing import Any

from bench.harness import http_request, load, milliseconds, not_available, route_exists

PATH = "/api/v1/customers"
TITLE = "Create a customer through the API"


def measure(bench: Any) -> dict[str, Any]:
    if not route_exists(PATH):
        return not_available(TITLE, f"`POST {PATH}` is not served by this version.")
    from django.db.models import Max

    from autocrm.customers.models import Customer

    headers = {
        "Authorization": f"Bearer {bench.token('salesperson')}",
        "Content-Type": "application/json",
    }
    # Fresh mobiles in a range the seeders never hand out (prefix 147), one per request.
    start = (Customer.objects.aggregate(top=Max("id"))["top"] or 0) % 10**7
    counter = iter(range(start * 10, start * 10 + 10**8))
    lock = threading.Lock()

    def request() -> None:
        with lock:
            serial = next(counter)
        body = json.dumps(
            {
                "kind": "individual",
                "name": f"压测客户{serial % 10000}",
                "contact_points": [{"kind": "phone", "value": f"147{serial % 10**8:08d}"}],
            }
        ).encode()
        status, answer = http_request(bench.address, "POST", PATH, headers, body)
        if status != 201:
            raise RuntimeError(f"POST {PATH} answered {status}: {answer[:300]!r}")

    total = max(100, bench.requests // 5)
    created = load(request, total=total, concurrency=1, warm_up=5)
    return {
        "title": TITLE,
        "description": (
            f"`POST {PATH}` as a salesperson: a person with one new mobile (the service checks "
            f"for duplicates by phone before it writes), {total} requests from one client. "
            "Budget: p50 under 15 ms."
        ),
        "header": ["p50", "p99"],
        "rows": [[milliseconds(created.p50), milliseconds(created.p99)]],
    }
