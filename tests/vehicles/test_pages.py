"""Vehicle pages: the scoping matrix, the data-quality badge, forms saving through the services,
the customer 360 panel, and query counts that do not grow with rows."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.core.navigation import menu_for
from autocrm.vehicles import services
from autocrm.vehicles.models import OdometerReading, Ownership, Vehicle, VehicleModel
from autocrm.vehicles.wiring import customer_vehicles_context
from tests.factories import (
    CustomerFactory,
    OwnershipFactory,
    VehicleFactory,
    VehicleModelFactory,
    oem_vin,
)
from tests.vehicles.conftest import SCOPE_MATRIX

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def listed_vins(page: str) -> set[str]:
    return set(re.findall(r'data-testid="vehicle-row" data-vin="([A-Z0-9]+)"', page))


@pytest.mark.parametrize(("role", "where", "expected"), SCOPE_MATRIX)
def test_vehicle_pages_show_exactly_the_vehicles_in_scope(
    fleet: dict, user_in: Any, client_as: Any, role: str, where: str, expected: set[str]
) -> None:
    client = client_as(user_in(role, where))

    page = client.get("/vehicles/").content.decode()

    assert listed_vins(page) == {fleet[key].vin for key in expected}
    for key in ("held_east", "owned_east", "west"):
        detail = client.get(f"/vehicles/{fleet[key].pk}/")
        assert detail.status_code == (200 if key in expected else 404)


def test_anonymous_visitors_are_sent_to_log_in(fleet: dict, client: Any) -> None:
    for url in (
        "/vehicles/",
        f"/vehicles/{fleet['west'].pk}/",
        "/vehicles/models/",
        "/vehicles/new/",
    ):
        answer = client.get(url)
        assert answer.status_code == 302
        assert "/login" in answer["Location"]


def test_the_list_shows_the_check_digit_flag_and_filters_by_it(admin: Any, client_as: Any) -> None:
    flagged = VehicleFactory(vin="WVWZZZ1KZ8W000123", vin_check_digit_ok=False)
    VehicleFactory()
    client = client_as(admin)

    page = client.get("/vehicles/").content.decode()
    only_flagged = client.get("/vehicles/", {"check_digit_ok": "false"}, HTTP_HX_REQUEST="true")

    row = re.search(rf'data-vin="{flagged.vin}".*?</tr>', page, re.S)
    assert row is not None and 'data-testid="check-digit-flag"' in row.group(0)
    assert page.count('data-testid="check-digit-flag"') == 1
    assert listed_vins(only_flagged.content.decode()) == {flagged.vin}
    assert "<html" not in only_flagged.content.decode()


def test_the_vehicle_page_shows_owners_mileage_timeline_and_history(
    fleet: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.SERVICE_ADVISOR))
    vehicle = fleet["owned_east"]

    client.post(
        f"/vehicles/{vehicle.pk}/odometer-readings/new/", {"reading_km": 900, "read_on": TODAY}
    )
    client.post(
        f"/vehicles/{vehicle.pk}/odometer-readings/new/", {"reading_km": 100, "read_on": TODAY}
    )
    page = client.get(f"/vehicles/{vehicle.pk}/").content.decode()

    assert f'data-customer="{fleet["east_customer"].number}"' in page
    assert page.count('data-testid="odometer-row"') == 2
    assert page.count('data-testid="odometer-flag"') == 1
    assert re.search(r'data-testid="current-mileage">900', page)
    assert 'data-testid="history-entry"' in page
    assert 'data-testid="edit-link"' not in page  # a service advisor does not edit vehicle data


def test_creating_a_vehicle_from_a_customers_page_starts_their_ownership(
    admin: Any, client_as: Any
) -> None:
    customer = CustomerFactory()
    client = client_as(admin)
    form = client.get(f"/vehicles/new/?customer={customer.pk}").content.decode()
    assert f'name="owner" value="{customer.pk}"' in form

    answer = client.post(
        "/vehicles/new/", {"vin": oem_vin(31), "status": "sold", "owner": customer.pk}
    )

    vehicle = Vehicle.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/vehicles/{vehicle.pk}/"
    assert Ownership.objects.get(vehicle=vehicle).customer == customer


def test_a_bad_vin_on_the_form_gets_its_message_and_saves_nothing(
    admin: Any, client_as: Any
) -> None:
    answer = client_as(admin).post("/vehicles/new/", {"vin": "LSGPC54U0TF00O001", "status": "sold"})

    assert answer.status_code == 200
    assert "never contains the letter O (position 14)" in answer.content.decode()
    assert not Vehicle.objects.exists()


@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.ANALYST])
def test_only_administrators_open_the_vehicle_forms(
    fleet: dict, user_in: Any, client_as: Any, role: str
) -> None:
    client = client_as(user_in(role))

    assert client.get("/vehicles/new/").status_code == 403
    assert client.get(f"/vehicles/{fleet['held_east'].pk}/edit/").status_code == 403
    assert client.get("/vehicles/models/new/").status_code == 403


def test_editing_another_dealers_vehicle_is_not_found(
    fleet: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))

    assert client.get(f"/vehicles/{fleet['west'].pk}/transfer/").status_code == 404


def test_a_salesperson_transfers_a_car_on_the_transfer_page(
    fleet: dict, user_in: Any, client_as: Any, network: dict
) -> None:
    buyer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(user_in(Role.SALESPERSON))
    vehicle = fleet["owned_east"]

    refused = client.post(
        f"/vehicles/{vehicle.pk}/transfer/",
        {"customer": fleet["west_customer"].number, "on_date": TODAY},
    )
    done = client.post(
        f"/vehicles/{vehicle.pk}/transfer/", {"customer": buyer.number, "on_date": TODAY}
    )

    assert f"No customer {fleet['west_customer'].number} among the customers you may see." in (
        refused.content.decode()
    )
    assert done.status_code == 302
    assert Ownership.objects.get(vehicle=vehicle, ended_on=None).customer == buyer


def test_the_catalogue_pages(admin: Any, user_in: Any, client_as: Any) -> None:
    client = client_as(admin)
    created = client.post(
        "/vehicles/models/new/",
        {
            "code": "ENC-26",
            "brand": "别克",
            "series": "昂科威",
            "name": "昂科威 Plus",
            "model_year": 2026,
            "powertrain": "petrol",
            "price": "219900",
            "is_active": "on",
        },
    )
    model = VehicleModel.objects.get(code="ENC-26")
    assert created["Location"] == f"/vehicles/models/{model.pk}/"

    reader = client_as(user_in(Role.SERVICE_ADVISOR, "west"))
    assert 'data-code="ENC-26"' in reader.get("/vehicles/models/").content.decode()
    assert reader.get(f"/vehicles/models/{model.pk}/").status_code == 200


def test_the_menu_has_a_vehicles_section(user_in: Any) -> None:
    sections = {str(s["label"]): s for s in menu_for(user_in(Role.SALESPERSON), "/vehicles/")}

    entries = [str(e["label"]) for e in sections["Vehicles"]["entries"]]
    assert entries == ["Vehicles", "Vehicle models"]


def test_the_customer_panel_lists_current_and_past_vehicles_in_bounded_queries(
    admin: Any, network: dict
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    sold = OwnershipFactory(customer=customer, started_on=datetime.date(2019, 1, 1))
    sold.ended_on = datetime.date(2022, 1, 1)
    sold.save()
    request = RequestFactory().get("/")
    request.user = admin

    def render() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            context = customer_vehicles_context(request, customer)
            html = render_to_string(
                "vehicles/panels/customer_vehicles.html",
                {"customer": customer, "panel": {"title": "Vehicles"}, **context},
                request=request,
            )
        return html, len(captured)

    _html, few = render()
    for serial in range(20):
        OwnershipFactory(customer=customer, vehicle=VehicleFactory(plate=f"沪A{serial:05d}"))
    html, many = render()

    assert many == few
    assert html.count('data-current="true"') == 20
    assert f'data-vin="{sold.vehicle.vin}" data-current="false"' in html
    assert f"/vehicles/new/?customer={customer.pk}" in html


def queries_for(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.DEALER_MANAGER])
def test_list_and_detail_queries_do_not_grow_with_rows(
    fleet: dict, user_in: Any, client: Any, network: dict, role: str
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    client.force_login(user_in(role))
    vehicle = fleet["held_east"]
    # one of each related row first: an empty list can cost one query less than a full one
    services.odometer_record(actor=admin, vehicle=vehicle, reading_km=10, read_on=TODAY)
    OwnershipFactory(vehicle=vehicle, role="driver")
    urls = ["/vehicles/", f"/vehicles/{vehicle.pk}/", "/api/v1/vehicles", "/vehicles/models/"]
    few = [queries_for(client, url) for url in urls]

    for serial in range(12):
        VehicleFactory(dealer=network["east_dealer"], model=VehicleModelFactory())
        services.odometer_record(
            actor=admin, vehicle=vehicle, reading_km=1000 * (serial + 1), read_on=TODAY
        )
        OwnershipFactory(vehicle=vehicle, role="driver")
    many = [queries_for(client, url) for url in urls]

    assert many == few
    assert OdometerReading.objects.filter(vehicle=vehicle).count() == 13
