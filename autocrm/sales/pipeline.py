"""Reads behind the pipeline (kanban) page and the forecast, always within the user's scope
(a salesperson: their own opportunities).

The board is one GROUP BY for the column totals (over ``PipelineTotal``, kept per dealer and
stage, unless narrowed to a salesperson or a model) plus one indexed query per open stage for its
first cards (longest in the stage first, keyset on ``stage_changed_at, id``: "more" costs what
the first page costs). The forecast is one GROUP BY query over open opportunities by
expected-close month and the chosen grouping.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from autocrm.core.pagination import KeysetPage, keyset_page
from autocrm.core.scoping import limited_to_own_records
from autocrm.sales.choices import OPEN_STAGES, ForecastGrouping, OpportunityStage
from autocrm.sales.models import Opportunity, PipelineTotal

CARDS_PER_COLUMN = 15
CARD_ORDERING = ("stage_changed_at", "id")
FORECAST_MONTHS = 12


def _weighted() -> ExpressionWrapper:
    """amount x probability (per cent), summed and divided by 100 afterwards."""
    return ExpressionWrapper(
        F("amount") * F("probability"), output_field=DecimalField(max_digits=18, decimal_places=2)
    )


@dataclass(frozen=True)
class PipelineFilters:
    dealer_id: int | None = None
    salesperson_id: int | None = None
    vehicle_model_id: int | None = None

    def q(self) -> Q:
        condition = Q()
        if self.dealer_id:
            condition &= Q(dealer_id=self.dealer_id)
        if self.salesperson_id:
            condition &= Q(salesperson_id=self.salesperson_id)
        if self.vehicle_model_id:
            condition &= Q(vehicle_model_id=self.vehicle_model_id)
        return condition

    def query_string(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("dealer", self.dealer_id),
                ("salesperson", self.salesperson_id),
                ("vehicle_model", self.vehicle_model_id),
            )
            if value
        ]
        return "&".join(parts)


@dataclass
class Column:
    stage: OpportunityStage
    count: int = 0
    amount: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    cards: list[Opportunity] = field(default_factory=list)
    next_cursor: str | None = None


def _scoped(user: Any, filters: PipelineFilters) -> QuerySet[Opportunity]:
    return Opportunity.objects.visible_to(user, owner_field="salesperson").filter(filters.q())


def column_cards(
    user: Any, stage: str, filters: PipelineFilters, *, cursor: str | None = None
) -> KeysetPage[Opportunity]:
    """One page of a column's cards, with what a card shows, in one query."""
    rows = (
        _scoped(user, filters)
        .filter(stage=stage)
        .select_related("customer", "vehicle_model", "salesperson")
        .only(
            "number",
            "stage",
            "amount",
            "probability",
            "expected_close",
            "stage_changed_at",
            "version",
            "customer__name",
            "vehicle_model__name",
            "vehicle_model__configuration",
            "salesperson__display_name",
        )
    )
    return keyset_page(rows, ordering=CARD_ORDERING, cursor=cursor, limit=CARDS_PER_COLUMN)


def _column_totals(user: Any, filters: PipelineFilters) -> QuerySet[Any, dict[str, Any]]:
    """Count, amount and weighted amount x 100 per open stage. Per dealer and stage they are
    kept in ``PipelineTotal`` (headquarters sums a few thousand rows, not every open
    opportunity); a board narrowed to a salesperson or a model, or a salesperson's own,
    sums its opportunities from their indexes."""
    if filters.salesperson_id or filters.vehicle_model_id or limited_to_own_records(user):
        return (
            _scoped(user, filters)
            .filter(stage__in=OPEN_STAGES)
            .values("stage")
            .annotate(count=Count("id"), total=Sum("amount"), weighted=Sum(_weighted()))
            .order_by()
        )
    kept = PipelineTotal.objects.visible_to(user).filter(stage__in=OPEN_STAGES)
    if filters.dealer_id:
        kept = kept.filter(dealer_id=filters.dealer_id)
    return (
        kept.values("stage")
        .annotate(count=Sum("opportunities"), total=Sum("amount"), weighted=Sum("weighted"))
        .order_by()
    )


