"""The statement page (per role and scope), a salesperson's cars, the CSV export, closing and
reopening from the page, and the plan pages."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.commissions import services
from autocrm.commissions.models import CommissionMonth, CommissionPlan, CommissionStatement
from tests.commissions.conftest import MONTH
from tests.commissions.factories import deliver, plan

pytestmark = pytest.mark.django_db

D = Decimal
STATEMENT = reverse("commissions:statement")


@pytest.fixture
def march(network: dict[str, Any], manager: Any, seller: Any, other_seller: Any, regal: Any) -> Any:
    """The east dealer's March: 300 per car, 10 % of margin, 1,000 from 2 cars; two cars for
    the seller (2,600 in all), one for the other (800); a west car that nobody east may see."""
    dealer = network["east_dealer"]
    current = plan(
        actor=manager,
        dealer=dealer,
        name="2026年方案",
        valid_from=datetime.date(2026, 1, 1),
        margin_percent="10",
        rates=[(None, "", "300")],
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


def query(dealer: Any, **extra: Any) -> dict[str, Any]:
    return {"dealer": dealer.pk, "month": "2026-03", **extra}


def rows_of(response: Any) -> dict[int, str]:
    """Salesperson id -> the row's total, from the statement table."""
    html = response.content.decode()
    found = {}
    for chunk in html.split('data-testid="statement-row"')[1:]:
        salesperson = int(chunk.split('data-salesperson="')[1].split('"')[0])
        found[salesperson] = chunk.split('data-testid="row-total">')[1].split("<")[0]
    return found


# --- statement: who sees what ----------------------------------------------------------------


def test_a_salesperson_sees_only_their_own_statement(
    client_as: Any, network: dict[str, Any], seller: Any, march: Any
) -> None:
    response = client_as(seller).get(STATEMENT, query(network["east_dealer"]))

    assert response.status_code == 200
    assert rows_of(response) == {seller.pk: "2600.00"}
    assert b'data-testid="close-form"' not in response.content
    assert b'data-status="open"' in response.content


def test_a_salesperson_defaults_to_their_dealer_and_last_month(
    client_as: Any, seller: Any, march: Any
) -> None:
    response = client_as(seller).get(STATEMENT)

    assert response.status_code == 200
    assert response.context["dealer"] == seller.dealer
    assert response.context["month"] < datetime.date.today().replace(day=1)


def test_a_dealer_manager_sees_every_salesperson_and_may_close(
    client_as: Any,
    network: dict[str, Any],
    manager: Any,
    seller: Any,
    other_seller: Any,
    march: Any,
) -> None:
    response = client_as(manager).get(STATEMENT, query(network["east_dealer"]))

    assert rows_of(response) == {seller.pk: "2600.00", other_seller.pk: "800.00"}
    assert b'data-testid="month-total">3400.00<' in response.content
    assert b'data-testid="close-form"' in response.content


@pytest.mark.parametrize("role", [Role.REGION_MANAGER, Role.ANALYST, Role.ADMINISTRATOR])
def test_region_and_hq_see_the_dealer_within_scope(
    client_as: Any,
    user_in: Any,
    network: dict[str, Any],
    seller: Any,
    other_seller: Any,
    march: Any,
    role: str,
) -> None:
    user = user_in(role)
    response = client_as(user).get(STATEMENT, query(network["east_dealer"]))

    assert rows_of(response) == {seller.pk: "2600.00", other_seller.pk: "800.00"}
    assert (b'data-testid="close-form"' in response.content) is (role == Role.ADMINISTRATOR)


@pytest.mark.parametrize("role", [Role.REGION_MANAGER, Role.DEALER_MANAGER, Role.SALESPERSON])
def test_a_dealer_out_of_scope_is_not_found(
    client_as: Any, user_in: Any, network: dict[str, Any], march: Any, role: str
) -> None:
    user = user_in(role, where="west")

    assert client_as(user).get(STATEMENT, query(network["east_dealer"])).status_code == 404


@pytest.mark.parametrize("role", [Role.SERVICE_ADVISOR, Role.CALL_CENTER_AGENT])
def test_roles_without_commissions_are_refused(
    client_as: Any, user_in: Any, network: dict[str, Any], role: str
) -> None:
    client = client_as(user_in(role))

    assert client.get(STATEMENT, query(network["east_dealer"])).status_code == 403
    assert client.get(reverse("commissions:plan_list")).status_code == 403


def test_a_bad_month_is_named_and_last_month_shown(
    client_as: Any, network: dict[str, Any], manager: Any
) -> None:
    response = client_as(manager).get(STATEMENT, {"month": "2026-13"}, follow=True)

    assert "Enter a month as YYYY-MM, for example 2026-03." in response.content.decode()


# --- a salesperson's cars --------------------------------------------------------------------


def test_the_salesperson_page_lists_each_car_with_its_amounts(
    client_as: Any, network: dict[str, Any], seller: Any, regal: Any, march: Any
) -> None:
    url = reverse("commissions:statement_lines", args=[seller.pk])
    response = client_as(seller).get(url, query(network["east_dealer"]))

    html = response.content.decode()
    assert html.count('data-testid="line-row"') == 2
    assert "2026-03-03" in html and "2026-03-20" in html
    assert str(regal) in html
    assert 'data-testid="bonus">1000.00<' in html
    assert 'data-testid="total">2600.00<' in html


