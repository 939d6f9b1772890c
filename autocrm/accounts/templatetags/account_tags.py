"""Template helpers for the account pages."""

from __future__ import annotations

import datetime
import math

from django import template

register = template.Library()


@register.filter
def whole_minutes(duration: datetime.timedelta | None) -> int | str:
    """A duration in minutes, rounded up (axes gives the lockout time as a timedelta)."""
    if not isinstance(duration, datetime.timedelta):
        return ""
    return max(1, math.ceil(duration.total_seconds() / 60))
