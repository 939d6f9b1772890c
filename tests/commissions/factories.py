"""Delivered cars and plans for the commission tests. Delivered cars are written as rows (the
orders app's delivery path is tested there); plans go through the services, whose rules these
tests check."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from autocrm.commissions import services
from autocrm.commissions.models import CommissionPlan
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from tests.factories import VehicleFactory

_numbers = itertools.count(1)


def deliver(
    *,
    dealer: Any,
    vehicle_model: Any,
    salesperson: Any,
    on: datetime.date,
    price: str | Decimal | None,
    cost: str | Decimal,
    credited: Any = "order",
    status: str = "delivered",
) -> VehicleOrderItem:
    """One car of a one-car order of ``dealer``, delivered on ``on`` at ``price`` (the order's
    dealer cost ``cost``), credited to ``salesperson`` (on the order; ``credited`` names another
    salesperson on the item)."""
    number = next(_numbers)
    order = VehicleOrder.objects.create(
        number=f"VO{number:09d}",
        dealer=dealer,
        kind="stock",
        salesperson=salesperson,
        vehicle_model=vehicle_model,
        quantity=1,
        unit_price=Decimal(price) if price is not None else None,
        dealer_cost=Decimal(cost),
        status="delivered" if status == "delivered" else "at_dealer",
    )
    vehicle = VehicleFactory(model=vehicle_model, dealer=dealer)
    return VehicleOrderItem.objects.create(
        order=order,
        line=1,
        vehicle=vehicle,
        status=status,
        delivered_on=on if status == "delivered" else None,
        salesperson=salesperson if credited == "order" else credited,
        price=Decimal(price) if price is not None else None,
    )


def plan(
    *,
    actor: Any,
    dealer: Any,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    margin_percent: str = "0",
    rates: list[tuple[Any, str, str]] = (),  # type: ignore[assignment]
    tiers: list[tuple[int, str]] = (),  # type: ignore[assignment]
    name: str = "销售提成方案",
) -> CommissionPlan:
    """A plan through the service; ``rates`` as (vehicle_model or None, series, amount)."""
    return services.commission_plan_create(
        actor=actor,
        dealer=dealer,
        data={
            "name": name,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "margin_percent": Decimal(margin_percent),
        },
        rates=[services.RateInput(amount=a, vehicle_model=m, series=s) for m, s, a in rates],
        bonus_tiers=[services.TierInput(min_cars=n, bonus=b) for n, b in tiers],
    )
