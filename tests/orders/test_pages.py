"""Order pages: scoped list and detail with the cars' road, a new order, cancel, the OEM's
allocation page and buttons, delivery, the customer panel, search and the menu."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.orders import services
from autocrm.orders.models import VehicleOrder
from autocrm.vehicles.models import Ownership
from tests.factories import CustomerFactory, oem_vin
from tests.orders.factories import allocate_all, order_at_dealer, post_events

pytestmark = pytest.mark.django_db


def _numbers(response: Any) -> set[str]:
    html = response.content.decode()
    return {
        order.number
        for order in VehicleOrder.objects.all()
        if f'data-number="{order.number}"' in html
    }


def _login(user: Any) -> Client:
    client = Client()
    client.cookies["autocrm_language"] = "en"
    client.force_login(user)
    return client


def test_list_and_detail_follow_the_scope(
    network: Any, user_in: Any, admin: Any, catalogue: Any
) -> None:
    seller = user_in(Role.SALESPERSON)
    own = services.vehicle_order_create(
        actor=seller, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    colleague = services.vehicle_order_create(
        actor=user_in(Role.DEALER_MANAGER), dealer=network["east_dealer"], vehicle_model=catalogue
    )
    west = services.vehicle_order_create(
        actor=admin, dealer=network["west_dealer"], vehicle_model=catalogue
    )
    client = _login(seller)
    assert _numbers(client.get("/orders/")) == {own.number, colleague.number}
    assert client.get(f"/orders/{colleague.pk}/").status_code == 200
    assert client.get(f"/orders/{west.pk}/").status_code == 404
    assert _numbers(client.get("/orders/?status=cancelled")) == set()
    assert _numbers(_login(admin).get(f"/orders/?dealer_id={network['west_dealer'].pk}")) == {
        west.number
    }


def test_list_and_detail_queries_stay_flat(
    network: Any, user_in: Any, admin: Any, catalogue: Any
) -> None:
    client = _login(admin)
    order = services.vehicle_order_create(
        actor=admin, dealer=network["east_dealer"], vehicle_model=catalogue, quantity=1
    )
    allocate_all(order, admin=admin)
    with CaptureQueriesContext(connection) as list_one:
        client.get("/orders/")
    with CaptureQueriesContext(connection) as detail_one:
        client.get(f"/orders/{order.pk}/")
    many = services.vehicle_order_create(
        actor=admin, dealer=network["east_dealer"], vehicle_model=catalogue, quantity=6
    )
    items = allocate_all(many, admin=admin)
    post_events(items, ["built", "painted"], admin=admin)
    for _n in range(5):
        services.vehicle_order_create(
            actor=admin, dealer=network["west_dealer"], vehicle_model=catalogue
        )
    with CaptureQueriesContext(connection) as list_many:
        client.get("/orders/")
    with CaptureQueriesContext(connection) as detail_many:
        client.get(f"/orders/{many.pk}/")
    assert len(list_many) == len(list_one)
    assert len(detail_many) == len(detail_one)


def test_a_salesperson_orders_on_the_page(network: Any, user_in: Any, catalogue: Any) -> None:
    seller = user_in(Role.SALESPERSON)
    buyer = CustomerFactory(dealers=[network["east_dealer"]])
    client = _login(seller)
    form = client.get(f"/orders/new/?customer={buyer.pk}").content.decode()
    assert buyer.number in form and 'name="dealer"' not in form

    missing = client.post(
        "/orders/new/", {"vehicle_model": catalogue.pk, "quantity": 1, "kind": "customer"}
    )
    assert "An order for a customer must name the customer." in missing.content.decode()
    unknown = client.post(
        "/orders/new/",
        {
            "vehicle_model": catalogue.pk,
            "quantity": 1,
            "kind": "customer",
            "customer_number": "C999",
        },
    )
    assert "No customer numbered C000000999." in unknown.content.decode()
    assert not VehicleOrder.objects.exists()

    saved = client.post(
        "/orders/new/",
        {
            "vehicle_model": catalogue.pk,
            "quantity": 2,
            "kind": "customer",
            "customer_number": buyer.number,
            "colour": "白",
        },
    )
    order = VehicleOrder.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/orders/{order.pk}/"
    assert (order.customer, order.salesperson, order.quantity) == (buyer, seller, 2)
    assert _login(user_in(Role.SERVICE_ADVISOR)).get("/orders/new/").status_code == 403


def test_cancel_on_the_page(network: Any, user_in: Any, catalogue: Any) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    order = services.vehicle_order_create(
        actor=manager, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    client = _login(manager)
    assert 'data-testid="cancel-form"' in client.get(f"/orders/{order.pk}/").content.decode()
    page = client.post(
        f"/orders/{order.pk}/cancel/", {"reason": "库存够了", "version": order.version}, follow=True
    )
    assert "The order was cancelled." in page.content.decode()
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_the_oem_allocates_on_its_pages(
    network: Any, admin: Any, salesperson: Any, catalogue: Any
) -> None:
    order = services.vehicle_order_create(
        actor=salesperson, dealer=network["east_dealer"], vehicle_model=catalogue, quantity=2
    )
    assert _login(salesperson).get("/orders/allocation/").status_code == 403
    assert (
        'data-testid="allocate-form"'
        not in _login(salesperson).get(f"/orders/{order.pk}/").content.decode()
    )
    client = _login(admin)
    assert _numbers(client.get("/orders/allocation/")) == {order.number}

    confirmed = client.post(
        f"/orders/{order.pk}/confirm/", {"expected_delivery": "2099-03-01"}, follow=True
    ).content.decode()
    assert "The order was confirmed." in confirmed and "2099-03-01" in confirmed
    bad = client.post(
        f"/orders/{order.pk}/allocate/",
        {"line": 1, "production_number": "PG-1", "vin": "SHORT"},
        follow=True,
    ).content.decode()
    assert "A VIN has 17 characters; this one has 5." in bad
    client.post(
        f"/orders/{order.pk}/allocate/",
        {"line": 1, "production_number": "PG-1", "vin": oem_vin(31)},
    )
    client.post(
        f"/orders/{order.pk}/allocate/",
        {"line": 2, "production_number": "PG-2", "vin": oem_vin(32)},
    )
    order.refresh_from_db()
    assert order.status == "in_production"
    assert _numbers(client.get("/orders/allocation/")) == set()


def test_the_detail_page_shows_each_cars_road_and_delivers(
    network: Any, admin: Any, user_in: Any, catalogue: Any
) -> None:
    seller = user_in(Role.SALESPERSON)
    order = order_at_dealer(
        actor=seller, admin=admin, dealer=network["east_dealer"], vehicle_model=catalogue
    )
    item = order.items.select_related("vehicle").get()
    client = _login(seller)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert item.vehicle.vin in page and item.production_number in page
    assert page.count('data-reached="1"') == 5 and 'data-testid="deliver-form"' in page
    assert 'name="customer_number"' in page  # a stock car: the customer is named at delivery

    refused = client.post(
        f"/orders/{order.pk}/items/{item.pk}/deliver/", {"version": item.version}, follow=True
    ).content.decode()
    assert "This car was ordered for stock: name the customer it is delivered to." in refused
    buyer = CustomerFactory(dealers=[network["east_dealer"]])
    done = client.post(
        f"/orders/{order.pk}/items/{item.pk}/deliver/",
        {"customer_number": buyer.number, "price": "199000", "version": item.version},
        follow=True,
    ).content.decode()
    assert "The car was delivered." in done
    assert Ownership.objects.get(vehicle=item.vehicle).customer == buyer
    order.refresh_from_db()
    assert order.status == "delivered"
    assert 'data-testid="deliver-form"' not in client.get(f"/orders/{order.pk}/").content.decode()


def test_the_customer_page_search_and_menu_show_orders(
    network: Any, admin: Any, user_in: Any, catalogue: Any
) -> None:
    seller = user_in(Role.SALESPERSON)
    buyer = CustomerFactory(dealers=[network["east_dealer"]])
    order = services.vehicle_order_create(
        actor=seller, dealer=network["east_dealer"], vehicle_model=catalogue, customer=buyer
    )
    (item,) = allocate_all(order, admin=admin)
    post_events([item], ["built", "painted", "stored", "shipped"], admin=admin)
    call_center = _login(user_in(Role.CALL_CENTER_AGENT))
    panel = call_center.get(f"/customers/{buyer.pk}/").content.decode()
    assert 'data-testid="order-panel"' in panel and order.number in panel
    assert 'data-current="1"' in panel and "In transit" in panel

    for query in (order.number, order.number.replace("VO00000", "vo"), item.production_number):
        found = call_center.get(f"/search/?q={query}").content.decode()
        assert f"/orders/{order.pk}/" in found, query
    west = _login(user_in(Role.SALESPERSON, "west"))
    assert f"/orders/{order.pk}/" not in west.get(f"/search/?q={order.number}").content.decode()

    home = _login(seller).get("/").content.decode()
    assert "/orders/" in home and "/orders/allocation/" not in home
    assert "/orders/allocation/" in _login(admin).get("/").content.decode()
