"""Keeping ``PipelineTotal`` true: an opportunity's share (1, amount, amount x probability)
moves from the row of its old (dealer, stage) to the row of its new one whenever it is saved,
with one upsert per row touched (``INSERT ... ON CONFLICT DO UPDATE``: concurrent saves add up
instead of overwriting each other). ``rebuild`` recomputes the whole table from the
opportunities in one statement, for bulk writes that bypass ``save``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction

from autocrm.sales.models.pipeline_totals import PipelineTotal

_TABLE = PipelineTotal._meta.db_table


class Share(NamedTuple):
    """What one opportunity adds to its (dealer, stage) row."""

    dealer_id: int
    stage: str
    amount: Decimal
    probability: int

    @classmethod
    def of(cls, opportunity: Any) -> Share | None:
        if opportunity.dealer_id is None or not opportunity.stage:
            return None
        return cls(
            opportunity.dealer_id,
            str(opportunity.stage),
            Decimal(opportunity.amount or 0).quantize(Decimal("0.01")),
            int(opportunity.probability or 0),
        )


def _add(share: Share, sign: int) -> None:
    amount = share.amount * sign
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (dealer_id, stage, opportunities, amount, weighted)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (dealer_id, stage) DO UPDATE SET"
            f" opportunities = {_TABLE}.opportunities + excluded.opportunities,"
            f" amount = {_TABLE}.amount + excluded.amount,"
            f" weighted = {_TABLE}.weighted + excluded.weighted",
            [share.dealer_id, share.stage, sign, amount, amount * share.probability],
        )


def move(before: Share | None, after: Share | None) -> None:
    """Take ``before`` out of its row and put ``after`` into its own (either may be None:
    created, or not counted)."""
    if before == after:
        return
    if before is not None:
        _add(before, -1)
    if after is not None:
        _add(after, +1)


@transaction.atomic
def rebuild() -> int:
    """Recompute every row from the opportunities (one DELETE, one INSERT ... SELECT); the
    number of rows written."""
    from autocrm.sales.models import Opportunity

    source = Opportunity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE}")
        cursor.execute(
            f"INSERT INTO {_TABLE} (dealer_id, stage, opportunities, amount, weighted)"
            " SELECT dealer_id, stage, COUNT(*), SUM(amount), SUM(amount * probability)"
            f" FROM {source} GROUP BY dealer_id, stage"
        )
        return cursor.rowcount
