"""Time per stage for the funnel report: how many days leads (or opportunities) stayed in each
status (stage), from their history rows, in one window query per history table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def _days_between(vendor: str, start: str, end: str) -> str:
    if vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0"
    return f"(julianday({end}) - julianday({start}))"


# The last step of the time-per-stage query: stays, average and median days per stage. The
# median is the middle stay, or the mean of the two middle ones: PostgreSQL's percentile_cont
# sorts once per stage; elsewhere (SQLite) the middle rows are picked by ROW_NUMBER.
_MEDIANS = {
    True: """
        SELECT stage, COUNT(*), AVG(days), percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
        FROM stays GROUP BY stage
    """,
    False: """
        , ranked AS (
            SELECT stage, days,
                   ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) AS position,
                   COUNT(*) OVER (PARTITION BY stage) AS stays
            FROM stays
        )
        SELECT stage, MAX(stays), AVG(days),
               AVG(CASE WHEN position IN ((stays + 1) / 2, (stays + 2) / 2) THEN days END)
        FROM ranked GROUP BY stage
    """,
}


def time_in_stages(
    history: type[Any], owner_column: str, owners: QuerySet[Any], steps: Sequence[str]
) -> dict[str, tuple[int, float | None, float | None]]:
    """stage -> (stays, average days, median days) over the completed stays in the
    ``history`` table of the ``owners`` (leads or opportunities; a stay ends at the owner's
    next change). The next change comes from ``LEAD`` over ``changed_at``; the median is the
    middle row (or the mean of the two middle rows) by ``ROW_NUMBER``, so PostgreSQL and SQLite
    give the same figures."""
    table = history._meta.db_table
    stage_column = "to_status" if owner_column == "lead_id" else "to_stage"
    owners = owners.values("pk")
    try:
        owners_sql, params = owners.query.get_compiler(using=owners.db).as_sql()
    except EmptyResultSet:  # a user who sees nothing
        return {}
    vendor = connections[owners.db].vendor
    placeholders = ", ".join(["%s"] * len(steps))
    sql = f"""
        WITH steps AS (
            SELECT h.{stage_column} AS stage, h.changed_at AS started,
                   LEAD(h.changed_at) OVER (
                       PARTITION BY h.{owner_column} ORDER BY h.changed_at, h.id
                   ) AS ended
            FROM {table} h
            WHERE h.{owner_column} IN ({owners_sql})
        ),
        stays AS (
            SELECT stage, {_days_between(vendor, "started", "ended")} AS days
            FROM steps WHERE ended IS NOT NULL AND stage IN ({placeholders})
        )
        {_MEDIANS[vendor == "postgresql"]}
    """
    with connections[owners.db].cursor() as cursor:
        cursor.execute(sql, [*params, *steps])
        return {row[0]: (int(row[1]), _float(row[2]), _float(row[3])) for row in cursor.fetchall()}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
