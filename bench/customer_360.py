"""The customer 360 page for the seeded fleet customer (20 vehicles, 2,000 interactions)."""

from __future__ import annotations

from typing import Any

from bench.harness import http_get, load, milliseconds, not_available, route_exists

TITLE = "Customer 360 page"


def session_cookie(username: str) -> str:
    """A logged-in session for ``username``, made the way ``login()`` makes one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from autocrm.accounts.models import User

    user = User.objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def measure(bench: Any) -> dict[str, Any]:
    from autocrm.customers.models import Customer
    from autocrm.customers.seeds import FLEET_CUSTOMER_NAME

    customer = Customer.objects.filter(name=FLEET_CUSTOMER_NAME).order_by("pk").first()
    if customer is None or not route_exists(f"/customers/{customer.pk}/"):
        return not_available(TITLE, "The 360 page or the seeded fleet customer is missing.")
    path = f"/customers/{customer.pk}/"
    headers = {"Cookie": session_cookie("call_center_agent"), "Accept-Language": "zh-hans"}

    def request() -> None:
        status, body = http_get(bench.address, path, headers)
        if status != 200 or customer.name.encode() not in body:
            raise RuntimeError(f"{path} answered {status}: {body[:200]!r}")

    total = max(50, bench.requests // 5)
    page = load(request, total=total, concurrency=1, warm_up=5)
    vehicles = customer.ownerships.filter(ended_on__isnull=True).count()
    interactions = customer.interactions.count()
    return {
        "title": TITLE,
        "description": (
            f"`GET {path}` (the seeded fleet customer: {vehicles} vehicles, {interactions:,} "
            f"interactions) as a call-center agent with a session cookie, {total} requests from "
            "one client, latency measured by the client on loopback (so it includes the server's "
            "whole time). Budget: p95 under 150 ms."
        ),
        "header": ["p50", "p95", "p99"],
        "rows": [[milliseconds(page.p50), milliseconds(page.percentile(0.95)),
                  milliseconds(page.p99)]],
    }  # fmt: skip
