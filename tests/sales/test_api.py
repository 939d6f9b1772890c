"""The leads API: scoping matrix (every role, in and out of scope; a salesperson's own only),
create, the optimistic lock (409), reassign and the loss approval, flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.sales.models import Lead
from tests.factories import UserFactory
from tests.sales.factories import LeadFactory

URL = "/api/v1/leads"
pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(network: dict, user_in: Any) -> dict[str, Any]:
    own_salesperson = user_in(Role.SALESPERSON, username="own")
    colleague = UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"])
    return {
        "own": LeadFactory(dealer=network["east_dealer"], salesperson=own_salesperson),
        "colleague": LeadFactory(dealer=network["east_dealer"], salesperson=colleague),
        "other_dealer": LeadFactory(dealer=network["east_other_dealer"]),
        "west": LeadFactory(dealer=network["west_dealer"]),
        "unrouted": LeadFactory(dealer=None),
        "own_salesperson": own_salesperson,
    }


# role -> which of the leads it sees
MATRIX = {
    Role.ADMINISTRATOR: {"own", "colleague", "other_dealer", "west", "unrouted"},
    Role.CALL_CENTER_AGENT: {"own", "colleague", "other_dealer", "west", "unrouted"},
    Role.ANALYST: {"own", "colleague", "other_dealer", "west", "unrouted"},
    Role.REGION_MANAGER: {"own", "colleague", "other_dealer"},
    Role.DEALER_MANAGER: {"own", "colleague"},
    Role.SERVICE_ADVISOR: {"own", "colleague"},
    Role.SALESPERSON: {"own"},
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_lists_and_reads_exactly_its_leads(
    role: str, leads: dict, user_in: Any, client_as: Any
) -> None:
    user = leads["own_salesperson"] if role == Role.SALESPERSON else user_in(role)
    client = client_as(user)
    listed = {item["id"] for item in client.get(URL).json()["items"]}
    expected = {leads[name].pk for name in MATRIX[role]}
    assert listed == expected
    for name in {"own", "colleague", "other_dealer", "west", "unrouted"}:
        status = client.get(f"{URL}/{leads[name].pk}").status_code
        assert status == (200 if name in MATRIX[role] else 404), (role, name)


def test_anonymous_callers_are_refused(client: Any, leads: dict) -> None:
    assert client.get(URL).status_code == 401


def test_filters_and_keyset_pages(leads: dict, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))
    first = client.get(URL, {"limit": 2}).json()
    second = client.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    dealer = leads["west"].dealer_id
    assert [i["id"] for i in client.get(URL, {"dealer_id": dealer}).json()["items"]] == [
        leads["west"].pk
    ]
    assert client.get(URL, {"grade": "Z"}).status_code == 422


def test_the_list_costs_the_same_queries_for_one_or_many_leads(
    network: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    LeadFactory(dealer=network["east_dealer"])
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _n in range(10):
        LeadFactory(dealer=network["east_dealer"])
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(one)


def test_create_update_and_the_409_of_a_stale_version(
    network: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    created = client.post(
        URL,
        {"source": "walk_in", "name": "赵六", "phone": "13912345678", "timeframe": "immediately"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["grade"], body["dealer_id"], body["status"]) == (
        "A",
        network["east_dealer"].pk,
        "new",
    )
    url = f"{URL}/{body['id']}"
    ok = client.patch(url, {"status": "contacted", "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"notes": "late", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    jump = client.patch(url, {"status": "converted"}, content_type="application/json")
    assert jump.status_code == 422
    assert jump.json()["details"] == [
        {
            "field": "status",
            "message": "A Contacted lead can only become Qualified next, not Converted.",
        }
    ]


def test_no_phone_nor_email_is_a_422_naming_both(user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    response = client.post(
        URL,
        {"source": "call_center", "name": "无名", "timeframe": "1_year"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {detail["field"] for detail in response.json()["details"]} == {"phone", "email"}
    assert Lead.objects.count() == 0


def test_loss_request_and_approval_through_the_api(leads: dict, user_in: Any, client: Any) -> None:
    lead = leads["own"]
    client.force_login(leads["own_salesperson"])
    asked = client.post(
        f"{URL}/{lead.pk}/loss-requests", {"reason": "预算不足"}, content_type="application/json"
    )
    assert asked.status_code == 201
    decision_url = f"{URL}/{lead.pk}/loss-requests/{asked.json()['id']}/decision"
    refused = client.post(decision_url, {"approve": True}, content_type="application/json")
    assert refused.status_code == 403
    client.force_login(user_in(Role.DEALER_MANAGER))
    approved = client.post(decision_url, {"approve": True}, content_type="application/json")
    assert approved.json()["decision"] == "approved"
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == ("lost", "预算不足")


def test_reassign_through_the_api(leads: dict, network: dict, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    lead = leads["unrouted"]
    response = client.post(
        f"{URL}/{lead.pk}/reassign",
        {"dealer_id": network["west_dealer"].pk, "reason": "人工分配"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["dealer_id"] == network["west_dealer"].pk
    outsider = client_as(user_in(Role.DEALER_MANAGER, where="west"))
    response = outsider.post(
        f"{URL}/{leads['own'].pk}/reassign",
        {"dealer_id": network["west_dealer"].pk, "reason": "抢单"},
        content_type="application/json",
    )
    assert response.status_code == 404