def pipeline_board(user: Any, filters: PipelineFilters) -> list[Column]:
    """A column per open stage with its totals (count, amount, weighted amount) and its
    first cards."""
    columns = {stage: Column(stage=stage) for stage in OPEN_STAGES}
    for row in _column_totals(user, filters):
        column = columns[OpportunityStage(row["stage"])]
        column.count = row["count"]
        column.amount = Decimal(row["total"] or 0)
        column.weighted = (Decimal(row["weighted"] or 0) / 100).quantize(Decimal("0.01"))
    for stage, column in columns.items():
        if column.count:
            page = column_cards(user, stage, filters)
            column.cards, column.next_cursor = page.items, page.next_cursor
    return list(columns.values())


# --- the forecast ----------------------------------------------------------------------------

# The grouping's key, as a lookup from an opportunity. Dealers sit at a city: the region is the
# sales area above its province.
_GROUP_KEYS = {
    ForecastGrouping.SALESPERSON: "salesperson_id",
    ForecastGrouping.DEALER: "dealer_id",
    ForecastGrouping.REGION: "dealer__region__parent__parent_id",
}


def _labels(grouping: ForecastGrouping, keys: set[Any]) -> dict[Any, str]:
    """The names of the groups found, in one query on their primary keys."""
    from autocrm.accounts.models import User
    from autocrm.network.models import Dealer, Region

    found = {key for key in keys if key is not None}
    if grouping == ForecastGrouping.SALESPERSON:
        return {user.pk: str(user) for user in User.objects.filter(pk__in=found)}
    model = Dealer if grouping == ForecastGrouping.DEALER else Region
    return dict(model.objects.filter(pk__in=found).values_list("pk", "name"))


@dataclass
class ForecastRow:
    key: int | None
    label: str
    by_month: list[Decimal]
    total: Decimal


@dataclass
class Forecast:
    grouping: str
    months: list[datetime.date]
    rows: list[ForecastRow]
    month_totals: list[Decimal]
    total: Decimal
    flat: list[dict[str, Any]]


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1, day=1)


def forecast(
    user: Any,
    *,
    grouping: str = ForecastGrouping.SALESPERSON,
    start: datetime.date | None = None,
    months: int = FORECAST_MONTHS,
) -> Forecast:
    """Expected amount (amount x probability) of the open opportunities the user sees, by
    expected-close month from ``start``'s month for ``months`` months, grouped by salesperson,
    dealer or region: one GROUP BY query on the group's key, then one query for the names.
    Rows come sorted by name."""
    first = _month_start(start or timezone.localdate())
    end = _add_months(first, months)
    chosen = ForecastGrouping(grouping)
    key = _GROUP_KEYS[chosen]
    rows = list(
        Opportunity.objects.visible_to(user, owner_field="salesperson")
        .filter(stage__in=OPEN_STAGES, expected_close__gte=first, expected_close__lt=end)
        .annotate(month=TruncMonth("expected_close"))
        .values("month", key)
        .annotate(count=Count("id"), total=Sum("amount"), weighted=Sum(_weighted()))
        .order_by()
    )
    labels = _labels(chosen, {row[key] for row in rows})
    month_list = [_add_months(first, step) for step in range(months)]
    position = {month: index for index, month in enumerate(month_list)}
    grouped: dict[Any, ForecastRow] = {}
    month_totals = [Decimal("0")] * months
    flat: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda row: (labels.get(row[key], ""), row["month"])):
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        expected = (Decimal(row["weighted"] or 0) / 100).quantize(Decimal("0.01"))
        label = labels.get(row[key], "")
        target = grouped.setdefault(
            row[key], ForecastRow(row[key], label or "—", [Decimal("0")] * months, Decimal("0"))
        )
        target.by_month[position[month]] += expected
        target.total += expected
        month_totals[position[month]] += expected
        flat.append(
            {
                "month": month,
                "key": row[key],
                "label": label,
                "count": row["count"],
                "amount": Decimal(row["total"] or 0),
                "expected": expected,
            }
        )
    return Forecast(
        grouping=str(grouping),
        months=month_list,
        rows=list(grouped.values()),
        month_totals=month_totals,
        total=sum(month_totals, Decimal("0")),
        flat=flat,
    )
