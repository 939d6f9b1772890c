"""The API helpers every app's router shares: ids in payloads resolve within the caller's scope
(out of scope answers exactly like unknown), and list filters refuse what they cannot read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from autocrm.accounts.choices import Role
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.customers.models import Customer
from autocrm.network.filters import DealerFilterSet
from autocrm.network.models import Dealer
from tests.factories import CustomerFactory, OwnershipFactory

UNKNOWN_ID = 999_999


@pytest.fixture(autouse=True)
def _english(english: None) -> Iterator[None]:
    """Messages in English (pages by cookie, direct calls by activation), so assertions can
    quote the source strings."""
    with translation.override("en"):
        yield


def _field_errors(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.content
    details: list[dict[str, str]] = response.json()["details"]
    return details


def test_resolve_reference_finds_only_records_the_user_may_see(
    user_in: Any, network: dict[str, Any]
) -> None:
    # given an east dealer manager
    manager = user_in(Role.DEALER_MANAGER)

    # when they name their own dealer, the west dealer, an unknown id, or nothing
    own = resolve_reference(manager, Dealer, "dealer_id", network["east_dealer"].pk)
    with pytest.raises(ValidationError) as out_of_scope:
        resolve_reference(manager, Dealer, "dealer_id", network["west_dealer"].pk)
    with pytest.raises(ValidationError) as unknown:
        resolve_reference(manager, Dealer.objects.all(), "dealer_id", UNKNOWN_ID)

    # then only their own dealer is found, and both others are "no such record" on the field
    assert own == network["east_dealer"]
    assert out_of_scope.value.message_dict == {
        "dealer_id": [f"No such record: {network['west_dealer'].pk}."]
    }
    assert unknown.value.message_dict == {"dealer_id": [f"No such record: {UNKNOWN_ID}."]}
    assert resolve_reference(manager, Dealer, "dealer_id", None) is None


def test_resolve_reference_keeps_the_narrowing_of_a_queryset(
    user_in: Any, network: dict[str, Any]
) -> None:
    # given an administrator, who sees every customer, and an inactive (merged) customer
    administrator = user_in(Role.ADMINISTRATOR)
    merged = CustomerFactory(is_active=False, dealers=[network["east_dealer"]])

    # when the reference may only name active customers
    with pytest.raises(ValidationError) as refused:
        resolve_reference(
            administrator, Customer.objects.filter(is_active=True), "other_id", merged.pk
        )

    # then the inactive one is not found
    assert refused.value.message_dict == {"other_id": [f"No such record: {merged.pk}."]}


def test_filtered_refuses_a_filter_it_cannot_read(network: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        filtered(DealerFilterSet, {"dealer_type": "spaceport"}, Dealer.objects.all())

    assert set(refused.value.message_dict) == {"dealer_type"}
    narrowed = filtered(DealerFilterSet, {"q": "成都"}, Dealer.objects.all())
    assert list(narrowed) == [network["west_dealer"]]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/network/dealers?dealer_type=spaceport", "dealer_type"),
        ("/api/v1/network/regions?level=planet", "level"),
        ("/api/v1/vehicles?status=flying", "status"),
        ("/api/v1/vehicle-models?powertrain=steam", "powertrain"),
        ("/api/v1/interactions?channel=pigeon", "channel"),
    ],
)
def test_every_api_list_answers_a_bad_filter_with_422_naming_it(
    user_in: Any, client_as: Any, url: str, parameter: str
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))

    details = _field_errors(client.get(url))

    assert [detail["field"] for detail in details] == [parameter]


def test_references_to_other_dealers_records_answer_like_unknown_ids(
    user_in: Any, client_as: Any, network: dict[str, Any]
) -> None:
    # given an east salesperson, their customer, and the west dealer's customer and vehicle
    client = client_as(user_in(Role.SALESPERSON))
    own_customer = CustomerFactory(dealers=[network["east_dealer"]])
    west_customer = CustomerFactory(dealers=[network["west_dealer"]])
    west_vehicle = OwnershipFactory(customer=west_customer).vehicle
    interaction = {"channel": "visit", "subject": "到店"}

    # when they log interactions naming the west customer, the west vehicle, or unknown ids
    answers = [
        client.post(
            "/api/v1/interactions",
            {**interaction, "customer_id": west_customer.pk},
            content_type="application/json",
        ),
        client.post(
            "/api/v1/interactions",
            {**interaction, "customer_id": own_customer.pk, "vehicle_id": west_vehicle.pk},
            content_type="application/json",
        ),
        client.post(
            "/api/v1/interactions",
            {**interaction, "customer_id": own_customer.pk, "vehicle_id": UNKNOWN_ID},
            content_type="application/json",
        ),
    ]

    # then each is "no such record" on the field that named it
    assert [_field_errors(answer) for answer in answers] == [
        [{"field": "customer_id", "message": f"No such record: {west_customer.pk}."}],
        [{"field": "vehicle_id", "message": f"No such record: {west_vehicle.pk}."}],
        [{"field": "vehicle_id", "message": f"No such record: {UNKNOWN_ID}."}],
    ]


def test_customer_and_vehicle_endpoints_resolve_references_in_scope(
    user_in: Any, client_as: Any, network: dict[str, Any]
) -> None:
    # given an east dealer manager and their customer, and a west customer
    client = client_as(user_in(Role.DEALER_MANAGER))
    own_customer = CustomerFactory(dealers=[network["east_dealer"]])
    west_customer = CustomerFactory(dealers=[network["west_dealer"]])

    # when they relate the west customer to theirs, and name the west customer as a new owner
    relationship = client.post(
        f"/api/v1/customers/{own_customer.pk}/relationships",
        {"other_id": west_customer.pk, "kind": "household_member"},
        content_type="application/json",
    )
    vehicle = OwnershipFactory(customer=own_customer).vehicle
    transfer = client.post(
        f"/api/v1/vehicles/{vehicle.pk}/transfer",
        {"customer_id": west_customer.pk, "on_date": "2026-01-05"},
        content_type="application/json",
    )

    # then both name the field and nothing of the west customer
    assert _field_errors(relationship) == [
        {"field": "other_id", "message": f"No such record: {west_customer.pk}."}
    ]
    assert _field_errors(transfer) == [
        {"field": "customer_id", "message": f"No such record: {west_customer.pk}."}
    ]
