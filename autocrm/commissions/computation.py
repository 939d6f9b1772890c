"""Computing a dealer's commissions for a month, set-based, from the delivered order items.

A car counts in the month it was delivered (``VehicleOrderItem.delivered_on``), for the
salesperson credited on the item (else the order's salesperson; a car credited to nobody earns no
commission), under the dealer's plan in force on the delivery date. Per car: the most specific
per-car rate of that plan (its catalogue model, else its series, else "any model"), plus the
plan's share of the car's margin (delivered price, else the order's price, minus the order's
dealer cost; a car sold at or below cost adds nothing). Per salesperson and month: the bonus of
the highest tier reached, of the plan in force on their last delivery of the month.

Money is summed in fen as integers in SQL (exact on SQLite's floating-point numbers and
PostgreSQL's numeric alike), each car's share of margin rounded half up to the fen before summing;
one statement answers the totals of a dealer-month (GROUP BY salesperson), another its lines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from autocrm.commissions.choices import RateBasis
from autocrm.commissions.models import CommissionBonusTier, CommissionPlan, CommissionRate
from autocrm.network.models import Dealer
from autocrm.orders.choices import ItemStatus
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.vehicles.models import Vehicle, VehicleModel

ZERO = Decimal("0.00")


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = first_of_month(month)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _yuan(fen: Any) -> Decimal:
    return Decimal(int(fen or 0)).scaleb(-2)


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "item": quote(VehicleOrderItem._meta.db_table),
        "order": quote(VehicleOrder._meta.db_table),
        "model": quote(VehicleModel._meta.db_table),
        "vehicle": quote(Vehicle._meta.db_table),
        "plan": quote(CommissionPlan._meta.db_table),
        "rate": quote(CommissionRate._meta.db_table),
    }


# The cars of a month (of one dealer, or all) with their plan, per-car amount and margin in fen.
# ``{extra}`` narrows to one dealer and salesperson. The correlated subqueries are index probes
# on small tables (a dealer's plans, a plan's rates).
_PRICED = """
WITH delivered AS {materialized}(
    SELECT i.id AS item_id,
           o.dealer_id AS dealer_id,
           COALESCE(i.salesperson_id, o.salesperson_id) AS salesperson_id,
           i.delivered_on AS delivered_on,
           o.number AS order_number,
           o.vehicle_model_id AS vehicle_model_id,
           i.vehicle_id AS vehicle_id,
           m.series AS series,
           CAST(ROUND(COALESCE(i.price, o.unit_price, o.dealer_cost) * 100) AS BIGINT) AS price_fen,
           CAST(ROUND(o.dealer_cost * 100) AS BIGINT) AS cost_fen,
           (SELECT p.id FROM {plan} p
             WHERE p.dealer_id = o.dealer_id AND p.valid_from <= i.delivered_on
               AND (p.valid_to IS NULL OR p.valid_to >= i.delivered_on)
             ORDER BY p.valid_from DESC LIMIT 1) AS plan_id
      FROM {item} i
      JOIN {order} o ON o.id = i.order_id
      JOIN {model} m ON m.id = o.vehicle_model_id
     WHERE i.status = %(delivered)s
       AND i.delivered_on >= %(first)s AND i.delivered_on <= %(last)s
       AND COALESCE(i.salesperson_id, o.salesperson_id) IS NOT NULL {extra}
),
rated AS (
    SELECT d.*,
           p.name AS plan_name,
           CAST(ROUND(COALESCE(p.margin_percent, 0) * 100) AS BIGINT) AS percent_hundredths,
           CAST(ROUND(COALESCE(
               (SELECT r.amount FROM {rate} r WHERE r.plan_id = d.plan_id
                  AND r.basis = %(by_model)s AND r.vehicle_model_id = d.vehicle_model_id),
               (SELECT r.amount FROM {rate} r WHERE r.plan_id = d.plan_id
                  AND r.basis = %(by_series)s AND r.series = d.series),
               (SELECT r.amount FROM {rate} r WHERE r.plan_id = d.plan_id
                  AND r.basis = %(any)s),
               0) * 100) AS BIGINT) AS per_car_fen
      FROM delivered d
      LEFT JOIN {plan} p ON p.id = d.plan_id
),
priced AS (
    SELECT rated.*,
           price_fen - cost_fen AS margin_fen,
           CASE WHEN price_fen > cost_fen
                THEN ((price_fen - cost_fen) * percent_hundredths + 5000) / 10000
                ELSE 0 END AS share_fen
      FROM rated
)
"""

_TOTALS = """
SELECT dealer_id, salesperson_id, COUNT(*), SUM(per_car_fen), SUM(margin_fen), SUM(share_fen),
       MAX(delivered_on)
  FROM priced
 GROUP BY dealer_id, salesperson_id
