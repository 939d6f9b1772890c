"""The interactions list page: in scope, filtered, keyset-paged, in the menu."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.core.navigation import menu_for
from tests.factories import InteractionFactory

URL = "/activities/interactions/"


def row_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="interaction-row" data-id="(\d+)"', page)}


def test_the_menu_lists_interactions_under_customers(user_in: Any) -> None:
    sections = menu_for(user_in(Role.SALESPERSON), "/")
    labels = {
        str(section["label"]): [str(e["label"]) for e in section["entries"]] for section in sections
    }
    assert "Interactions" in labels["Customers"]


@pytest.mark.parametrize(
    ("role", "where", "sees_east", "sees_west"),
    [
        (Role.ADMINISTRATOR, "east", True, True),
        (Role.ANALYST, "east", True, True),
        (Role.REGION_MANAGER, "west", False, True),
        (Role.SALESPERSON, "east", True, False),
    ],
)
def test_the_list_shows_only_interactions_in_scope(
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
    page = client_as(user_in(role, where)).get(URL).content.decode()
    assert (east.pk in row_ids(page), west.pk in row_ids(page)) == (sees_east, sees_west)


def test_the_channel_filter_and_the_query_count(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    call = InteractionFactory(customer=east_customer, channel="inbound_call")
    visit = InteractionFactory(customer=east_customer, channel="visit")
    client = client_as(user_in(Role.DEALER_MANAGER))
    assert row_ids(client.get(URL, {"channel": "visit"}).content.decode()) == {visit.pk}
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    InteractionFactory.create_batch(20, customer=east_customer)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()
    assert call.pk in row_ids(page) and len(row_ids(page)) == 22
    assert len(many) == len(few)
