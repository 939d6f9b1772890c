"""The opportunity, forecast and quote API: scoping matrix, create, the stage change and its
refusals, the optimistic lock (409), the forecast's sums, quotes end to end and the PDF."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.sales.models import Opportunity, Quote
from tests.factories import CustomerFactory, UserFactory, VehicleModelFactory
from tests.sales.factories import LeadFactory, OpportunityFactory

URL = "/api/v1/opportunities"
pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunities(network: dict, user_in: Any) -> dict[str, Any]:
    own_salesperson = user_in(Role.SALESPERSON, username="own")
    colleague = UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"])
    return {
        "own": OpportunityFactory(dealer=network["east_dealer"], salesperson=own_salesperson),
        "colleague": OpportunityFactory(dealer=network["east_dealer"], salesperson=colleague),
        "other_dealer": OpportunityFactory(dealer=network["east_other_dealer"]),
        "west": OpportunityFactory(dealer=network["west_dealer"]),
        "own_salesperson": own_salesperson,
    }


NAMES = ("own", "colleague", "other_dealer", "west")
MATRIX = {
    Role.ADMINISTRATOR: set(NAMES),
    Role.ANALYST: set(NAMES),
    Role.REGION_MANAGER: {"own", "colleague", "other_dealer"},
    Role.DEALER_MANAGER: {"own", "colleague"},
    Role.SALESPERSON: {"own"},
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_lists_and_reads_exactly_its_opportunities(
    role: str, opportunities: dict, user_in: Any, client_as: Any
) -> None:
    user = opportunities["own_salesperson"] if role == Role.SALESPERSON else user_in(role)
    client = client_as(user)
    listed = {item["id"] for item in client.get(URL).json()["items"]}
    assert listed == {opportunities[name].pk for name in MATRIX[role]}
    for name in NAMES:
        status = client.get(f"{URL}/{opportunities[name].pk}").status_code
        assert status == (200 if name in MATRIX[role] else 404), (role, name)


def test_create_and_move_through_the_stages(network: dict, user_in: Any, client_as: Any) -> None:
    seller = user_in(Role.SALESPERSON)
    client = client_as(seller)
    outsider = CustomerFactory(dealers=[network["west_dealer"]])
    refused = client.post(URL, {"customer_id": outsider.pk}, content_type="application/json")
    assert refused.status_code == 422
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    created = client.post(
        URL,
        {"customer_id": customer.pk, "amount": "210000", "expected_close": "2030-01-31"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["stage"], body["probability"], body["salesperson_id"]) == (
        "need_analysis",
        10,
        seller.pk,
    )
    url = f"{URL}/{body['id']}/stage"
    jump = client.post(url, {"stage": "order"}, content_type="application/json")
    assert jump.status_code == 422
    assert jump.json()["details"] == [
        {
            "field": "stage",
            "message": "An opportunity at Need analysis can move to Test drive, Lost, not to "
            "Order: stages are taken one at a time.",
        }
    ]
    moved = client.post(url, {"stage": "test_drive", "version": 1}, content_type="application/json")
    assert (moved.status_code, moved.json()["stage"], moved.json()["version"]) == (
        200,
        "test_drive",
        2,
    )
    stale = client.post(
        url, {"stage": "negotiation", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    history = client.get(f"{URL}/{body['id']}/stages").json()
    assert [(row["from_stage"], row["to_stage"]) for row in history] == [
        ("need_analysis", "test_drive"),
        ("", "need_analysis"),
    ]


def test_a_stale_edit_answers_409_and_changes_nothing(opportunities: dict, client_as: Any) -> None:
    client = client_as(opportunities["own_salesperson"])
    url = f"{URL}/{opportunities['own'].pk}"
    first = client.patch(url, {"amount": "150000", "version": 1}, content_type="application/json")
    assert (first.status_code, first.json()["version"]) == (200, 2)
    second = client.patch(url, {"amount": "1", "version": 1}, content_type="application/json")
    assert second.status_code == 409
    assert Opportunity.objects.get(pk=opportunities["own"].pk).amount == Decimal("150000.00")


def test_out_of_scope_writes_are_not_found(opportunities: dict, client_as: Any) -> None:
    client = client_as(opportunities["own_salesperson"])
    answer = client.post(
        f"{URL}/{opportunities['colleague'].pk}/stage",
        {"stage": "test_drive"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert Opportunity.objects.get(pk=opportunities["colleague"].pk).stage == "need_analysis"


def test_converting_a_lead_through_the_api(network: dict, user_in: Any, client_as: Any) -> None:
    seller = user_in(Role.SALESPERSON)
    lead = LeadFactory(dealer=network["east_dealer"], salesperson=seller, status="qualified")
    answer = client_as(seller).post(
        f"/api/v1/leads/{lead.pk}/convert",
        {"amount": "99000"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert (answer.json()["lead_id"], answer.json()["amount"]) == (lead.pk, "99000.00")


def test_the_forecast_sums_expected_amounts_by_month_and_salesperson(
    network: dict, user_in: Any, client_as: Any
) -> None:
    seller = user_in(Role.SALESPERSON, display_name="王销售")
    month = timezone.localdate().replace(day=1)
    later = (month + datetime.timedelta(days=40)).replace(day=1)
    dealer = network["east_dealer"]
    OpportunityFactory(
        dealer=dealer, salesperson=seller, amount=100000, probability=50, expected_close=month
    )
    OpportunityFactory(
        dealer=dealer,
        salesperson=seller,
        amount=200000,
        probability=25,
        expected_close=month + datetime.timedelta(days=3),
    )
    OpportunityFactory(
        dealer=dealer, salesperson=seller, amount=300000, probability=10, expected_close=later
    )
    # closed and out-of-window opportunities do not count
    OpportunityFactory(dealer=dealer, salesperson=seller, stage="won", expected_close=month)
    OpportunityFactory(
        dealer=dealer,
        salesperson=seller,
        amount=999,
        expected_close=month - datetime.timedelta(days=1),
    )
    OpportunityFactory(dealer=network["west_dealer"], amount=777777, expected_close=month)
    client = client_as(user_in(Role.DEALER_MANAGER))
    body = client.get("/api/v1/forecast?group_by=salesperson").json()
    assert body["total"] == "130000.00"
    assert [
        (row["month"], row["label"], row["count"], row["expected"]) for row in body["rows"]
    ] == [
        (month.isoformat(), "王销售", 2, "100000.00"),
        (later.isoformat(), "王销售", 1, "30000.00"),
    ]
    by_dealer = client_as(user_in(Role.ADMINISTRATOR)).get("/api/v1/forecast?group_by=dealer")
    totals = {
        row["label"]: row["expected"]
        for row in by_dealer.json()["rows"]
        if row["month"] == month.isoformat()
    }
    assert totals == {"上海浦东4S店": "100000.00", "成都武侯4S店": "77777.70"}
    wrong = client.get("/api/v1/forecast?group_by=planet")
    assert wrong.status_code == 422


def test_quotes_end_to_end_and_scoped(network: dict, user_in: Any, client_as: Any) -> None:
    seller = user_in(Role.SALESPERSON)
    opportunity = OpportunityFactory(
        dealer=network["east_dealer"],
        salesperson=seller,
        stage="negotiation",
        vehicle_model=VehicleModelFactory(),
    )
    client = client_as(seller)
    bad = client.post(
        "/api/v1/quotes",
        {
            "opportunity_id": opportunity.pk,
            "lines": [{"kind": "vehicle", "description": "车", "unit_price": "-1"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["details"] == [
        {
            "field": "lines[1].unit_price",
            "message": "Line 1: a price cannot be negative; a discount is a discount line with "
            "a positive amount.",
        }
    ]
    created = client.post(
        "/api/v1/quotes",
        {
            "opportunity_id": opportunity.pk,
            "lines": [
                {"kind": "vehicle", "description": "车", "unit_price": "100000"},
                {"kind": "discount", "description": "优惠", "unit_price": "1000"},
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    quote = created.json()
    assert (quote["net_total"], quote["tax_total"], quote["gross_total"]) == (
        "99000.00",
        "12870.00",
        "111870.00",
    )
    assert [line["gross"] for line in quote["lines"]] == ["113000.00", "-1130.00"]
    base = f"/api/v1/quotes/{quote['id']}"
    revised = client.post(f"{base}/revise", {}, content_type="application/json")
    assert (revised.status_code, revised.json()["revision"]) == (201, 2)
    new = f"/api/v1/quotes/{revised.json()['id']}"
    assert client.post(f"{new}/send").json()["status"] == "sent"
    accepted = client.post(f"{new}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["vehicle_order_id"] is not None
    assert Opportunity.objects.get(pk=opportunity.pk).stage == "order"
    pdf = client.get(f"{new}/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    colleague = UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"])
    other = client_as(colleague)
    assert other.get(base).status_code == 404
    assert other.get(f"{new}/pdf").status_code == 404
    assert other.post(f"{new}/reject").status_code == 404
    assert Quote.objects.get(pk=revised.json()["id"]).status == "accepted"
