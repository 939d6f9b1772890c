"""A fixed-window request limit per client address, kept in Django's cache (shared by every
app server when the cache is Redis)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import Throttled


def client_address(request: HttpRequest) -> str:
    """The address the request came from. Behind a proxy, the proxy must set REMOTE_ADDR
    (never trust a client-sent X-Forwarded-For here: it would lift the limit)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def limit_requests(request: HttpRequest, *, name: str, limit: int, window_seconds: int) -> None:
    """Count this request against ``name``'s limit for the client's address; beyond ``limit``
    requests in the current window, raise ``Throttled`` (429 in the error envelope)."""
    window = int(time.time()) // window_seconds
    key = f"throttle:{name}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(key, 1, timeout=window_seconds + 1)
        count = 1
    if count > limit:
        raise Throttled(wait=window_seconds - int(time.time()) % window_seconds)