def test_a_salesperson_may_not_open_a_colleagues_cars(
    client_as: Any, network: dict[str, Any], seller: Any, other_seller: Any, march: Any
) -> None:
    url = reverse("commissions:statement_lines", args=[other_seller.pk])

    assert client_as(seller).get(url, query(network["east_dealer"])).status_code == 404


def test_the_manager_opens_any_salespersons_cars(
    client_as: Any, network: dict[str, Any], manager: Any, other_seller: Any, march: Any
) -> None:
    url = reverse("commissions:statement_lines", args=[other_seller.pk])
    response = client_as(manager).get(url, query(network["east_dealer"]))

    assert response.content.decode().count('data-testid="line-row"') == 1


# --- export ----------------------------------------------------------------------------------


def read_csv(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_has_a_line_per_car_within_the_users_scope(
    client_as: Any, network: dict[str, Any], manager: Any, seller: Any, march: Any
) -> None:
    export = reverse("commissions:statement_export")

    everyone = read_csv(client_as(manager).get(export, query(network["east_dealer"])))
    own = read_csv(client_as(seller).get(export, query(network["east_dealer"])))

    assert everyone[0][:4] == ["Salesperson", "Delivered on", "Order number", "VIN"]
    assert len(everyone) == 4
    assert [row[0] for row in own[1:]] == [str(seller), str(seller)]
    assert own[1][5:] == [
        "205000.00",
        "200000.00",
        "5000.00",
        "2026年方案",
        "300.00",
        "500.00",
        "800.00",
    ]


def test_the_export_of_another_dealer_is_not_found(
    client_as: Any, network: dict[str, Any], seller: Any
) -> None:
    export = reverse("commissions:statement_export")

    assert client_as(seller).get(export, query(network["west_dealer"])).status_code == 404


# --- close and reopen ------------------------------------------------------------------------


def test_the_manager_closes_and_reopens_the_month_from_the_page(
    client_as: Any, network: dict[str, Any], manager: Any, seller: Any, march: Any
) -> None:
    client = client_as(manager)
    dealer = network["east_dealer"]

    closed = client.post(reverse("commissions:month_close"), query(dealer), follow=True)

    assert b'data-status="closed"' in closed.content
    assert "2026-03 is closed; its statements are stored." in closed.content.decode()
    assert CommissionStatement.objects.count() == 2
    # A plan change does not move the closed month.
    services.commission_plan_update(actor=manager, plan=march, data={"margin_percent": D("0")})
    assert rows_of(client.get(STATEMENT, query(dealer)))[seller.pk] == "2600.00"

    refused = client.post(reverse("commissions:month_reopen"), query(dealer), follow=True)
    assert "Give a reason for reopening the month." in refused.content.decode()

    reopened = client.post(
        reverse("commissions:month_reopen"), query(dealer, reason="更正方案"), follow=True
    )
    assert b'data-status="open"' in reopened.content
    assert rows_of(reopened)[seller.pk] == "1600.00"
    assert CommissionMonth.objects.get().reopen_reason == "更正方案"


def test_a_salesperson_may_not_close_the_month(
    client_as: Any, network: dict[str, Any], seller: Any, march: Any
) -> None:
    response = client_as(seller).post(
        reverse("commissions:month_close"), query(network["east_dealer"])
    )

    assert response.status_code == 403
    assert not CommissionMonth.objects.exists()


# --- plan pages ------------------------------------------------------------------------------


def test_plan_list_shows_plans_within_scope(
    client_as: Any, network: dict[str, Any], user_in: Any, seller: Any, march: Any
) -> None:
    plan(
        actor=user_in(Role.ADMINISTRATOR),
        dealer=network["west_dealer"],
        name="西南方案",
        valid_from=datetime.date(2026, 1, 1),
    )

    mine = client_as(seller).get(reverse("commissions:plan_list")).content.decode()

    assert "2026年方案" in mine and "西南方案" not in mine
    assert 'data-testid="create-link"' not in mine


def test_a_salesperson_reads_the_plan_but_may_not_change_it(
    client_as: Any, seller: Any, march: Any
) -> None:
    client = client_as(seller)

    page = client.get(reverse("commissions:plan_detail", args=[march.pk]))
    edit = client.get(reverse("commissions:plan_edit", args=[march.pk]))
    add = client.post(reverse("commissions:rate_add", args=[march.pk]), {"rate-amount": "1"})

    assert page.status_code == 200 and b'data-testid="rate-form"' not in page.content
    assert (edit.status_code, add.status_code) == (403, 403)


def test_another_dealers_plan_is_not_found(client_as: Any, user_in: Any, march: Any) -> None:
    west_manager = user_in(Role.DEALER_MANAGER, where="west")

    assert (
        client_as(west_manager).get(reverse("commissions:plan_detail", args=[march.pk])).status_code
        == 404
    )


def test_the_manager_creates_a_plan_from_the_page(
    client_as: Any, network: dict[str, Any], manager: Any
) -> None:
    response = client_as(manager).post(
        reverse("commissions:plan_create"),
        {
            "dealer": network["east_dealer"].pk,
            "name": "2026年方案",
            "valid_from": "2026-01-01",
            "margin_percent": "3",
        },
    )

    created = CommissionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert (created.dealer, created.margin_percent, created.created_by) == (
        network["east_dealer"],
        D("3.00"),
        manager,
    )


def test_the_create_page_offers_only_the_managers_dealer_and_names_bad_input(
    client_as: Any, network: dict[str, Any], manager: Any, march: Any
) -> None:
    client = client_as(manager)
    url = reverse("commissions:plan_create")

    form = client.get(url).context["form"]
    other = client.post(
        url,
        {
            "dealer": network["west_dealer"].pk,
            "name": "x",
            "valid_from": "2027-01-01",
            "margin_percent": "1",
        },
    )
    overlap = client.post(
        url,
        {
            "dealer": network["east_dealer"].pk,
            "name": "x",
            "valid_from": "2026-05-01",
            "margin_percent": "101",
        },
    )

    assert list(form.fields["dealer"].queryset) == [network["east_dealer"]]
    assert "Select a valid choice" in other.content.decode()
    html = overlap.content.decode()
    assert "A percentage cannot be more than 100." in html
    assert CommissionPlan.objects.count() == 1


def test_the_overlap_is_named_on_the_page(
    client_as: Any, network: dict[str, Any], manager: Any, march: Any
) -> None:
    response = client_as(manager).post(
        reverse("commissions:plan_create"),
        {
            "dealer": network["east_dealer"].pk,
            "name": "x",
            "valid_from": "2026-05-01",
            "margin_percent": "1",
        },
    )

    assert "The validity overlaps plan “2026年方案”" in response.content.decode()


def test_the_manager_edits_a_plan_and_a_stale_copy_is_refused(
    client_as: Any, manager: Any, march: Any
) -> None:
    client = client_as(manager)
    url = reverse("commissions:plan_edit", args=[march.pk])
    data = {"name": "新方案", "valid_from": "2026-01-01", "margin_percent": "5", "version": "1"}

    saved = client.post(url, data)
    stale = client.post(url, {**data, "margin_percent": "6"})

    march.refresh_from_db()
    assert saved.status_code == 302
    assert (march.name, march.margin_percent, march.version) == ("新方案", D("5.00"), 2)
    assert "Someone else changed this record" in stale.content.decode()


def test_the_manager_adds_and_removes_rates_and_tiers(
    client_as: Any, manager: Any, lacrosse: Any, march: Any
) -> None:
    client = client_as(manager)

    client.post(
        reverse("commissions:rate_add", args=[march.pk]),
        {"rate-vehicle_model": lacrosse.pk, "rate-amount": "1200", "version": "1"},
    )
    refused = client.post(
        reverse("commissions:tier_add", args=[march.pk]),
        {"tier-min_cars": "5", "tier-bonus": "-10", "version": "2"},
        follow=True,
    )
    client.post(
        reverse("commissions:tier_add", args=[march.pk]),
        {"tier-min_cars": "5", "tier-bonus": "3000", "version": "2"},
    )
    any_rate = march.rates.get(basis="any")
    client.post(reverse("commissions:rate_remove", args=[march.pk, any_rate.pk]), {"version": "3"})

    assert "Tier 2: An amount cannot be negative." in refused.content.decode()
    assert [(r.basis, r.amount) for r in march.rates.all()] == [("model", D("1200.00"))]
    assert [(t.min_cars, t.bonus) for t in march.bonus_tiers.order_by("min_cars")] == [
        (2, D("1000.00")),
        (5, D("3000.00")),
    ]
    page = client.get(march.get_absolute_url()).content.decode()
    assert page.count('data-testid="rate-row"') == 1
    assert page.count('data-testid="tier-row"') == 2


def test_the_menu_offers_commissions_to_readers_only(
    client_as: Any, user_in: Any, seller: Any
) -> None:
    seller_home = client_as(seller).get(reverse("commissions:plan_list")).content.decode()
    advisor = user_in(Role.SERVICE_ADVISOR)
    advisor_home = client_as(advisor).get("/").content.decode()

    assert STATEMENT in seller_home and reverse("commissions:plan_list") in seller_home
    assert STATEMENT not in advisor_home


def test_the_statement_page_costs_the_same_queries_for_more_salespeople(
    client_as: Any, network: dict[str, Any], manager: Any, regal: Any, march: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    client = client_as(manager)
    client.get(STATEMENT, query(network["east_dealer"]))  # sessions, caches
    with CaptureQueriesContext(connection) as before:
        client.get(STATEMENT, query(network["east_dealer"]))
    for n in range(3):
        person = UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"])
        deliver(dealer=network["east_dealer"], vehicle_model=regal, salesperson=person,
                on=MONTH.replace(day=10 + n), price="1", cost="1")  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        response = client.get(STATEMENT, query(network["east_dealer"]))

    assert len(rows_of(response)) == 5
    assert len(after) == len(before)
