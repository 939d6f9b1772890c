"""Filter pieces shared by every app's FilterSets."""

from __future__ import annotations

from typing import Any

import django_filters

# The largest value a primary key column holds (PostgreSQL bigint, SQLite integer).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on a record id: a whole number the database can compare, else a field error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
