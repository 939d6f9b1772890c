"""Demo commission plans and closed months, consistent with the seeded deliveries:

- two plans per dealer: last years' (ending on 31 December) and this year's (open-ended), each
  with an any-model rate, higher rates for two or three series, a share of margin and three
  target tiers;
- the three months before last month closed wherever cars were delivered, their statements
  computed by the same code as the statement page (``computation.compute_month``), so a stored
  month equals what the page computes live; last month stays open, for a manager to close.

Rows are written with ``BulkWriter`` and explicit keys, no services and no audit, like the
other seeders. Runs after the orders seeder (which writes the delivered cars).
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from autocrm.core.bulkload import BulkWriter, after_explicit_ids, analyze, next_id
from autocrm.core.seeding import SeedContext, register_seeder
from autocrm.customers.seeds import now_text

# Closed months before last month (which stays open).
CLOSED_MONTHS = 3
_TIERS = ((5, 1000), (10, 3000), (15, 6000))


def _months_back(today: datetime.date, count: int) -> datetime.date:
    year, month = today.year, today.month - count
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1)


def _write_plans(context: SeedContext, dealers: list[Any], series: list[str]) -> int:
    from autocrm.commissions.models import CommissionBonusTier, CommissionPlan, CommissionRate

    rng, now = context.rng, now_text()
    this_year = timezone.localdate().replace(month=1, day=1)
    last_year_start = this_year.replace(year=this_year.year - 3)
    last_year_end = this_year - datetime.timedelta(days=1)
    plans = BulkWriter(CommissionPlan, (
        "id", "dealer_id", "name", "valid_from", "valid_to", "margin_percent", "notes",
        "version", "created_by_id", "created_at", "updated_at",
    ))  # fmt: skip
    rates = BulkWriter(CommissionRate, ("plan_id", "basis", "vehicle_model_id", "series", "amount"))
    tiers = BulkWriter(CommissionBonusTier, ("plan_id", "min_cars", "bonus"))
    plan_pk = next_id(CommissionPlan)
    actor = getattr(context.actor, "pk", None)
    for dealer in dealers:
        periods = (
            (f"{last_year_end.year - 2}-{last_year_end.year}年销售提成方案", last_year_start,
             last_year_end, Decimal(rng.choice((2, 3, 4)))),
            (f"{this_year.year}年销售提成方案", this_year, None,
             Decimal(rng.choice((3, 4, 5))) + Decimal(rng.choice((0, 50))) / 100),
        )  # fmt: skip
        for name, valid_from, valid_to, percent in periods:
            ends = valid_to.isoformat() if valid_to else None
            plans.add(
                plan_pk, dealer.pk, name, valid_from.isoformat(), ends, percent, "", 1, actor,
                now, now,
            )  # fmt: skip
            rates.add(plan_pk, "any", None, "", Decimal(rng.choice((200, 300, 400))))
            for chosen in rng.sample(series, min(len(series), rng.randint(2, 3))):
                rates.add(plan_pk, "series", None, chosen, Decimal(rng.choice((500, 600, 800))))
            for cars, bonus in _TIERS:
                tiers.add(plan_pk, cars, Decimal(bonus))
            plan_pk += 1
    for writer in (plans, rates, tiers):
        writer.flush()
    after_explicit_ids(CommissionPlan)
    return plans.count


def _close_months(context: SeedContext, dealers: dict[int, Any]) -> tuple[int, int]:
    from autocrm.commissions import computation
    from autocrm.commissions.models import (
        CommissionMonth,
        CommissionStatement,
        CommissionStatementLine,
    )

    today = timezone.localdate()
    first = _months_back(today, CLOSED_MONTHS + 1)
    last = _months_back(today, 1) - datetime.timedelta(days=1)
    now = timezone.now()
    stamp = now_text()
    actor = getattr(context.actor, "pk", None)
    months = BulkWriter(CommissionMonth, (
        "dealer_id", "month", "status", "closed_by_id", "closed_at", "reopened_by_id",
        "reopened_at", "reopen_reason", "version",
    ))  # fmt: skip
    statements = BulkWriter(CommissionStatement, (
        "id", "dealer_id", "month", "salesperson_id", "cars", "per_car_total", "margin_total",
        "margin_share_total", "bonus", "bonus_plan_id", "bonus_tier_cars", "total", "created_at",
    ))  # fmt: skip
    lines = BulkWriter(CommissionStatementLine, (
        "statement_id", "order_item_id", "order_number", "vin", "vehicle_model_label",
        "delivered_on", "price", "dealer_cost", "margin", "plan_id", "plan_name",
        "per_car_amount", "margin_share",
    ))  # fmt: skip
    statement_pk = next_id(CommissionStatement)
    month = first
    while month <= last:
        # Every dealer of the month in a few statements, by the code the statement page uses.
        for dealer_id, result in sorted(computation.compute_month_for_all_dealers(month).items()):
            if dealer_id not in dealers:
                continue
            month_end = computation.month_bounds(month)[1]
            closed_at = datetime.datetime.combine(
                month_end + datetime.timedelta(days=3), datetime.time(10), tzinfo=datetime.UTC
            )
            closed_text = min(closed_at, now).strftime("%Y-%m-%d %H:%M:%S")
            months.add(
                dealer_id, month.isoformat(), "closed", actor, closed_text, None, None, "", 1
            )
            ids = {}
            for row in result.rows:
                ids[row.salesperson_id] = statement_pk
                statements.add(
                    statement_pk, dealer_id, month.isoformat(), row.salesperson_id, row.cars,
                    row.per_car_total, row.margin_total, row.margin_share_total, row.bonus,
                    row.bonus_plan_id, row.bonus_tier_cars, row.total, stamp,
                )  # fmt: skip
                statement_pk += 1
            for line in result.lines:
                lines.add(
                    ids[line.salesperson_id], line.item_id, line.order_number, line.vin,
                    line.vehicle_model_label[:255], line.delivered_on.isoformat(), line.price,
                    line.dealer_cost, line.margin, line.plan_id, line.plan_name,
                    line.per_car_amount, line.margin_share,
                )  # fmt: skip
        month = computation.month_bounds(month)[1] + datetime.timedelta(days=1)
    for writer in (months, statements, lines):
        writer.flush()
    after_explicit_ids(CommissionStatement)
    return months.count, statements.count


def seed_commissions(context: SeedContext) -> None:
    started = time.perf_counter()
    dealers = [d for d in context.created.get("dealers", []) if getattr(d, "sells_vehicles", True)]
    series = sorted({m.series for m in context.created.get("vehicle_models", []) if m.series})
    from autocrm.commissions.models import CommissionPlan, CommissionRate
    from autocrm.orders.models import VehicleOrder, VehicleOrderItem

    plan_count = _write_plans(context, dealers, series or ["君威"])
    # The month computations below plan by these statistics (the run analyses all at the end).
    analyze([CommissionPlan, CommissionRate, VehicleOrder, VehicleOrderItem])
    month_count, statement_count = _close_months(context, {d.pk: d for d in dealers})
    context.log(
        f"  commissions: {plan_count:,} plans, {month_count:,} closed dealer-months, "
        f"{statement_count:,} statements in {time.perf_counter() - started:.1f} s"
    )


register_seeder(
    "commissions.plans_and_statements",
    seed_commissions,
    order=150,
    loads=(
        "commissions.CommissionPlan",
        "commissions.CommissionRate",
        "commissions.CommissionBonusTier",
        "commissions.CommissionMonth",
        "commissions.CommissionStatement",
        "commissions.CommissionStatementLine",
    ),
)
