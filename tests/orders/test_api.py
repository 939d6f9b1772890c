"""The orders API: list, read, create, cancel, confirm, allocate (one and bulk), deliver, look
up ordered cars; the scoping matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from autocrm.accounts.choices import Role
from autocrm.orders import services
from autocrm.vehicles.models import Ownership
from tests.factories import CustomerFactory, oem_vin
from tests.orders.factories import allocate_all, order_at_dealer, post_events

JSON = "application/json"


@pytest.fixture
def orders(admin: Any, user_in: Any, network: Any, catalogue: Any) -> dict[str, Any]:
    """An order at each dealer: east (two: a salesperson's and the manager's stock order),
    east's second dealer, west."""
    east_seller = user_in(Role.SALESPERSON)
    result = {
        "east": services.vehicle_order_create(
            actor=east_seller,
            dealer=network["east_dealer"],
            vehicle_model=catalogue,
            customer=CustomerFactory(dealers=[network["east_dealer"]]),
        ),
        "east_stock": services.vehicle_order_create(
            actor=user_in(Role.DEALER_MANAGER),
            dealer=network["east_dealer"],
            vehicle_model=catalogue,
        ),
        "east_other": services.vehicle_order_create(
            actor=admin, dealer=network["east_other_dealer"], vehicle_model=catalogue
        ),
        "west": services.vehicle_order_create(
            actor=admin, dealer=network["west_dealer"], vehicle_model=catalogue
        ),
    }
    return result


SCOPE_MATRIX = [
    (Role.ADMINISTRATOR, "east", {"east", "east_stock", "east_other", "west"}),
    (Role.CALL_CENTER_AGENT, "east", {"east", "east_stock", "east_other", "west"}),
    (Role.REGION_MANAGER, "east", {"east", "east_stock", "east_other"}),
    (Role.REGION_MANAGER, "west", {"west"}),
    (Role.DEALER_MANAGER, "east", {"east", "east_stock"}),
    # Salespeople see all of their dealer's orders, stock orders included.
    (Role.SALESPERSON, "east", {"east", "east_stock"}),
    (Role.SERVICE_ADVISOR, "west", {"west"}),
]


@pytest.mark.parametrize(("role", "where", "expected"), SCOPE_MATRIX)
def test_list_and_detail_follow_the_scope(
    role: str, where: str, expected: set[str], orders: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(role, where))
    numbers = {order.number: key for key, order in orders.items()}

    listed = client.get("/api/v1/vehicle-orders").json()["items"]

    assert {numbers[row["number"]] for row in listed} == expected
    for key, order in orders.items():
        answer = client.get(f"/api/v1/vehicle-orders/{order.pk}")
        assert answer.status_code == (200 if key in expected else 404)


def test_list_filters_and_pages(orders: Any, admin: Any, client_as: Any, network: Any) -> None:
    client = client_as(admin)
    east = client.get(f"/api/v1/vehicle-orders?dealer_id={network['east_dealer'].pk}").json()
    assert {row["number"] for row in east["items"]} == {
        orders["east"].number,
        orders["east_stock"].number,
    }
    stock = client.get("/api/v1/vehicle-orders?kind=stock&limit=2").json()
    assert len(stock["items"]) == 2 and stock["next_cursor"]
    rest = client.get(f"/api/v1/vehicle-orders?kind=stock&cursor={stock['next_cursor']}").json()
    assert [row["number"] for row in rest["items"]] == [orders["east_stock"].number]
    customer = orders["east"].customer_id
    mine = client.get(f"/api/v1/vehicle-orders?customer_id={customer}").json()["items"]
    assert [row["number"] for row in mine] == [orders["east"].number]
    bad = client.get("/api/v1/vehicle-orders?status=lost")
    assert bad.status_code == 422


