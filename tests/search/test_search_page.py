"""The global search box finds customers and vehicles by every kind of query, within scope,
and opens the customer's page when exactly one customer is found (screen pop)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from tests.factories import CustomerFactory

from .conftest import CREDIT_CODE, RESIDENT_ID, full_width

URL = "/search/"


def groups(page: str) -> dict[str, list[str]]:
    """Hit titles per group."""
    found: dict[str, list[str]] = {}
    for key, body in re.findall(
        r'data-testid="search-group-([\w-]+)">(.*?)</div>\s*</div>', page, re.S
    ):
        found[key] = re.findall(r'<div class="fw-bold">([^<]*)<', body)
    return found


@pytest.mark.parametrize(
    "query",
    [
        "138 1234 5678",
        full_width("138 1234 5678"),
        "+86-138-1234-5678",
        "0086 13812345678",
        "zsf",
        "张三丰",
        "張三豐",
        "张三",
        RESIDENT_ID,
    ],
)
def test_one_customer_found_opens_their_page(
    query: str, people: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    response = client.get(URL, {"q": query})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{people['zhang'].pk}/"


def test_customer_number_and_credit_code(people: dict, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    company = people["company"]
    for query in (company.number, company.number.lower(), f"C{company.pk}", CREDIT_CODE):
        response = client.get(URL, {"q": query})
        assert response["Location"] == f"/customers/{company.pk}/", query


@pytest.mark.parametrize(
    "query", ["full VIN", "full VIN in lower case", "123456", "TF123456", "沪A·12345", "沪a 12345"]
)
def test_vehicles_by_vin_tail_and_plate_show_their_owner(
    query: str, people: dict, user_in: Any, client_as: Any
) -> None:
    car = people["car"]
    query = {"full VIN": car.vin, "full VIN in lower case": car.vin.lower()}.get(query, query)
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    page = client.get(URL, {"q": query}, HTTP_HX_REQUEST="true").content.decode()
    found = groups(page)
    assert found.get("vehicles") == [f"{car.vin} 沪A12345"]
    assert f"Owner: 张三丰 ({people['zhang'].number})" in page
    assert f'href="/vehicles/{car.pk}/"' in page


def test_several_customers_are_listed_not_opened(
    people: dict, user_in: Any, client_as: Any
) -> None:
    namesake = CustomerFactory(name="张三", dealers=[people["zhang"].dealer_links.get().dealer])
    client = client_as(user_in(Role.ADMINISTRATOR))
    response = client.get(URL, {"q": "张三"})
    assert response.status_code == 200
    # the exact name first, then the names it begins
    assert groups(response.content.decode())["customers"] == [
        f"张三 ({namesake.number})",
        f"张三丰 ({people['zhang'].number})",
    ]


@pytest.mark.parametrize("query", ["13987654321", "李四", "ls", "川A54321", "654321"])
def test_customers_and_vehicles_out_of_scope_are_never_shown(
    query: str, people: dict, user_in: Any, client_as: Any
) -> None:
    # an east salesperson searches for the west dealer's customer and car
    client = client_as(user_in(Role.SALESPERSON, "east"))
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert groups(page) == {}
    assert people["li"].number not in page and people["li_car"].vin not in page
    # while the west dealer's staff find them
    west = client_as(user_in(Role.SALESPERSON, "west")).get(URL, {"q": query})
    if west.status_code == 302:
        assert west["Location"] == f"/customers/{people['li'].pk}/"
    else:
        assert groups(west.content.decode())["vehicles"] == [f"{people['li_car'].vin} 川A54321"]


def test_an_owner_out_of_scope_is_not_named_on_a_vehicle_hit(
    people: dict, network: dict, user_in: Any, client_as: Any
) -> None:
    # the west car was sold by the east dealer, so the east dealer sees the car but not 李四
    car = people["li_car"]
    car.dealer = network["east_dealer"]
    car.save()
    client = client_as(user_in(Role.DEALER_MANAGER, "east"))
    page = client.get(URL, {"q": car.vin}).content.decode()
    assert groups(page).get("vehicles") == [f"{car.vin} 川A54321"]
    assert "李四" not in page


def test_the_search_costs_a_bounded_number_of_queries(
    people: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    client.get(URL, {"q": "zsf"})
    for _ in range(8):
        CustomerFactory(name="张三丰", dealers=[people["zhang"].dealer_links.get().dealer])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "zsf"})
    assert len(groups(response.content.decode())["customers"]) == 9
    assert len(captured) <= 12
