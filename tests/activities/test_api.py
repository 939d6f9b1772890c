"""The interactions API: create, read, correct, list with filters and keyset pages, in scope."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.models import Interaction
from tests.factories import InteractionFactory, OwnershipFactory

URL = "/api/v1/interactions"


def _ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_logging_a_call_through_the_api(
    user_in: Any, client_as: Any, network: dict, east_customer: Any
) -> None:
    # given a salesperson of the customer's dealer, and a vehicle the customer owns
    salesperson = user_in(Role.SALESPERSON)
    vehicle = OwnershipFactory(customer=east_customer).vehicle
    client = client_as(salesperson)

    # when they post a call
    response = client.post(
        URL,
        {
            "customer_id": east_customer.pk,
            "channel": "outbound_call",
            "subject": "保养提醒",
            "outcome": "appointment_made",
            "duration_seconds": 95,
            "vehicle_id": vehicle.pk,
        },
        content_type="application/json",
    )

    # then it is stored, theirs, at their dealer, and can be read back
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user_id"] == salesperson.pk
    assert body["dealer_id"] == network["east_dealer"].pk
    assert (body["channel"], body["outcome"], body["vehicle_id"]) == (
        "outbound_call",
        "appointment_made",
        vehicle.pk,
    )
    detail = client.get(f"{URL}/{body['id']}")
    assert detail.json()["subject"] == "保养提醒"


def test_bad_input_gets_a_message_per_field_and_writes_nothing(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    response = client.post(
        URL,
        {
            "customer_id": east_customer.pk,
            "channel": "inbound_call",
            "subject": "x",
            "occurred_at": future,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["details"] == [
        {"field": "occurred_at", "message": "An interaction cannot be logged in the future."}
    ]
    response = client.post(
        URL,
        {"customer_id": east_customer.pk, "channel": "pigeon", "subject": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [detail["field"] for detail in response.json()["details"]] == ["channel"]
    assert not Interaction.objects.exists()


def test_patch_changes_only_what_is_sent(user_in: Any, client_as: Any, east_customer: Any) -> None:
    author = user_in(Role.SALESPERSON)
    interaction = InteractionFactory(customer=east_customer, user=author, notes="原始")
    client = client_as(author)
    response = client.patch(
        f"{URL}/{interaction.pk}", {"outcome": "call_back"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    interaction.refresh_from_db()
    assert (interaction.outcome, interaction.notes) == ("call_back", "原始")


def test_a_colleague_may_not_patch_someone_elses_entry(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    interaction = InteractionFactory(customer=east_customer, user=user_in(Role.SALESPERSON))
    client = client_as(user_in(Role.SERVICE_ADVISOR))
    response = client.patch(
        f"{URL}/{interaction.pk}", {"subject": "改"}, content_type="application/json"
    )
    assert response.status_code == 403
    interaction.refresh_from_db()
    assert interaction.subject != "改"


@pytest.mark.parametrize(
    ("role", "where", "sees_east", "sees_west"),
    [
        (Role.ADMINISTRATOR, "east", True, True),
        (Role.CALL_CENTER_AGENT, "east", True, True),
        (Role.REGION_MANAGER, "east", True, False),
        (Role.DEALER_MANAGER, "east", True, False),
        (Role.SALESPERSON, "west", False, True),
    ],
)
def test_scoping_matrix(
    role: str,
    where: str,
    sees_east: bool,
    sees_west: bool,
    user_in: Any,
    client_as: Any,
    east_customer: Any,
    west_customer: Any,
) -> None:
    east = InteractionFactory(customer=east_customer)
    west = InteractionFactory(customer=west_customer)
    client = client_as(user_in(role, where))

    listed = set(_ids(client.get(URL)))
    assert (east.pk in listed, west.pk in listed) == (sees_east, sees_west)
    for interaction, visible in ((east, sees_east), (west, sees_west)):
        detail = client.get(f"{URL}/{interaction.pk}")
        assert detail.status_code == (200 if visible else 404)
        patch = client.patch(
            f"{URL}/{interaction.pk}", {"subject": "改"}, content_type="application/json"
        )
        assert patch.status_code in ((200, 403) if visible else (404,))
        created = client.post(
            URL,
            {"customer_id": interaction.customer_id, "channel": "visit", "subject": "到店"},
            content_type="application/json",
        )
        if visible:
            assert created.status_code == 201
        else:
            assert created.status_code == 422
            assert created.json()["details"][0]["field"] == "customer_id"
    for interaction, visible in ((east, sees_east), (west, sees_west)):
        interaction.refresh_from_db()
        if not visible:
            assert interaction.subject != "改"


def test_anonymous_callers_get_401(client: Any, east_customer: Any) -> None:
    interaction = InteractionFactory(customer=east_customer)
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{interaction.pk}").status_code == 401
    response = client.post(
        URL,
        {"customer_id": east_customer.pk, "channel": "visit", "subject": "x"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_filters_and_keyset_pages(
    user_in: Any, client_as: Any, east_customer: Any, west_customer: Any
) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    base = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    calls = [
        InteractionFactory(
            customer=east_customer, occurred_at=base + datetime.timedelta(hours=h), user=agent
        )
        for h in range(5)
    ]
    visit = InteractionFactory(customer=east_customer, channel="visit", occurred_at=base)
    other = InteractionFactory(customer=west_customer, occurred_at=base)
    client = client_as(agent)

    by_channel = client.get(URL, {"customer_id": east_customer.pk, "channel": "visit"})
    assert _ids(by_channel) == [visit.pk]
    by_user = client.get(URL, {"user_id": agent.pk})
    assert _ids(by_user) == [c.pk for c in reversed(calls)]
    window = client.get(
        URL,
        {
            "since": (base + datetime.timedelta(hours=1)).isoformat(),
            "until": (base + datetime.timedelta(hours=3)).isoformat(),
        },
    )
    assert _ids(window) == [calls[2].pk, calls[1].pk]

    first = client.get(URL, {"customer_id": east_customer.pk, "limit": 4}).json()
    second = client.get(
        URL, {"customer_id": east_customer.pk, "limit": 4, "cursor": first["next_cursor"]}
    ).json()
    newest_first = [c.pk for c in reversed(calls)]
    assert [i["id"] for i in first["items"]] == newest_first[:4]
    # the visit and the oldest call share a time: the id breaks the tie, newest id first
    assert [i["id"] for i in second["items"]] == sorted([calls[0].pk, visit.pk], reverse=True)
    assert second["next_cursor"] is None
    assert other.pk not in [i["id"] for i in first["items"] + second["items"]]

    bad = client.get(URL, {"channel": "pigeon"})
    assert bad.status_code == 422
    assert bad.json()["details"][0]["field"] == "channel"


def test_list_queries_do_not_grow_with_rows(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    InteractionFactory(customer=east_customer)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    InteractionFactory.create_batch(30, customer=east_customer)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.json()["items"]) == 31
    assert len(many) == len(few)


def test_a_contact_time_without_an_offset_is_local_time(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        URL,
        {
            "customer_id": east_customer.pk,
            "channel": "visit",
            "subject": "到店看车",
            "occurred_at": f"{yesterday}T23:30:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    logged = Interaction.objects.get()
    assert timezone.localtime(logged.occurred_at).isoformat() == f"{yesterday}T23:30:00+08:00"