def test_create_through_the_api(user_in: Any, client_as: Any, network: Any, catalogue: Any) -> None:
    seller = user_in(Role.SALESPERSON)
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(seller)

    answer = client.post(
        "/api/v1/vehicle-orders",
        {
            "vehicle_model_id": catalogue.pk,
            "quantity": 2,
            "customer_id": customer.pk,
            "colour": "红",
        },
        content_type=JSON,
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["kind"], body["dealer_id"], body["salesperson_id"], body["quantity"]) == (
        "customer",
        network["east_dealer"].pk,
        seller.pk,
        2,
    )
    detail = client.get(f"/api/v1/vehicle-orders/{body['id']}").json()
    assert [item["status"] for item in detail["items"]] == ["pending", "pending"]
    assert next(step["label"] for step in detail["items"][0]["timeline"]) == "On the line"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"vehicle_model_id": 999999}, "vehicle_model_id", "No such record: 999999."),
        ({"quantity": 0}, "quantity", "Order at least one car."),
        ({"kind": "customer"}, "customer", "An order for a customer must name the customer."),
        ({"unit_price": "-5"}, "unit_price", "A price cannot be negative."),
    ],
)
def test_bad_orders_get_a_specific_message(
    payload: dict[str, Any],
    field: str,
    message: str,
    salesperson: Any,
    client_as: Any,
    catalogue: Any,
) -> None:
    body = {"vehicle_model_id": catalogue.pk, **payload}
    answer = client_as(salesperson).post("/api/v1/vehicle-orders", body, content_type=JSON)
    assert answer.status_code in (400, 422)
    details = answer.json()["details"]
    assert {"field": field, "message": message} in [
        {"field": d["field"], "message": d["message"]} for d in details
    ], details


def test_customer_out_of_scope_is_unknown(
    salesperson: Any, client_as: Any, catalogue: Any, network: Any
) -> None:
    stranger = CustomerFactory(dealers=[network["west_dealer"]])
    answer = client_as(salesperson).post(
        "/api/v1/vehicle-orders",
        {"vehicle_model_id": catalogue.pk, "customer_id": stranger.pk},
        content_type=JSON,
    )
    assert answer.status_code in (400, 422)
    assert answer.json()["details"][0]["message"] == f"No such record: {stranger.pk}."


def test_cancel_confirm_and_allocate_through_the_api(
    orders: Any, admin: Any, user_in: Any, client_as: Any
) -> None:
    order = orders["east_stock"]
    manager = user_in(Role.DEALER_MANAGER)
    client = client_as(manager)
    denied = client.post(f"/api/v1/vehicle-orders/{order.pk}/confirm", {}, content_type=JSON)
    assert denied.status_code == 403
    stale = client.post(
        f"/api/v1/vehicle-orders/{order.pk}/cancel",
        {"reason": "x", "version": 9},
        content_type=JSON,
    )
    assert stale.status_code == 409

    client = client_as(admin)
    confirmed = client.post(
        f"/api/v1/vehicle-orders/{order.pk}/confirm",
        {"expected_delivery": "2099-01-31"},
        content_type=JSON,
    ).json()
    assert (confirmed["status"], confirmed["expected_delivery"]) == ("confirmed", "2099-01-31")
    allocated = client.post(
        f"/api/v1/vehicle-orders/{order.pk}/allocations",
        {"vin": oem_vin(5), "production_number": "API-1"},
        content_type=JSON,
    )
    assert allocated.status_code == 201
    assert (allocated.json()["vin"], allocated.json()["status"]) == (oem_vin(5), "on_the_line")

    refused = client_as(manager).post(
        f"/api/v1/vehicle-orders/{order.pk}/cancel", {"reason": "不要了"}, content_type=JSON
    )
    assert refused.status_code == 422
    assert "already allocated cars" in refused.json()["message"] + str(refused.json()["details"])

    cancelled = client_as(manager).post(
        f"/api/v1/vehicle-orders/{orders['east'].pk}/cancel",
        {"reason": "客户放弃"},
        content_type=JSON,
    )
    assert cancelled.json()["status"] == "cancelled"


