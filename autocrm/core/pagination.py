"""Keyset ("seek") pagination for lists and the API.

A page is the first ``limit`` rows after the cursor in a fixed, unique ordering, so reading page
10,000 costs the same as reading page 1 when the ordering is backed by an index. The cursor is an
opaque, URL-safe token holding the last row's ordering values.
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q

from autocrm.core.errors import InvalidCursor

RowT = TypeVar("RowT", bound=models.Model)


@dataclass
class KeysetPage(Generic[RowT]):
    items: list[RowT]
    next_cursor: str | None
    ordering: tuple[str, ...]

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _encode(values: list[Any]) -> str:
    plain = [
        v.isoformat() if isinstance(v, datetime.date | datetime.datetime) else v for v in values
    ]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor from error
    if not isinstance(values, list) or len(values) != size:
        raise InvalidCursor
    for value in values:
        # Only what _encode writes; a NUL or a number past 64 bits would upset the database.
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidCursor
        if isinstance(value, str) and "\x00" in value:
            raise InvalidCursor
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise InvalidCursor
    return values


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering``: (a > x) or (a = x and b > y) or ..."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        operator = "lt" if field.startswith("-") else "gt"
        if value is None:
            raise InvalidCursor
        condition |= equal_so_far & Q(**{f"{name}__{operator}": value})
        equal_so_far &= Q(**{name: value})
    return condition


def keyset_page(
    queryset: models.QuerySet[RowT],
    *,
    ordering: tuple[str, ...],
    cursor: str | None,
    limit: int,
) -> KeysetPage[RowT]:
    """One page of ``queryset``; ``ordering`` must end with a unique field (normally ``pk``)."""
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(ordering, _decode(cursor, len(ordering))))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([_value(last, field.lstrip("-")) for field in ordering])
    return KeysetPage(items=rows, next_cursor=next_cursor, ordering=ordering)


def _value(row: models.Model, lookup: str) -> Any:
    value: Any = row
    for part in lookup.split("__"):
        value = getattr(value, "pk" if part == "pk" else part)
    return value
