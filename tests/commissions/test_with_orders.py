"""End to end with the orders app: a car ordered, allocated, shipped to the dealer and delivered
through the orders services counts in this month's live statement."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.commissions import selectors
from autocrm.orders.services import order_item_deliver
from tests.commissions.factories import plan
from tests.factories import CustomerFactory
from tests.orders.factories import order_at_dealer

pytestmark = pytest.mark.django_db


def test_a_car_delivered_through_the_orders_app_earns_its_salesperson_commission(
    network: dict[str, Any], user_in: Any, manager: Any, seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    today = timezone.localdate()
    plan(
        actor=manager,
        dealer=dealer,
        valid_from=today - datetime.timedelta(days=400),
        margin_percent="5",
        rates=[(None, "君威", "600")],
        tiers=[(1, "200")],
    )
    buyer = CustomerFactory(name="张三丰", dealers=[dealer])
    order = order_at_dealer(
        actor=seller,
        admin=user_in(Role.ADMINISTRATOR),
        dealer=dealer,
        vehicle_model=regal,
        customer=buyer,
        unit_price=Decimal("210000"),
    )
    item = order.items.get()

    order_item_deliver(actor=seller, item=item, price=Decimal("212000"))

    order.refresh_from_db()
    result = selectors.month_statement(manager, dealer, today)
    [line] = selectors.month_lines(manager, dealer, today)
    margin = Decimal("212000.00") - order.dealer_cost
    assert result.status == "open"
    assert [(row.salesperson_id, row.cars) for row in result.rows] == [(seller.pk, 1)]
    assert (line.order_number, line.price, line.margin) == (
        order.number,
        Decimal("212000.00"),
        margin,
    )
    share = (margin * Decimal("0.05")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert result.rows[0].total == Decimal("600.00") + share + Decimal("200")