"""

_LINES = """
SELECT priced.item_id, priced.dealer_id, priced.salesperson_id, priced.delivered_on,
       priced.order_number,
       COALESCE(v.vin, ''), priced.vehicle_model_id, priced.price_fen, priced.cost_fen,
       priced.margin_fen, priced.plan_id, COALESCE(priced.plan_name, ''), priced.per_car_fen,
       priced.share_fen
  FROM priced
  LEFT JOIN {vehicle} v ON v.id = priced.vehicle_id
 ORDER BY priced.dealer_id, priced.salesperson_id, priced.delivered_on, priced.item_id
"""


def _run(
    tail: str, dealer_id: int | None, month: datetime.date, salesperson_id: int | None
) -> list[Any]:
    first, last = month_bounds(month)
    params: dict[str, Any] = {
        "delivered": ItemStatus.DELIVERED.value,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "by_model": RateBasis.MODEL.value,
        "by_series": RateBasis.SERIES.value,
        "any": RateBasis.ANY.value,
    }
    extra = ""
    if dealer_id is not None:
        extra += "AND o.dealer_id = %(dealer)s "
        params["dealer"] = dealer_id
    if salesperson_id is not None:
        extra += "AND COALESCE(i.salesperson_id, o.salesperson_id) = %(salesperson)s"
        params["salesperson"] = salesperson_id
    tables = _tables()
    # Materialised on PostgreSQL, each car's plan is looked up once (inlined, the plan subquery
    # is copied into each rate subquery and planning takes longer than running).
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    sql = _PRICED.format(extra=extra, materialized=materialized, **tables)
    with connection.cursor() as cursor:
        cursor.execute(sql + tail.format(**tables), params)
        return list(cursor.fetchall())


@dataclass
class Line:
    """One delivered car and what it earns."""

    item_id: int | None
    dealer_id: int
    salesperson_id: int
    delivered_on: datetime.date
    order_number: str
    vin: str
    vehicle_model_label: str
    price: Decimal
    dealer_cost: Decimal
    margin: Decimal
    plan_id: int | None
    plan_name: str
    per_car_amount: Decimal
    margin_share: Decimal

    @property
    def total(self) -> Decimal:
        return self.per_car_amount + self.margin_share


@dataclass
class Row:
    """One salesperson's month at one dealer: cars, the amounts per rule, the bonus, the
    total."""

    dealer_id: int
    salesperson_id: int
    cars: int
    per_car_total: Decimal
    margin_total: Decimal
    margin_share_total: Decimal
    last_delivery: datetime.date | None = None
    bonus: Decimal = ZERO
    bonus_plan_id: int | None = None
    bonus_tier_cars: int | None = None
    salesperson: Any = None

    @property
    def total(self) -> Decimal:
        return self.per_car_total + self.margin_share_total + self.bonus


@dataclass
class MonthResult:
    rows: list[Row] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def _totals(dealer_id: int | None, month: datetime.date, salesperson_id: int | None) -> list[Row]:
    rows = [
        Row(
            dealer_id=int(dealer),
            salesperson_id=int(salesperson),
            cars=int(cars),
            per_car_total=_yuan(per_car),
            margin_total=_yuan(margin),
            margin_share_total=_yuan(share),
            last_delivery=_date(last),
        )
        for dealer, salesperson, cars, per_car, margin, share, last in _run(
            _TOTALS, dealer_id, month, salesperson_id
        )
    ]
    _apply_bonuses(month, rows)
    return sorted(rows, key=lambda row: (row.dealer_id, row.salesperson_id))


def month_totals(
    dealer: Dealer, month: datetime.date, *, salesperson_id: int | None = None
) -> list[Row]:
    """Each salesperson's totals for the dealer-month with their bonus: one GROUP BY statement,
    then the plans in force and their tiers (two small queries)."""
    return _totals(dealer.pk, month, salesperson_id)


def _apply_bonuses(month: datetime.date, rows: list[Row]) -> None:
    """The bonus of the highest tier reached, of the plan of the row's dealer in force on the
    salesperson's last delivery of the month."""
    if not rows:
        return
    first, last = month_bounds(month)
    plans: dict[int, list[CommissionPlan]] = {}
    for dealer_plan in (
        CommissionPlan.objects.filter(
            dealer_id__in={row.dealer_id for row in rows}, valid_from__lte=last
        )
        .exclude(valid_to__lt=first)
        .order_by("-valid_from")
    ):
        plans.setdefault(dealer_plan.dealer_id, []).append(dealer_plan)
    tiers: dict[int, list[CommissionBonusTier]] = {}
    in_month = [plan.pk for dealer_plans in plans.values() for plan in dealer_plans]
    for tier in CommissionBonusTier.objects.filter(plan_id__in=in_month).order_by("-min_cars"):
        tiers.setdefault(tier.plan_id, []).append(tier)
    for row in rows:
        day = row.last_delivery or last
        plan = next(
            (
                plan
                for plan in plans.get(row.dealer_id, [])
                if plan.valid_from <= day and (plan.valid_to is None or plan.valid_to >= day)
            ),
            None,
        )
        if plan is None:
            continue
        row.bonus_plan_id = plan.pk
        reached = next((t for t in tiers.get(plan.pk, []) if row.cars >= t.min_cars), None)
        if reached is not None:
            row.bonus = reached.bonus
            row.bonus_tier_cars = reached.min_cars


