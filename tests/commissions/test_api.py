"""The commissions API: plans (scoped reads, manager writes, field errors, stale versions),
statements and their cars per role, closing and reopening."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from autocrm.accounts.choices import Role
from autocrm.commissions.models import CommissionPlan, CommissionStatement
from tests.commissions.conftest import MONTH
from tests.commissions.factories import deliver, plan

pytestmark = pytest.mark.django_db

D = Decimal
PLANS = "/api/v1/commission-plans"
STATEMENTS = "/api/v1/commission-statements"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def march(network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, regal: Any) -> Any:
    dealer = network["east_dealer"]
    current = plan(
        actor=manager,
        dealer=dealer,
        name="2026年方案",
        valid_from=datetime.date(2026, 1, 1),
        margin_percent="10",
        rates=[(None, "", "300"), (regal, "", "450")],
        tiers=[(2, "1000")],
    )
    for person, on in ((seller, 3), (seller, 20), (other_seller, 9)):
        deliver(
            dealer=dealer,
            vehicle_model=regal,
            salesperson=person,
            on=MONTH.replace(day=on),
            price="205000",
            cost="200000",
        )
    return current


@pytest.fixture
def west_plan(network: dict[str, Any], user_in: Any) -> Any:
    return plan(
        actor=user_in(Role.ADMINISTRATOR),
        dealer=network["west_dealer"],
        name="西南方案",
        valid_from=datetime.date(2026, 1, 1),
    )


# --- plans -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "where", "sees_west"),
    [
        (Role.ADMINISTRATOR, "east", True),
        (Role.ANALYST, "east", True),
        (Role.REGION_MANAGER, "east", False),
        (Role.DEALER_MANAGER, "east", False),
        (Role.SALESPERSON, "east", False),
        (Role.REGION_MANAGER, "west", True),
    ],
)
def test_plans_are_listed_and_read_within_scope(
    client_as: Any,
    user_in: Any,
    march: Any,
    west_plan: Any,
    role: str,
    where: str,
    sees_west: bool,
) -> None:
    client = client_as(user_in(role, where))
    sees_east = where != "west"

    listed = {item["name"] for item in client.get(PLANS).json()["items"]}

    expected = {"2026年方案"} if sees_east else set()
    assert listed == (expected | {"西南方案"} if sees_west else expected)
    assert client.get(f"{PLANS}/{march.pk}").status_code == (200 if sees_east else 404)
    assert client.get(f"{PLANS}/{west_plan.pk}").status_code == (200 if sees_west else 404)


def test_a_plan_answers_with_its_rates_and_tiers(
    client_as: Any, seller: Any, regal: Any, march: Any
) -> None:
    body = client_as(seller).get(f"{PLANS}/{march.pk}").json()

    assert body["margin_percent"] == "10.00"
    assert sorted((r["basis"], r["vehicle_model_id"], r["amount"]) for r in body["rates"]) == [
        ("any", None, "300.00"),
        ("model", regal.pk, "450.00"),
    ]
    assert [(t["min_cars"], t["bonus"]) for t in body["bonus_tiers"]] == [(2, "1000.00")]


def test_the_plan_list_filters_by_the_day_in_force(
    client_as: Any, network: dict[str, Any], manager: Any, march: Any
) -> None:
    client = client_as(manager)

    assert len(client.get(PLANS, {"in_force_on": "2026-02-01"}).json()["items"]) == 1
    assert client.get(PLANS, {"in_force_on": "2025-12-31"}).json()["items"] == []
    assert client.get(PLANS, {"in_force_on": "someday"}).status_code == 422


def test_the_manager_creates_a_plan(
    client_as: Any, network: dict[str, Any], manager: Any, lacrosse: Any
) -> None:
    answer = post(
        client_as(manager),
        PLANS,
        {
            "dealer_id": network["east_dealer"].pk,
            "name": "2026年方案",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "margin_percent": "2.5",
            "rates": [{"vehicle_model_id": lacrosse.pk, "amount": "1000"}, {"amount": "300"}],
            "bonus_tiers": [{"min_cars": 8, "bonus": "5000"}],
        },
    )

    assert answer.status_code == 201
    created = CommissionPlan.objects.get(pk=answer.json()["id"])
    assert (created.valid_to, created.version) == (datetime.date(2026, 12, 31), 1)
    assert created.rates.count() == 2 and created.bonus_tiers.get().bonus == D("5000")


def test_bad_plans_are_refused_with_a_message_per_field(
    client_as: Any, network: dict[str, Any], manager: Any, march: Any
) -> None:
    client = client_as(manager)
    base = {"dealer_id": network["east_dealer"].pk, "name": "x", "valid_from": "2027-01-01"}

    percent = post(client, PLANS, {**base, "margin_percent": "120"})
    amount = post(client, PLANS, {**base, "rates": [{"series": "君越", "amount": "-5"}]})
    overlap = post(client, PLANS, {**base, "valid_from": "2026-06-01"})
    other_dealer = post(client, PLANS, {**base, "dealer_id": network["west_dealer"].pk})
    unknown_model = post(
        client, PLANS, {**base, "rates": [{"vehicle_model_id": 999999, "amount": "1"}]}
    )

    assert percent.status_code == 422
    assert percent.json()["details"] == [
        {"field": "margin_percent", "message": "A percentage cannot be more than 100."}
    ]
    assert amount.json()["details"] == [
        {"field": "rates", "message": "Rate 1: An amount cannot be negative."}
    ]
    assert overlap.json()["details"][0]["field"] == "valid_from"
    assert "overlaps plan “2026年方案”" in overlap.json()["details"][0]["message"]
    assert other_dealer.json()["details"] == [
        {"field": "dealer_id", "message": "You may set commissions only for the dealer you manage."}
    ]
    assert unknown_model.json()["details"][0]["field"] == "vehicle_model_id"
    assert CommissionPlan.objects.count() == 1


@pytest.mark.parametrize("role", [Role.REGION_MANAGER, Role.SALESPERSON, Role.ANALYST])
def test_readers_may_not_write_plans(
    client_as: Any, user_in: Any, network: dict[str, Any], march: Any, role: str
) -> None:
    client = client_as(user_in(role))

    created = post(
        client,
        PLANS,
        {"dealer_id": network["east_dealer"].pk, "name": "x", "valid_from": "2027-01-01"},
    )
    changed = patch(client, f"{PLANS}/{march.pk}", {"version": 1, "margin_percent": "50"})

    assert (created.status_code, changed.status_code) == (403, 403)
    march.refresh_from_db()
    assert march.margin_percent == D("10.00")


def test_the_manager_updates_a_plan_and_an_old_version_is_a_conflict(
    client_as: Any, manager: Any, march: Any
) -> None:
    client = client_as(manager)
    url = f"{PLANS}/{march.pk}"

    first = patch(client, url, {"version": 1, "margin_percent": "12", "bonus_tiers": []})
    second = patch(client, url, {"version": 1, "margin_percent": "15"})

    assert first.status_code == 200
    assert (first.json()["margin_percent"], first.json()["bonus_tiers"]) == ("12.00", [])
    assert len(first.json()["rates"]) == 2  # not sent, kept
    assert second.status_code == 409 and second.json()["code"] == "conflict"


# --- statements ------------------------------------------------------------------------------


def statement_of(client: Client, dealer: Any, month: str = "2026-03") -> Any:
    return client.get(STATEMENTS, {"dealer_id": dealer.pk, "month": month})


@pytest.mark.parametrize(
    ("role", "where", "answer"),
    [
        (Role.ADMINISTRATOR, "east", "all"),
        (Role.ANALYST, "east", "all"),
        (Role.REGION_MANAGER, "east", "all"),
        (Role.DEALER_MANAGER, "east", "all"),
        (Role.SALESPERSON, "east", "own"),
        (Role.REGION_MANAGER, "west", 404),
        (Role.DEALER_MANAGER, "west", 404),
        (Role.SALESPERSON, "west", 404),
        (Role.SERVICE_ADVISOR, "east", 403),
        (Role.CALL_CENTER_AGENT, "east", 403),
    ],
)
def test_statement_scoping_matrix(
    client_as: Any,
    user_in: Any,
    network: dict[str, Any],
    seller: Any,
    other_seller: Any,
    march: Any,
    role: str,
    where: str,
    answer: Any,
) -> None:
    user = seller if (role, where) == (Role.SALESPERSON, "east") else user_in(role, where)
    response = statement_of(client_as(user), network["east_dealer"])

    if isinstance(answer, int):
        assert response.status_code == answer
        return
    totals = {row["salesperson_id"]: row["total"] for row in response.json()["rows"]}
    if answer == "all":
        assert totals == {seller.pk: "2900.00", other_seller.pk: "950.00"}
    else:
        assert totals == {seller.pk: "2900.00"}


def test_a_statement_row_has_the_amounts_per_rule(
    client_as: Any, network: dict[str, Any], seller: Any, march: Any
) -> None:
    body = statement_of(client_as(seller), network["east_dealer"]).json()

    assert (body["month"], body["status"], body["total"]) == ("2026-03", "open", "2900.00")
    row = body["rows"][0]
    assert row == {
        "salesperson_id": seller.pk,
        "salesperson_name": str(seller),
        "cars": 2,
        "per_car_total": "900.00",
        "margin_total": "10000.00",
        "margin_share_total": "1000.00",
        "bonus": "1000.00",
        "bonus_tier_cars": 2,
        "total": "2900.00",
    }


def test_a_bad_month_is_a_field_error(
    client_as: Any, network: dict[str, Any], manager: Any
) -> None:
    answer = statement_of(client_as(manager), network["east_dealer"], month="2026/3")

    assert answer.status_code == 422
    assert answer.json()["details"] == [
        {"field": "month", "message": "Enter a month as YYYY-MM, for example 2026-03."}
    ]


def test_statement_lines_per_car_and_a_colleagues_are_not_found(
    client_as: Any,
    network: dict[str, Any],
    seller: Any,
    other_seller: Any,
    manager: Any,
    march: Any,
) -> None:
    params = {"dealer_id": network["east_dealer"].pk, "month": "2026-03"}

    own = client_as(seller).get(f"{STATEMENTS}/lines", params).json()
    colleague = client_as(seller).get(
        f"{STATEMENTS}/lines", {**params, "salesperson_id": other_seller.pk}
    )
    everyone = client_as(manager).get(f"{STATEMENTS}/lines", params).json()

    assert [
        (line["delivered_on"], line["per_car_amount"], line["margin_share"], line["total"])
        for line in own
    ] == [
        ("2026-03-03", "450.00", "500.00", "950.00"),
        ("2026-03-20", "450.00", "500.00", "950.00"),
    ]
    assert colleague.status_code == 404
    assert len(everyone) == 3


def test_close_and_reopen_through_the_api(
    client_as: Any, network: dict[str, Any], manager: Any, seller: Any, march: Any
) -> None:
    client = client_as(manager)
    body = {"dealer_id": network["east_dealer"].pk, "month": "2026-03"}

    closed = post(client, "/api/v1/commission-months/close", body)
    again = post(client, "/api/v1/commission-months/close", body)
    by_seller = post(client_as(seller), "/api/v1/commission-months/reopen", {**body, "reason": "x"})
    client = client_as(manager)
    no_reason = post(client, "/api/v1/commission-months/reopen", body)

    assert closed.json() == {**body, "status": "closed", "version": 1}
    assert statement_of(client, network["east_dealer"]).json()["status"] == "closed"
    assert again.status_code == 422 and again.json()["details"][0]["field"] == "month"
    assert by_seller.status_code == 403
    assert no_reason.json()["details"] == [
        {"field": "reason", "message": "Give a reason for reopening the month."}
    ]
    reopened = post(client, "/api/v1/commission-months/reopen", {**body, "reason": "更正"})
    assert reopened.json()["status"] == "open"
    assert not CommissionStatement.objects.exists()


def test_anonymous_callers_get_401(client: Client, network: dict[str, Any]) -> None:
    assert client.get(PLANS).status_code == 401
    assert statement_of(client, network["east_dealer"]).status_code == 401
