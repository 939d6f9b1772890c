"""The commission of a salesperson's month: per-car rates, share of margin, target bonuses, the
plan in force by delivery date; computed live from the delivered cars."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.commissions.computation import month_lines, month_totals
from tests.commissions.conftest import MONTH
from tests.commissions.factories import deliver, plan

pytestmark = pytest.mark.django_db

D = Decimal


def day(n: int) -> datetime.date:
    return MONTH.replace(day=n)


def only(rows: list[Any]) -> Any:
    assert len(rows) == 1
    return rows[0]


def test_the_most_specific_rate_pays_per_car_model_then_series_then_any(
    network: dict[str, Any],
    manager: Any,
    seller: Any,
    regal: Any,
    lacrosse: Any,
    lacrosse_top: Any,
    envision: Any,
) -> None:
    dealer = network["east_dealer"]
    plan(
        actor=manager,
        dealer=dealer,
        valid_from=day(1),
        rates=[(lacrosse_top, "", "1500"), (None, "君越", "1000"), (None, "", "300")],
    )
    for model in (lacrosse_top, lacrosse, regal, envision):
        deliver(
            dealer=dealer,
            vehicle_model=model,
            salesperson=seller,
            on=day(10),
            price="250000",
            cost="250000",
        )

    lines = {line.vehicle_model_label: line.per_car_amount for line in month_lines(dealer, MONTH)}

    assert lines == {
        str(lacrosse_top): D("1500.00"),  # its model's rate
        str(lacrosse): D("1000.00"),  # its series' rate
        str(regal): D("300.00"),  # any model
        str(envision): D("300.00"),
    }
    row = only(month_totals(dealer, MONTH))
    assert (row.cars, row.per_car_total, row.total) == (4, D("3100.00"), D("3100.00"))


def test_a_car_without_a_matching_rate_earns_nothing_per_car(
    network: dict[str, Any], manager: Any, seller: Any, regal: Any, lacrosse: Any
) -> None:
    dealer = network["east_dealer"]
    plan(actor=manager, dealer=dealer, valid_from=day(1), rates=[(lacrosse, "", "800")])
    deliver(dealer=dealer, vehicle_model=regal, salesperson=seller, on=day(3), price="1", cost="1")

    assert only(month_totals(dealer, MONTH)).per_car_total == D("0.00")


def test_share_of_margin_is_rounded_half_up_to_the_fen_per_car(
    network: dict[str, Any], manager: Any, seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(actor=manager, dealer=dealer, valid_from=day(1), margin_percent="1.5")
    # 333.33 x 1.5 % = 4.99995 -> 5.00; 1000.10 x 1.5 % = 15.0015 -> 15.00; 0.30 x 1.5 % = 0.0045
    # -> 0.00; 0.70 x 1.5 % = 0.0105 -> 0.01
    for price in ("200333.33", "201000.10", "200000.30", "200000.70"):
        deliver(
            dealer=dealer,
            vehicle_model=regal,
            salesperson=seller,
            on=day(5),
            price=price,
            cost="200000.00",
        )

    shares = sorted(line.margin_share for line in month_lines(dealer, MONTH))
    row = only(month_totals(dealer, MONTH))

    assert shares == [D("0.00"), D("0.01"), D("5.00"), D("15.00")]
    assert row.margin_total == D("1334.43")
    assert row.margin_share_total == D("20.01")  # the sum of the rounded shares
    assert row.total == D("20.01")


def test_a_car_sold_at_a_loss_earns_no_share_of_margin(
    network: dict[str, Any], manager: Any, seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(
        actor=manager,
        dealer=dealer,
        valid_from=day(1),
        margin_percent="10",
        rates=[(None, "", "200")],
    )
    deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        on=day(5),
        price="195000",
        cost="200000",
    )

    line = only(month_lines(dealer, MONTH))

    assert (line.margin, line.margin_share, line.per_car_amount) == (
        D("-5000.00"),
        D("0.00"),
        D("200.00"),
    )


def test_without_a_delivered_price_the_orders_price_counts(
    network: dict[str, Any], manager: Any, seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(actor=manager, dealer=dealer, valid_from=day(1), margin_percent="10")
    item = deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        on=day(5),
        price="210000",
        cost="200000",
    )
    item.price = None
    item.save(update_fields=["price"])

    line = only(month_lines(dealer, MONTH))

    assert (line.price, line.margin, line.margin_share) == (
        D("210000.00"),
        D("10000.00"),
        D("1000.00"),
    )


def test_the_highest_bonus_tier_reached_pays_only(
    network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(
        actor=manager,
        dealer=dealer,
        valid_from=day(1),
        tiers=[(3, "1000"), (5, "3000"), (8, "6000")],
    )
    for _ in range(6):
        deliver(
            dealer=dealer, vehicle_model=regal, salesperson=seller, on=day(7), price="1", cost="1"
        )
    for _ in range(2):
        deliver(
            dealer=dealer,
            vehicle_model=regal,
            salesperson=other_seller,
            on=day(7),
            price="1",
            cost="1",
        )

    rows = {row.salesperson_id: row for row in month_totals(dealer, MONTH)}

    assert (rows[seller.pk].bonus, rows[seller.pk].bonus_tier_cars) == (D("3000"), 5)
    assert rows[seller.pk].total == D("3000")
    assert (rows[other_seller.pk].bonus, rows[other_seller.pk].bonus_tier_cars) == (D("0.00"), None)


def test_exactly_the_target_reaches_the_tier(
    network: dict[str, Any], manager: Any, seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(actor=manager, dealer=dealer, valid_from=day(1), tiers=[(3, "1000")])
    for _ in range(3):
        deliver(
            dealer=dealer, vehicle_model=regal, salesperson=seller, on=day(7), price="1", cost="1"
        )

    assert only(month_totals(dealer, MONTH)).bonus == D("1000")


def test_each_car_is_paid_by_the_plan_in_force_on_its_delivery_date(
    network: dict[str, Any], manager: Any, seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(
        actor=manager,
        dealer=dealer,
        name="上半月",
        valid_from=day(1),
        valid_to=day(15),
        rates=[(None, "", "100")],
        tiers=[(2, "500")],
    )
    plan(
        actor=manager,
        dealer=dealer,
        name="下半月",
        valid_from=day(16),
        rates=[(None, "", "200")],
        margin_percent="10",
        tiers=[(2, "900")],
    )
    deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        on=day(15),
        price="1100",
        cost="1000",
    )
    deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        on=day(16),
        price="1100",
        cost="1000",
    )

    lines = month_lines(dealer, MONTH)
    row = only(month_totals(dealer, MONTH))

    assert [(line.plan_name, line.per_car_amount, line.margin_share) for line in lines] == [
        ("上半月", D("100.00"), D("0.00")),
        ("下半月", D("200.00"), D("10.00")),
    ]
    # The bonus follows the plan in force on the salesperson's last delivery of the month.
    assert (row.per_car_total, row.margin_share_total, row.bonus) == (
        D("300.00"),
        D("10.00"),
        D("900"),
    )
    assert row.total == D("1210.00")


def test_cars_before_any_plan_earn_nothing(
    network: dict[str, Any], manager: Any, seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(
        actor=manager,
        dealer=dealer,
        valid_from=day(20),
        rates=[(None, "", "100")],
        tiers=[(1, "50")],
    )
    deliver(dealer=dealer, vehicle_model=regal, salesperson=seller, on=day(2), price="1", cost="1")

    line = only(month_lines(dealer, MONTH))
    row = only(month_totals(dealer, MONTH))

    assert (line.plan_id, line.per_car_amount) == (None, D("0.00"))
    assert (row.cars, row.bonus, row.total) == (1, D("0.00"), D("0.00"))


def test_only_this_dealers_cars_delivered_in_the_month_and_credited_count(
    network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(
        actor=manager,
        dealer=dealer,
        valid_from=datetime.date(2026, 1, 1),
        rates=[(None, "", "100")],
    )
    counted = deliver(
        dealer=dealer, vehicle_model=regal, salesperson=seller, on=day(31), price="1", cost="1"
    )
    deliver(dealer=dealer, vehicle_model=regal, salesperson=seller, on=day(1), price="1", cost="1")
    # Not counted: the month before and after, another dealer, a car not yet delivered, a car
    # credited to nobody.
    deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        on=datetime.date(2026, 2, 28),
        price="1",
        cost="1",
    )
    deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        on=datetime.date(2026, 4, 1),
        price="1",
        cost="1",
    )
    deliver(
        dealer=network["east_other_dealer"],
        vehicle_model=regal,
        salesperson=seller,
        on=day(10),
        price="1",
        cost="1",
    )
    deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        on=day(10),
        price="1",
        cost="1",
        status="at_dealer",
    )
    deliver(dealer=dealer, vehicle_model=regal, salesperson=None, on=day(10), price="1", cost="1")

    row = only(month_totals(dealer, MONTH))

    assert (row.salesperson_id, row.cars, row.per_car_total) == (seller.pk, 2, D("200.00"))
    assert counted.pk in {line.item_id for line in month_lines(dealer, MONTH)}


def test_the_car_counts_for_the_salesperson_credited_on_the_item(
    network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(actor=manager, dealer=dealer, valid_from=day(1), rates=[(None, "", "100")])
    deliver(
        dealer=dealer,
        vehicle_model=regal,
        salesperson=seller,
        credited=other_seller,
        on=day(4),
        price="1",
        cost="1",
    )

    assert only(month_totals(dealer, MONTH)).salesperson_id == other_seller.pk


def test_the_totals_are_one_statement_whatever_the_number_of_salespeople(
    network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, regal: Any
) -> None:
    dealer = network["east_dealer"]
    plan(
        actor=manager,
        dealer=dealer,
        valid_from=day(1),
        rates=[(None, "", "100")],
        tiers=[(1, "10")],
    )
    for person in (seller, other_seller, seller):
        deliver(
            dealer=dealer, vehicle_model=regal, salesperson=person, on=day(4), price="1", cost="1"
        )

    with CaptureQueriesContext(connection) as queries:
        rows = month_totals(dealer, MONTH)

    # The GROUP BY, then the dealer's plans of the month and their tiers.
    assert len(queries) == 3
    assert [(row.salesperson_id, row.cars) for row in rows] == sorted(
        [(seller.pk, 2), (other_seller.pk, 1)]
    )


def test_all_dealers_of_a_month_at_once_equal_each_dealer_computed_alone(
    network: dict[str, Any],
    manager: Any,
    user_in: Any,
    seller: Any,
    other_seller: Any,
    regal: Any,
    lacrosse: Any,
) -> None:
    from autocrm.accounts.choices import Role
    from autocrm.commissions.computation import compute_month, compute_month_for_all_dealers
    from tests.factories import UserFactory

    east, west = network["east_dealer"], network["west_dealer"]
    west_seller = UserFactory(role=Role.SALESPERSON, dealer=west)
    plan(
        actor=manager,
        dealer=east,
        valid_from=day(1),
        margin_percent="2.5",
        rates=[(None, "", "300")],
        tiers=[(2, "800")],
    )
    plan(
        actor=user_in(Role.ADMINISTRATOR),
        dealer=west,
        valid_from=day(1),
        margin_percent="4",
        rates=[(lacrosse, "", "900")],
        tiers=[(1, "100")],
    )
    for dealer, person, model in (
        (east, seller, regal),
        (east, seller, lacrosse),
        (east, other_seller, regal),
        (west, west_seller, lacrosse),
        (west, west_seller, regal),
    ):
        deliver(
            dealer=dealer,
            vehicle_model=model,
            salesperson=person,
            on=day(12),
            price="203333.33",
            cost="200000",
        )

    together = compute_month_for_all_dealers(MONTH)

    assert set(together) == {east.pk, west.pk}
    for dealer in (east, west):
        alone = compute_month(dealer, MONTH)
        assert together[dealer.pk].rows == alone.rows
        assert together[dealer.pk].lines == alone.lines
    assert [row.total for row in together[west.pk].rows] == [D("1266.66")]  # 900 + 2 x 133.33 + 100
