"""The vehicles API: scoping matrix, writes through the services, field errors, bulk events."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from autocrm.accounts.choices import Role
from autocrm.vehicles.models import Ownership, Vehicle, VehicleEvent
from tests.factories import (
    CustomerFactory,
    VehicleFactory,
    VehicleModelFactory,
    oem_vin,
)
from tests.vehicles.conftest import SCOPE_MATRIX

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def vins(answer: Any) -> set[str]:
    return {item["vin"] for item in answer.json()["items"]}


@pytest.mark.parametrize(("role", "where", "expected"), SCOPE_MATRIX)
def test_vehicle_list_and_detail_answer_exactly_the_vehicles_in_scope(
    fleet: dict, user_in: Any, client_as: Any, role: str, where: str, expected: set[str]
) -> None:
    client = client_as(user_in(role, where))

    listed = client.get("/api/v1/vehicles")

    assert vins(listed) == {fleet[key].vin for key in expected}
    for key in ("held_east", "owned_east", "west"):
        detail = client.get(f"/api/v1/vehicles/{fleet[key].pk}")
        assert detail.status_code == (200 if key in expected else 404)
        sub = client.get(f"/api/v1/vehicles/{fleet[key].pk}/ownerships")
        assert sub.status_code == (200 if key in expected else 404)


def test_anonymous_callers_get_401(fleet: dict, client: Client) -> None:
    for url in (
        "/api/v1/vehicles",
        f"/api/v1/vehicles/{fleet['west'].pk}",
        "/api/v1/vehicle-models",
    ):
        answer = client.get(url)
        assert answer.status_code == 401
        assert answer.json()["code"] == "not_authenticated"


def test_the_catalogue_is_visible_to_every_role(user_in: Any, client_as: Any) -> None:
    model = VehicleModelFactory(code="ENV-26")
    client = client_as(user_in(Role.SERVICE_ADVISOR, "west"))

    assert [m["code"] for m in client.get("/api/v1/vehicle-models").json()["items"]] == ["ENV-26"]
    assert client.get(f"/api/v1/vehicle-models/{model.pk}").json()["brand"] == "别克"


def test_vehicle_list_filters_and_pages_by_vin(admin: Any, client_as: Any, network: dict) -> None:
    cars = [VehicleFactory(dealer=network["east_dealer"]) for _ in range(3)]
    flagged = VehicleFactory(vin="WVWZZZ1KZ8W00012" + "3", vin_check_digit_ok=False)
    client = client_as(admin)

    first = client.get("/api/v1/vehicles", {"limit": 2}).json()
    second = client.get("/api/v1/vehicles", {"limit": 2, "cursor": first["next_cursor"]}).json()

    ordered = sorted([*(c.vin for c in cars), flagged.vin])
    assert [v["vin"] for v in first["items"] + second["items"]] == ordered
    tail = cars[1].vin[-6:]
    assert vins(client.get("/api/v1/vehicles", {"vin": tail.lower()})) == {cars[1].vin}
    assert vins(client.get("/api/v1/vehicles", {"check_digit_ok": "false"})) == {flagged.vin}
    assert len(vins(client.get("/api/v1/vehicles", {"dealer_id": network["east_dealer"].pk}))) == 3


def test_creating_a_vehicle_with_a_wrong_check_digit_names_the_expected_one(
    admin: Any, client_as: Any
) -> None:
    vin = oem_vin(7)
    wrong = "X" if vin[8] != "X" else "0"

    answer = client_as(admin).post(
        "/api/v1/vehicles", {"vin": vin[:8] + wrong + vin[9:]}, content_type="application/json"
    )

    assert answer.status_code == 422
    assert answer.json()["details"] == [
        {
            "field": "vin",
            "message": f"The check digit (position 9) of this VIN should be {vin[8]}, not {wrong}.",
        }
    ]
    assert not Vehicle.objects.exists()


def test_creating_and_editing_a_vehicle(admin: Any, client_as: Any) -> None:
    client = client_as(admin)
    model = VehicleModelFactory()

    created = client.post(
        "/api/v1/vehicles",
        {"vin": oem_vin(8), "model_id": model.pk, "plate": "粤B 12345"},
        content_type="application/json",
    )
    vehicle_id = created.json()["id"]
    edited = client.patch(
        f"/api/v1/vehicles/{vehicle_id}",
        {"version": 1, "colour": "珍珠白"},
        content_type="application/json",
    )
    stale = client.patch(
        f"/api/v1/vehicles/{vehicle_id}",
        {"version": 1, "colour": "黑"},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert created.json()["plate"] == "粤B12345"
    assert (edited.status_code, edited.json()["colour"], edited.json()["version"]) == (
        200,
        "珍珠白",
        2,
    )
    assert stale.status_code == 409


def test_dealer_staff_may_not_create_vehicles(user_in: Any, client_as: Any) -> None:
    answer = client_as(user_in(Role.DEALER_MANAGER)).post(
        "/api/v1/vehicles", {"vin": oem_vin(9)}, content_type="application/json"
    )

    assert answer.status_code == 403
    assert not Vehicle.objects.exists()


def test_a_salesperson_transfers_a_car_to_their_customer(
    fleet: dict, user_in: Any, client_as: Any, network: dict
) -> None:
    buyer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(user_in(Role.SALESPERSON))
    vehicle = fleet["owned_east"]

    answer = client.post(
        f"/api/v1/vehicles/{vehicle.pk}/transfer",
        {"customer_id": buyer.pk, "on_date": TODAY.isoformat()},
        content_type="application/json",
    )

    assert answer.status_code == 201
    assert answer.json()["customer_number"] == buyer.number
    owners = client.get(f"/api/v1/vehicles/{vehicle.pk}/ownerships").json()
    assert [(o["customer_id"], o["ended_on"]) for o in owners] == [
        (buyer.pk, None),
        (fleet["east_customer"].pk, TODAY.isoformat()),
    ]


def test_a_customer_of_another_dealer_cannot_be_named(
    fleet: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))

    answer = client.post(
        f"/api/v1/vehicles/{fleet['owned_east'].pk}/transfer",
        {"customer_id": fleet["west_customer"].pk, "on_date": TODAY.isoformat()},
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert answer.json()["details"][0]["field"] == "customer_id"
    assert Ownership.objects.filter(vehicle=fleet["owned_east"], ended_on=None).count() == 1


def test_a_second_owner_through_the_api_is_refused(fleet: dict, admin: Any, client_as: Any) -> None:
    answer = client_as(admin).post(
        "/api/v1/ownerships",
        {
            "vehicle_id": fleet["owned_east"].pk,
            "customer_id": fleet["west_customer"].pk,
            "started_on": TODAY.isoformat(),
        },
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert (
        f"already owned by {fleet['east_customer'].number}"
        in answer.json()["details"][0]["message"]
    )


def test_odometer_readings_through_the_api(fleet: dict, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.SERVICE_ADVISOR))
    url = f"/api/v1/vehicles/{fleet['held_east'].pk}/odometer-readings"

    client.post(
        url, {"reading_km": 5000, "read_on": TODAY.isoformat()}, content_type="application/json"
    )
    lower = client.post(
        url, {"reading_km": 400, "read_on": TODAY.isoformat()}, content_type="application/json"
    )

    assert lower.status_code == 201
    assert lower.json()["flagged"] is True
    assert [r["reading_km"] for r in client.get(url).json()] == [400, 5000]
    assert client.get(f"/api/v1/vehicles/{fleet['held_east'].pk}").json()["current_mileage"] == 5000
    other = client.post(
        f"/api/v1/vehicles/{fleet['west'].pk}/odometer-readings",
        {"reading_km": 1, "read_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_bulk_events_answer_per_item_and_are_idempotent(admin: Any, client_as: Any) -> None:
    vehicle = VehicleFactory(status="in_production")
    body = {
        "source": "tms",
        "events": [
            {
                "kind": "shipped",
                "occurred_at": "2026-01-05T08:00:00+08:00",
                "external_id": "S1",
                "vin": vehicle.vin,
            },
            {
                "kind": "shipped",
                "occurred_at": "2026-01-05T08:00:00+08:00",
                "external_id": "S2",
                "vin": oem_vin(424242),
            },
        ],
    }
    client = client_as(admin)

    first = client.post("/api/v1/vehicle-events/bulk", body, content_type="application/json").json()
    again = client.post("/api/v1/vehicle-events/bulk", body, content_type="application/json").json()

    assert (first["recorded"], first["duplicates"], first["errors"]) == (1, 0, 1)
    assert [r["outcome"] for r in again["results"]] == ["duplicate", "error"]
    assert again["results"][1]["message"] == f"No vehicle with VIN {oem_vin(424242)}."
    assert VehicleEvent.objects.count() == 1
    timeline = client.get(f"/api/v1/vehicles/{vehicle.pk}/events").json()
    assert [e["kind"] for e in timeline] == ["shipped"]


def test_bulk_events_refuse_more_than_1000_items_and_dealer_staff(
    admin: Any, user_in: Any, client_as: Any
) -> None:
    event = {
        "kind": "built",
        "occurred_at": "2026-01-05T08:00:00+08:00",
        "external_id": "E",
        "vin": oem_vin(1),
    }
    too_many = client_as(admin).post(
        "/api/v1/vehicle-events/bulk",
        {"source": "mes", "events": [event] * 1001},
        content_type="application/json",
    )
    assert too_many.status_code == 422

    denied = client_as(user_in(Role.DEALER_MANAGER)).post(
        "/api/v1/vehicle-events/bulk",
        {"source": "mes", "events": [event]},
        content_type="application/json",
    )
    assert denied.status_code == 403