def test_bulk_allocation_api(orders: Any, admin: Any, client_as: Any, user_in: Any) -> None:
    body = {
        "items": [
            {"order_number": orders["west"].number, "vin": oem_vin(21), "production_number": "W-1"},
            {"order_number": "VO000000000", "vin": oem_vin(22), "production_number": "W-2"},
        ]
    }
    assert (
        client_as(user_in(Role.SALESPERSON))
        .post("/api/v1/vehicle-order-allocations/bulk", body, content_type=JSON)
        .status_code
        == 403
    )
    answer = client_as(admin).post(
        "/api/v1/vehicle-order-allocations/bulk", body, content_type=JSON
    )
    body = answer.json()
    assert (body["allocated"], body["errors"]) == (1, 1)
    assert body["results"][1]["message"] == "No vehicle order VO000000000."


def test_trace_and_deliver_through_the_api(
    admin: Any, user_in: Any, client_as: Any, network: Any, catalogue: Any
) -> None:
    seller = user_in(Role.SALESPERSON)
    order = order_at_dealer(
        actor=seller, admin=admin, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    item = order.items.select_related("vehicle").get()
    client = client_as(seller)
    for reference in (item.vehicle.vin, item.production_number, order.number):
        traced = client.get(f"/api/v1/vehicle-order-items?reference={reference}").json()
        assert [row["id"] for row in traced] == [item.pk]
        assert [s["reached"] for s in traced[0]["timeline"]] == [True] * 5 + [False]
    west = Client()
    west.force_login(user_in(Role.SALESPERSON, "west"))
    assert west.get(f"/api/v1/vehicle-order-items?reference={order.number}").json() == []
    assert (
        west.post(
            f"/api/v1/vehicle-order-items/{item.pk}/deliver", {}, content_type=JSON
        ).status_code
        == 404
    )

    missing = client.post(f"/api/v1/vehicle-order-items/{item.pk}/deliver", {}, content_type=JSON)
    assert missing.status_code == 422
    assert missing.json()["details"][0]["message"] == (
        "This car was ordered for stock: name the customer it is delivered to."
    )
    buyer = CustomerFactory(dealers=[network["east_dealer"]])
    done = client.post(
        f"/api/v1/vehicle-order-items/{item.pk}/deliver",
        {"customer_id": buyer.pk, "price": "188000"},
        content_type=JSON,
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["customer_id"]) == ("delivered", buyer.pk)
    assert Ownership.objects.get(vehicle=item.vehicle).customer == buyer
    again = client.post(
        f"/api/v1/vehicle-order-items/{item.pk}/deliver",
        {"customer_id": buyer.pk},
        content_type=JSON,
    )
    assert again.status_code == 422
    assert "already delivered" in again.json()["details"][0]["message"]


def test_events_api_moves_an_order(
    admin: Any, salesperson: Any, client_as: Any, network: Any, catalogue: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    (item,) = allocate_all(order, admin=admin)
    body = {
        "source": "tms",
        "events": [
            {
                "kind": "shipped",
                "occurred_at": "2026-01-05T08:00:00+08:00",
                "external_id": "S1",
                "production_number": item.production_number,
            },
            {
                "kind": "arrived",
                "occurred_at": "2026-01-06T08:00:00+08:00",
                "external_id": "S2",
                "vin": oem_vin(424242),
            },
        ],
    }
    answer = client_as(admin).post("/api/v1/vehicle-events/bulk", body, content_type=JSON).json()
    assert [r["outcome"] for r in answer["results"]] == ["recorded", "error"]
    assert answer["results"][1]["message"] == f"No vehicle with VIN {oem_vin(424242)}."
    order.refresh_from_db()
    assert order.status == "in_transit"
    post_events([item], ["arrived"], admin=admin, dealer_code=network["east_dealer"].code)
    order.refresh_from_db()
    assert order.status == "at_dealer"
