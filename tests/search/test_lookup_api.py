"""Screen pop: GET /api/v1/lookup answers the caller's card(s) in a few queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    OwnershipFactory,
    PhoneFactory,
    VehicleFactory,
    oem_vin,
)

from .conftest import RESIDENT_ID, full_width

URL = "/api/v1/lookup"


def test_a_phone_in_any_format_gives_the_callers_card(
    people: dict, user_in: Any, client_as: Any
) -> None:
    zhang = people["zhang"]
    manager = user_in(Role.SALESPERSON, display_name="王经理")
    zhang.manager = manager
    zhang.save()
    client = client_as(user_in(Role.CALL_CENTER_AGENT))

    response = client.get(URL, {"phone": full_width("138-1234-5678")})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["terms"] == [{"kind": "phone", "value": "+8613812345678"}]
    [card] = body["cards"]
    assert card["customer"] == {
        "id": zhang.pk,
        "number": zhang.number,
        "name": "张三丰",
        "kind": "individual",
        "status": "prospect",
        "url": f"/customers/{zhang.pk}/",
    }
    assert card["phone"] == {"value": "138 1234 5678", "normalised": "+8613812345678"}
    assert card["email"] is None
    assert card["manager"] == {"id": manager.pk, "name": "王经理"}
    assert card["vehicles"] == [
        {
            "id": people["car"].pk,
            "vin": people["car"].vin,
            "plate": "沪A12345",
            "model": "别克 君威 2.0T",
            "status": "sold",
            "role": "owner",
            "since": "2024-05-01",
        }
    ]
    assert [i["subject"] for i in card["last_interactions"]] == ["来电4", "来电3", "来电2"]
    assert set(card["last_interactions"][0]) == {"occurred_at", "channel", "subject", "outcome"}


@pytest.mark.parametrize(
    ("params", "kind"),
    [
        ({"vin": "car"}, "vin"),
        ({"vin": "123456"}, "vin_tail"),
        ({"plate": "沪A·12345"}, "plate"),
        ({"q": "zsf"}, "initials"),
        ({"q": RESIDENT_ID}, "id_number"),
    ],
)
def test_vin_plate_and_text_find_the_owner(
    params: dict, kind: str, people: dict, user_in: Any, client_as: Any
) -> None:
    if params.get("vin") == "car":
        params = {"vin": people["car"].vin.lower()}
    client = client_as(user_in(Role.DEALER_MANAGER))
    body = client.get(URL, params).json()
    assert [term["kind"] for term in body["terms"]] == [kind]
    assert [card["customer"]["id"] for card in body["cards"]] == [people["zhang"].pk]
    # an ID number is never echoed in full
    assert RESIDENT_ID not in str(body)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "Give a phone number, a VIN, a plate or a search text (q)."),
        ({"phone": "138 1234 567a"}, "phone", "A phone number cannot contain “a”."),
        (
            {"phone": "12345"},
            "phone",
            "“12345” is not a valid phone number: check the digits and the area code.",
        ),
        ({"vin": "LSGPC54U0TF12345"}, "vin", "A VIN has 17 characters; this one has 16."),
        ({"q": "!!"}, "q", "Nothing in “!!” can be searched for."),
    ],
)
def test_bad_queries_get_400_with_a_field_message(
    params: dict, field: str, message: str, user_in: Any, client_as: Any, network: dict
) -> None:
    response = client_as(user_in(Role.CALL_CENTER_AGENT)).get(URL, params)
    assert response.status_code == 400
    assert response.json()["details"] == [{"field": field, "message": message}]


def test_an_unknown_number_gives_no_cards(people: dict, user_in: Any, client_as: Any) -> None:
    body = client_as(user_in(Role.CALL_CENTER_AGENT)).get(URL, {"phone": "13700000000"}).json()
    assert body["cards"] == []


@pytest.mark.parametrize(
    ("role", "where", "finds_zhang", "finds_li"),
    [
        (Role.CALL_CENTER_AGENT, "east", True, True),
        (Role.REGION_MANAGER, "east", True, False),
        (Role.SALESPERSON, "east", True, False),
        (Role.SERVICE_ADVISOR, "west", False, True),
    ],
)
def test_scoping_matrix(
    role: str,
    where: str,
    finds_zhang: bool,
    finds_li: bool,
    people: dict,
    user_in: Any,
    client_as: Any,
) -> None:
    client = client_as(user_in(role, where))
    for phone, plate, expected, customer in (
        ("13812345678", "沪A12345", finds_zhang, people["zhang"]),
        ("13987654321", "川A54321", finds_li, people["li"]),
    ):
        for params in ({"phone": phone}, {"plate": plate}):
            ids = [card["customer"]["id"] for card in client.get(URL, params).json()["cards"]]
            assert ids == ([customer.pk] if expected else [])


def test_anonymous_callers_get_401(client: Any, people: dict) -> None:
    assert client.get(URL, {"phone": "13812345678"}).status_code == 401


def test_the_lookup_costs_a_few_queries_whatever_the_number_of_cards_and_vehicles(
    people: dict, network: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    client.get(URL, {"phone": "13812345678"})
    with CaptureQueriesContext(connection) as one:
        client.get(URL, {"phone": "13812345678"})
    # a shared family phone: four more customers with it, each with three cars
    for n in range(4):
        relative = CustomerFactory(name=f"张{n}", dealers=[network["east_dealer"]])
        PhoneFactory(customer=relative, value="13812345678")
        for m in range(3):
            vin = oem_vin(200000 + n * 10 + m)
            OwnershipFactory(
                customer=relative,
                vehicle=VehicleFactory(vin=vin, vin_tail=vin[-6:]),
                started_on=datetime.date(2025, 1, 1),
            )
    with CaptureQueriesContext(connection) as five:
        body = client.get(URL, {"phone": "13812345678"}).json()
    assert len(body["cards"]) == 5
    assert sorted(len(card["vehicles"]) for card in body["cards"]) == [1, 3, 3, 3, 3]
    assert len(one) <= 6
    assert len(five) == len(one)


def test_a_car_without_a_catalogue_model_has_an_empty_model_on_the_card(
    people: dict, user_in: Any, client_as: Any
) -> None:
    vin = oem_vin(300001)
    OwnershipFactory(
        customer=people["zhang"],
        vehicle=VehicleFactory(vin=vin, vin_tail=vin[-6:], model=None),
        started_on=datetime.date(2020, 3, 1),
    )
    body = client_as(user_in(Role.CALL_CENTER_AGENT)).get(URL, {"phone": "13812345678"}).json()
    models = {vehicle["vin"]: vehicle["model"] for vehicle in body["cards"][0]["vehicles"]}
    assert models == {people["car"].vin: "别克 君威 2.0T", vin: ""}


def test_each_card_of_a_shared_phone_has_its_own_last_three_interactions(
    people: dict, network: dict, user_in: Any, client_as: Any
) -> None:
    relative = CustomerFactory(name="张小丰", dealers=[network["east_dealer"]])
    PhoneFactory(customer=relative, value="13812345678")
    for day in range(1, 6):
        InteractionFactory(
            customer=relative,
            subject=f"亲属来电{day}",
            occurred_at=datetime.datetime(2025, 6, day, 9, tzinfo=datetime.UTC),
        )
    body = client_as(user_in(Role.CALL_CENTER_AGENT)).get(URL, {"phone": "13812345678"}).json()
    subjects = {
        card["customer"]["name"]: [i["subject"] for i in card["last_interactions"]]
        for card in body["cards"]
    }
    assert subjects == {
        "张三丰": ["来电4", "来电3", "来电2"],
        "张小丰": ["亲属来电5", "亲属来电4", "亲属来电3"],
    }
    [card] = [card for card in body["cards"] if card["customer"]["id"] == relative.pk]
    assert card["last_interactions"][0]["occurred_at"].startswith("2025-06-05T09:00")


@pytest.mark.parametrize("role", [Role.CALL_CENTER_AGENT, Role.DEALER_MANAGER])
def test_a_merged_away_customer_is_not_a_card(
    role: str, people: dict, network: dict, user_in: Any, client_as: Any
) -> None:
    duplicate = CustomerFactory(name="张三丰", dealers=[network["east_dealer"]])
    PhoneFactory(customer=duplicate, value="13812345678")
    duplicate.merged_into = people["zhang"]
    duplicate.save()

    body = client_as(user_in(role)).get(URL, {"phone": "13812345678"}).json()

    assert [card["customer"]["id"] for card in body["cards"]] == [people["zhang"].pk]
