"""Times people send without an offset ("2026-03-01T10:00" from the API or a script) are the
app's local time (``TIME_ZONE``, Asia/Shanghai), as the pages' forms read them."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone


def local_if_naive(moment: Any) -> Any:
    """``moment`` with the local time zone when it has none; anything else unchanged."""
    if isinstance(moment, datetime.datetime) and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment
