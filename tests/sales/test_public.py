"""The public website lead form: routed, idempotent, honeypot, rate limited per address."""

from __future__ import annotations

from typing import Any

import pytest

from autocrm.sales.api import PUBLIC_LEAD_LIMIT
from autocrm.sales.models import Lead
from tests.sales.factories import TerritoryFactory

URL = "/api/v1/public/leads"
pytestmark = pytest.mark.django_db


def _form(network: dict, **extra: Any) -> dict[str, Any]:
    return {
        "submission_id": "web-0001-abcd",
        "name": "钱七",
        "phone": "13712345678",
        "city_code": network["east"]["city"].code,
        "timeframe": "immediately",
        "message": "想试驾",
        **extra,
    }


def test_a_web_lead_is_routed_and_answered_with_its_reference(
    client: Any, network: dict, salespeople: list
) -> None:
    TerritoryFactory(dealer=network["east_dealer"], region=network["east"]["city"])
    response = client.post(URL, _form(network), content_type="application/json")
    assert response.status_code == 201, response.content
    lead = Lead.objects.get()
    assert response.json() == {"reference": lead.number}
    assert (lead.source, lead.dealer, lead.salesperson, lead.notes) == (
        "website",
        network["east_dealer"],
        salespeople[0],
        "想试驾",
    )


def test_sending_the_same_submission_again_stores_nothing_new(client: Any, network: dict) -> None:
    first = client.post(URL, _form(network), content_type="application/json")
    again = client.post(URL, _form(network), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Lead.objects.count() == 1


def test_the_honeypot_stores_nothing(client: Any, network: dict) -> None:
    response = client.post(
        URL, _form(network, website="http://spam"), content_type="application/json"
    )
    assert response.status_code == 201
    assert Lead.objects.count() == 0


def test_bad_input_names_the_field(client: Any, network: dict) -> None:
    response = client.post(
        URL, _form(network, phone="", city_code="NOPE"), content_type="application/json"
    )
    assert response.status_code == 422
    fields = {detail["field"] for detail in response.json()["details"]}
    assert fields == {"city_code"}
    response = client.post(URL, _form(network, phone=""), content_type="application/json")
    assert {detail["field"] for detail in response.json()["details"]} == {"phone", "email"}


def test_too_many_requests_from_one_address_get_429(client: Any, network: dict) -> None:
    for n in range(PUBLIC_LEAD_LIMIT):
        form = _form(network, submission_id=f"web-{n:08d}", website="bot")
        assert client.post(URL, form, content_type="application/json").status_code == 201
    refused = client.post(URL, _form(network), content_type="application/json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    other = client.post(
        URL, _form(network), content_type="application/json", REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 201


def test_a_second_form_from_someone_with_an_open_lead_reaches_that_lead(
    client: Any, network: dict, salespeople: list
) -> None:
    TerritoryFactory(dealer=network["east_dealer"], region=network["east"]["city"])
    first = client.post(URL, _form(network), content_type="application/json")
    again = client.post(
        URL,
        _form(network, submission_id="web-0002-efgh", message="周六上午方便吗"),
        content_type="application/json",
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"reference": ""}  # the open lead's number is not revealed
    lead = Lead.objects.get()
    assert lead.notes.startswith("想试驾\n")
    assert lead.notes.endswith("周六上午方便吗")
    assert lead.version == 2