def _lines(dealer_id: int | None, month: datetime.date, salesperson_id: int | None) -> list[Line]:
    found = _run(_LINES, dealer_id, month, salesperson_id)
    labels = {
        model.pk: str(model)
        for model in VehicleModel.objects.filter(pk__in={record[6] for record in found})
    }
    return [
        Line(
            item_id=item_id,
            dealer_id=int(dealer),
            salesperson_id=int(salesperson),
            delivered_on=_date(delivered_on),
            order_number=number or "",
            vin=vin or "",
            vehicle_model_label=labels.get(model_id, ""),
            price=_yuan(price),
            dealer_cost=_yuan(cost),
            margin=_yuan(margin),
            plan_id=plan_id,
            plan_name=plan_name or "",
            per_car_amount=_yuan(per_car),
            margin_share=_yuan(share),
        )
        for (
            item_id,
            dealer,
            salesperson,
            delivered_on,
            number,
            vin,
            model_id,
            price,
            cost,
            margin,
            plan_id,
            plan_name,
            per_car,
            share,
        ) in found
    ]


def month_lines(
    dealer: Dealer, month: datetime.date, *, salesperson_id: int | None = None
) -> list[Line]:
    """The cars of the dealer-month (of one salesperson when given) with what each earns."""
    return _lines(dealer.pk, month, salesperson_id)


def compute_month(dealer: Dealer, month: datetime.date) -> MonthResult:
    """Everything a closed month stores: every salesperson's totals and every car."""
    return MonthResult(rows=month_totals(dealer, month), lines=month_lines(dealer, month))


def compute_month_for_all_dealers(month: datetime.date) -> dict[int, MonthResult]:
    """``compute_month`` for every dealer with deliveries in ``month``, by dealer id, in the same
    few statements (the demo seeder closes months with it)."""
    results: dict[int, MonthResult] = {}
    for row in _totals(None, month, None):
        results.setdefault(row.dealer_id, MonthResult()).rows.append(row)
    for line in _lines(None, month, None):
        results.setdefault(line.dealer_id, MonthResult()).lines.append(line)
    return results
