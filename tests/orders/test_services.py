"""Ordering, the OEM's allocation, the road traced by events, and delivery."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.customers.models import CustomerDealer
from autocrm.orders import services
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.orders.signals import vehicle_delivered
from autocrm.vehicles.lifecycle import EventItem, events_record_bulk
from autocrm.vehicles.models import Ownership, Vehicle, VehicleEvent
from tests.factories import CustomerFactory, VehicleModelFactory, oem_vin
from tests.orders.factories import ROAD_TO_DEALER, allocate_all, order_at_dealer, post_events


def _messages(error: Any) -> dict[str, list[str]]:
    return error.value.message_dict  # type: ignore[no-any-return]


# --- ordering --------------------------------------------------------------------------------


def test_a_salesperson_orders_for_a_customer(
    salesperson: Any, network: Any, catalogue: Any, buyer: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        quantity=3,
        colour=" 珍珠白 ",
        customer=buyer,
    )

    assert order.number == f"VO{order.pk:09d}"
    assert (order.kind, order.status, order.colour) == ("customer", "submitted", "珍珠白")
    assert order.salesperson == salesperson
    assert order.unit_price == Decimal("200000.00")
    assert order.dealer_cost == Decimal("176000.00")  # less the dealer margin
    assert list(order.items.values_list("line", "status")) == [
        (1, "pending"),
        (2, "pending"),
        (3, "pending"),
    ]


def test_an_order_without_customer_is_for_stock_and_links_nobody(
    user_in: Any, network: Any, catalogue: Any
) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    order = services.vehicle_order_create(
        actor=manager, dealer=network["east_dealer"], vehicle_model=catalogue, unit_price=190000
    )
    assert (order.kind, order.customer, order.salesperson) == ("stock", None, None)
    assert order.unit_price == 190000 and order.dealer_cost == 176000


def test_hq_ordering_for_a_customer_lets_the_dealer_see_them(
    admin: Any, network: Any, catalogue: Any
) -> None:
    customer = CustomerFactory()
    services.vehicle_order_create(
        actor=admin, dealer=network["west_dealer"], vehicle_model=catalogue, customer=customer
    )
    assert CustomerDealer.objects.filter(customer=customer, dealer=network["west_dealer"]).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": 0}, "quantity", "Order at least one car."),
        ({"quantity": 101}, "quantity", "Order at most 100 cars at a time."),
        ({"unit_price": Decimal("-1")}, "unit_price", "A price cannot be negative."),
        ({"kind": "customer"}, "customer", "An order for a customer must name the customer."),
        (
            {"vehicle_model": None},
            "vehicle_model",
            "Choose a model and configuration from the catalogue.",
        ),
        (
            {"requested_delivery": datetime.date(2020, 1, 1)},
            "requested_delivery",
            "The requested delivery date is in the past.",
        ),
    ],
)
def test_bad_orders_are_refused_with_a_specific_message(
    salesperson: Any, network: Any, catalogue: Any, changes: Any, field: str, message: str
) -> None:
    arguments = {"actor": salesperson, "dealer": network["east_dealer"], "vehicle_model": catalogue}
    with pytest.raises(ValidationError) as error:
        services.vehicle_order_create(**{**arguments, **changes})
    assert _messages(error)[field] == [message]
    assert not VehicleOrder.objects.exists()


def test_a_configuration_no_longer_on_sale_is_refused(salesperson: Any, network: Any) -> None:
    retired = VehicleModelFactory(is_active=False, name="GL8", configuration="旧款")
    with pytest.raises(ValidationError) as error:
        services.vehicle_order_create(
            actor=salesperson, dealer=network["east_dealer"], vehicle_model=retired
        )
    assert (
        "is no longer on sale; choose another configuration."
        in _messages(error)["vehicle_model"][0]
    )


def test_dealer_staff_order_only_for_their_dealer_and_advisors_not_at_all(
    salesperson: Any, user_in: Any, network: Any, catalogue: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        services.vehicle_order_create(
            actor=salesperson, dealer=network["west_dealer"], vehicle_model=catalogue
        )
    assert _messages(error)["dealer"] == ["You can only order cars for your own dealer."]
    with pytest.raises(PermissionDenied):
        services.vehicle_order_create(
            actor=user_in(Role.SERVICE_ADVISOR),
            dealer=network["east_dealer"],
            vehicle_model=catalogue,
        )
    west_seller = user_in(Role.SALESPERSON, "west")
    with pytest.raises(ValidationError) as error:
        services.vehicle_order_create(
            actor=user_in(Role.DEALER_MANAGER),
            dealer=network["east_dealer"],
            vehicle_model=catalogue,
            salesperson=west_seller,
        )
    assert _messages(error)["salesperson"] == ["The salesperson must work at the ordering dealer."]


def test_cancelling_before_allocation_only(
    admin: Any, salesperson: Any, network: Any, catalogue: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue, quantity=2
    )
    with pytest.raises(ValidationError) as error:
        services.vehicle_order_cancel(actor=salesperson, order=order, reason=" ")
    assert _messages(error)["reason"] == ["Give the reason for cancelling the order."]
    with pytest.raises(StaleRecord):
        services.vehicle_order_cancel(
            actor=salesperson, order=order, reason="客户改主意", expected_version=7
        )

    cancelled = services.vehicle_order_cancel(actor=salesperson, order=order, reason="客户改主意")

    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "客户改主意")
    assert set(order.items.values_list("status", flat=True)) == {"cancelled"}

    allocated = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    allocate_all(allocated, admin=admin)
    with pytest.raises(ValidationError) as error:
        services.vehicle_order_cancel(actor=salesperson, order=allocated, reason="太晚")
    assert "already allocated cars" in _messages(error)["status"][0]


# --- allocation ------------------------------------------------------------------------------


def test_the_oem_confirms_and_allocates_each_car(
    admin: Any, salesperson: Any, network: Any, catalogue: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        quantity=2,
        colour="黑",
    )
    expected = timezone.localdate() + datetime.timedelta(days=40)
    services.vehicle_order_confirm(actor=admin, order=order, expected_delivery=expected)
    order.refresh_from_db()
    assert (order.status, order.expected_delivery) == ("confirmed", expected)

    item = services.order_item_allocate(
        actor=admin, order=order, vin=oem_vin(1), production_number="P-1"
    )

    vehicle = Vehicle.objects.get(vin=oem_vin(1))
    assert item.line == 1 and item.vehicle == vehicle and item.status == "on_the_line"
    assert (vehicle.status, vehicle.dealer, vehicle.model, vehicle.colour) == (
        "in_production",
        network["east_dealer"],
        catalogue,
        "黑",
    )
    assert vehicle.production_number == "P-1"
    order.refresh_from_db()
    assert order.status == "confirmed"  # car 2 still awaits its VIN

    services.order_item_allocate(actor=admin, order=order, vin=oem_vin(2), production_number="P-2")
    order.refresh_from_db()
    assert order.status == "in_production"


def test_allocation_refusals(admin: Any, salesperson: Any, network: Any, catalogue: Any) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    with pytest.raises(PermissionDenied):
        services.order_item_allocate(
            actor=salesperson, order=order, vin=oem_vin(1), production_number="P-1"
        )
    with pytest.raises(ValidationError) as error:
        services.order_item_allocate(actor=admin, order=order, vin="LSG123", production_number="P")
    assert _messages(error)["vin"] == ["A VIN has 17 characters; this one has 6."]
    services.order_item_allocate(actor=admin, order=order, vin=oem_vin(1), production_number="P-1")
    with pytest.raises(ValidationError) as error:
        services.order_item_allocate(
            actor=admin, order=order, vin=oem_vin(2), production_number="P-2"
        )
    assert _messages(error)["line"] == ["Every car of this order already has a VIN."]
    other = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    with pytest.raises(ValidationError) as error:
        services.order_item_allocate(
            actor=admin, order=other, vin=oem_vin(3), production_number="P-1"
        )
    assert _messages(error)["production_number"] == ["Production number P-1 is already allocated."]
    with pytest.raises(ValidationError) as error:
        services.order_item_allocate(
            actor=admin, order=other, vin=oem_vin(1), production_number="P-9"
        )
    assert _messages(error)["vin"] == [f"VIN {oem_vin(1)} is already registered."]
    assert Vehicle.objects.count() == 1


def test_bulk_allocation_answers_per_item(
    admin: Any, salesperson: Any, network: Any, catalogue: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue, quantity=2
    )
    results = services.allocations_record_bulk(
        actor=admin,
        items=[
            services.AllocationItem(order.number or "", oem_vin(11), "B-1"),
            services.AllocationItem("VO999999999", oem_vin(12), "B-2"),
            services.AllocationItem(order.number or "", oem_vin(11), "B-3"),
            services.AllocationItem(order.number or "", oem_vin(13), "B-4", line=2),
        ],
    )
    assert [r.outcome for r in results] == ["allocated", "error", "error", "allocated"]
    assert results[1].message == "No vehicle order VO999999999."
    assert results[2].message == f"VIN {oem_vin(11)} is already registered."
    assert [r.line for r in results] == [1, None, None, 2]
    order.refresh_from_db()
    assert order.status == "in_production"
    assert sorted(VehicleOrderItem.objects.values_list("production_number", flat=True)) == [
        "B-1",
        "B-4",
    ]


# --- tracing through the bulk events API -----------------------------------------------------


def test_events_move_the_cars_and_the_order_along_the_road(
    admin: Any, salesperson: Any, network: Any, catalogue: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue, quantity=2
    )
    first, second = allocate_all(order, admin=admin)

    def statuses() -> tuple[str, list[str]]:
        order.refresh_from_db()
        return order.status, list(order.items.values_list("status", flat=True))

    post_events([first, second], ["built", "painted"], admin=admin)
    assert statuses() == ("in_production", ["painted", "painted"])
    post_events([first, second], ["stored"], admin=admin)
    assert statuses() == ("in_production", ["in_warehouse", "in_warehouse"])
    post_events([first], ["shipped"], admin=admin)
    assert statuses() == ("in_production", ["in_transit", "in_warehouse"])
    post_events([second], ["shipped"], admin=admin)
    assert statuses() == ("in_transit", ["in_transit", "in_transit"])
    post_events([first, second], ["arrived"], admin=admin, dealer_code=network["east_dealer"].code)
    assert statuses() == ("at_dealer", ["at_dealer", "at_dealer"])


def test_a_status_event_for_an_unknown_vin_changes_no_order(
    admin: Any, salesperson: Any, network: Any, catalogue: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    (item,) = allocate_all(order, admin=admin)
    results = events_record_bulk(
        actor=admin,
        source="tms",
        items=[
            EventItem(
                kind="shipped",
                occurred_at=timezone.now(),
                external_id="X-1",
                vin=oem_vin(999_999),
            ),
            EventItem(
                kind="shipped",
                occurred_at=timezone.now(),
                external_id="X-2",
                production_number="NO-SUCH",
            ),
        ],
    )
    assert [r.message for r in results] == [
        f"No vehicle with VIN {oem_vin(999_999)}.",
        "No vehicle with production number NO-SUCH.",
    ]
    item.refresh_from_db()
    order.refresh_from_db()
    assert (item.status, order.status) == ("on_the_line", "in_production")


# --- delivery --------------------------------------------------------------------------------


@pytest.fixture
def delivered(monkeypatch: Any) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    vehicle_delivered.connect(receiver, dispatch_uid="test-orders")
    yield received
    vehicle_delivered.disconnect(dispatch_uid="test-orders")


def test_delivering_a_car_starts_ownership_and_closes_the_order(
    admin: Any, salesperson: Any, network: Any, catalogue: Any, delivered: Any
) -> None:
    buyer = CustomerFactory(status="prospect")
    order = order_at_dealer(
        actor=salesperson,
        admin=admin,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        customer=buyer,
        unit_price=Decimal("210000"),
    )
    item = order.items.get()

    services.order_item_deliver(actor=salesperson, item=item)

    item.refresh_from_db()
    order.refresh_from_db()
    buyer.refresh_from_db()
    vehicle = item.vehicle
    ownership = Ownership.objects.get(vehicle=vehicle)
    assert (ownership.customer, ownership.selling_dealer, ownership.price) == (
        buyer,
        network["east_dealer"],
        Decimal("210000.00"),
    )
    assert buyer.status == "owner"
    assert vehicle.status == "sold"
    assert VehicleEvent.objects.filter(vehicle=vehicle).first().kind == "sold"
    assert (item.status, item.delivered_on, item.customer, item.salesperson, item.ownership) == (
        "delivered",
        timezone.localdate(),
        buyer,
        salesperson,
        ownership,
    )
    assert (order.status, order.delivered_on) == ("delivered", timezone.localdate())
    assert len(delivered) == 1
    assert delivered[0]["vehicle"] == vehicle and delivered[0]["order"] == order
    assert delivered[0]["customer"] == buyer and delivered[0]["salesperson"] == salesperson

    with pytest.raises(ValidationError) as error:
        services.order_item_deliver(actor=salesperson, item=item)
    assert _messages(error)["item"] == [
        f"This car was already delivered on {timezone.localdate()}."
    ]
    assert len(delivered) == 1
    assert Ownership.objects.count() == 1


def test_an_order_is_delivered_only_when_every_car_is(
    admin: Any, salesperson: Any, network: Any, catalogue: Any, buyer: Any, delivered: Any
) -> None:
    order = order_at_dealer(
        actor=salesperson,
        admin=admin,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        customer=buyer,
        quantity=2,
    )
    first, second = order.items.all()
    services.order_item_deliver(actor=salesperson, item=first)
    order.refresh_from_db()
    assert (order.status, order.delivered_on) == ("at_dealer", None)
    services.order_item_deliver(actor=salesperson, item=second)
    order.refresh_from_db()
    assert order.status == "delivered"
    assert len(delivered) == 2


def test_a_car_not_yet_at_the_dealer_is_not_delivered(
    admin: Any, salesperson: Any, network: Any, catalogue: Any, buyer: Any, delivered: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue, customer=buyer
    )
    item = order.items.get()
    with pytest.raises(ValidationError) as error:
        services.order_item_deliver(actor=salesperson, item=item)
    assert _messages(error)["item"] == ["The OEM has not allocated a car to this line yet."]
    allocate_all(order, admin=admin)
    post_events([VehicleOrderItem.objects.get(pk=item.pk)], ["built", "shipped"], admin=admin)
    with pytest.raises(ValidationError) as error:
        services.order_item_deliver(actor=salesperson, item=item)
    assert _messages(error)["item"] == [
        "The car is not at the dealer yet (In transit); deliver it once it has arrived."
    ]
    assert not Ownership.objects.exists() and delivered == []
    assert not VehicleEvent.objects.filter(kind="sold").exists()


def test_a_stock_car_needs_the_customer_named_at_delivery(
    admin: Any, user_in: Any, network: Any, catalogue: Any, delivered: Any
) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    seller = user_in(Role.SALESPERSON)
    order = order_at_dealer(
        actor=manager, admin=admin, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    item = order.items.get()
    with pytest.raises(ValidationError) as error:
        services.order_item_deliver(actor=seller, item=item)
    assert _messages(error)["customer"] == [
        "This car was ordered for stock: name the customer it is delivered to."
    ]
    walk_in = CustomerFactory()

    services.order_item_deliver(actor=seller, item=item, customer=walk_in, price=Decimal("1"))

    item.refresh_from_db()
    assert (item.customer, item.salesperson, item.price) == (walk_in, seller, Decimal("1.00"))
    assert delivered[0]["customer"] == walk_in


def test_a_customer_car_goes_to_its_customer_only(
    admin: Any, salesperson: Any, network: Any, catalogue: Any, buyer: Any
) -> None:
    order = order_at_dealer(
        actor=salesperson,
        admin=admin,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        customer=buyer,
    )
    with pytest.raises(ValidationError) as error:
        services.order_item_deliver(
            actor=salesperson, item=order.items.get(), customer=CustomerFactory()
        )
    assert _messages(error)["customer"] == [
        f"This car was ordered for {buyer}; deliver it to them."
    ]


def test_a_failure_inside_delivery_leaves_nothing_half_written(
    admin: Any, salesperson: Any, network: Any, catalogue: Any, buyer: Any
) -> None:
    order = order_at_dealer(
        actor=salesperson,
        admin=admin,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        customer=buyer,
    )
    item = order.items.get()

    def explode(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("receiver failed")

    vehicle_delivered.connect(explode, dispatch_uid="explode")
    try:
        with pytest.raises(RuntimeError):
            services.order_item_deliver(actor=salesperson, item=item)
    finally:
        vehicle_delivered.disconnect(dispatch_uid="explode")

    item.refresh_from_db()
    order.refresh_from_db()
    buyer.refresh_from_db()
    assert (item.status, item.delivered_on, order.status) == ("at_dealer", None, "at_dealer")
    assert not Ownership.objects.exists()
    assert not VehicleEvent.objects.filter(kind="sold").exists()
    assert buyer.status != "owner"
    assert item.vehicle.status == "at_dealer"


def test_other_dealers_and_advisors_may_not_deliver(
    admin: Any, salesperson: Any, user_in: Any, network: Any, catalogue: Any, buyer: Any
) -> None:
    order = order_at_dealer(
        actor=salesperson,
        admin=admin,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        customer=buyer,
    )
    item = order.items.get()
    for actor in (user_in(Role.SALESPERSON, "west"), user_in(Role.SERVICE_ADVISOR)):
        with pytest.raises(PermissionDenied):
            services.order_item_deliver(actor=actor, item=item)
    assert not Ownership.objects.exists()


def test_delivery_dates_are_checked(
    admin: Any, salesperson: Any, network: Any, catalogue: Any, buyer: Any
) -> None:
    order = order_at_dealer(
        actor=salesperson,
        admin=admin,
        dealer=network["east_dealer"],
        vehicle_model=catalogue,
        customer=buyer,
    )
    item = order.items.get()
    with pytest.raises(ValidationError) as error:
        services.order_item_deliver(
            actor=salesperson,
            item=item,
            delivered_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert _messages(error)["delivered_on"] == ["This date is in the future."]
    with pytest.raises(ValidationError) as error:
        services.order_item_deliver(
            actor=salesperson, item=item, delivered_on=datetime.date(2020, 1, 1)
        )
    assert "it cannot be delivered before." in _messages(error)["delivered_on"][0]


def test_road_steps_are_listed_in_order(
    admin: Any, salesperson: Any, network: Any, catalogue: Any
) -> None:
    from autocrm.orders.tracing import timelines

    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    (item,) = allocate_all(order, admin=admin)
    post_events([item], ROAD_TO_DEALER[:3], admin=admin)
    item.refresh_from_db()
    (timeline,) = timelines([item])
    assert [str(step.label) for step in timeline.steps] == [
        "On the line",
        "Paint",
        "Warehouse",
        "In transit",
        "At the dealer",
        "Delivered",
    ]
    assert [step.reached for step in timeline.steps] == [True, True, True, False, False, False]
    assert [step.current for step in timeline.steps].index(True) == 2


def test_the_vehicles_hook_names_the_vehicles_once_per_insert(admin: Any) -> None:
    from autocrm.vehicles.lifecycle import vehicle_events_recorded
    from tests.factories import VehicleFactory

    sent: list[list[int]] = []

    def receiver(sender: Any, vehicle_ids: list[int], **kwargs: Any) -> None:
        sent.append(sorted(vehicle_ids))

    cars = [VehicleFactory(status="in_production") for _ in range(3)]
    vehicle_events_recorded.connect(receiver, dispatch_uid="test-hook")
    try:
        events_record_bulk(
            actor=admin,
            source="mes",
            items=[
                EventItem(
                    kind="stored",
                    occurred_at=timezone.now(),
                    external_id=f"H-{car.pk}-{n}",
                    vin=car.vin,
                )
                for car in cars
                for n in range(2)
            ],
        )
    finally:
        vehicle_events_recorded.disconnect(dispatch_uid="test-hook")
    assert sent == [sorted(car.pk for car in cars)]


def test_a_stock_car_is_credited_to_the_salesperson_who_sells_it(
    admin: Any, user_in: Any, network: Any, catalogue: Any
) -> None:
    orderer = user_in(Role.SALESPERSON)
    seller = user_in(Role.SALESPERSON)
    order = order_at_dealer(
        actor=orderer, admin=admin, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    assert (order.kind, order.salesperson) == ("stock", orderer)
    item = order.items.get()
    services.order_item_deliver(actor=seller, item=item, customer=CustomerFactory())
    item.refresh_from_db()
    assert item.salesperson == seller


def test_the_customer_page_lists_orders_for_them_and_stock_cars_delivered_to_them(
    admin: Any, user_in: Any, network: Any, catalogue: Any, buyer: Any
) -> None:
    from autocrm.orders.selectors import customer_orders

    manager, seller = user_in(Role.DEALER_MANAGER), user_in(Role.SALESPERSON)
    dealer = network["east_dealer"]
    placed = order_at_dealer(
        actor=manager, admin=admin, dealer=dealer, vehicle_model=catalogue, customer=buyer
    )
    stock = order_at_dealer(actor=manager, admin=admin, dealer=dealer, vehicle_model=catalogue)
    order_at_dealer(
        actor=manager,
        admin=admin,
        dealer=dealer,
        vehicle_model=catalogue,
        customer=CustomerFactory(),
    )
    services.order_item_deliver(
        actor=seller, item=stock.items.get(), customer=buyer, price=Decimal("1")
    )

    assert customer_orders(admin, buyer) == [stock, placed]
