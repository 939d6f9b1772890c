"""The network list pages: scope, filters, keyset paging, the htmx table fragment, the menu."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.core import pages
from autocrm.core.navigation import menu_for
from autocrm.network.choices import DealerType
from tests.factories import DealerFactory, DealerGroupFactory, HQDepartmentFactory
from tests.network.conftest import row_codes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.DEALER_MANAGER, {"east_dealer"}),
        (Role.SALESPERSON, {"east_dealer"}),
        (Role.REGION_MANAGER, {"east_dealer", "east_other_dealer"}),
        (Role.ANALYST, {"east_dealer", "east_other_dealer", "west_dealer"}),
        (Role.ADMINISTRATOR, {"east_dealer", "east_other_dealer", "west_dealer"}),
    ],
)
def test_dealer_list_shows_exactly_the_dealers_in_scope(
    network: Any, user_in: Any, client_as: Any, role: str, expected: set[str]
) -> None:
    # given a user of the role placed in the east
    client = client_as(user_in(role))

    # when they open the dealer list
    page = client.get(reverse("network:dealer_list")).content.decode()

    # then they see exactly the dealers in their scope
    assert set(row_codes(page)) == {network[key].code for key in expected}
    assert "<html" in page


def test_a_west_region_manager_sees_only_west_dealers(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.REGION_MANAGER, where="west"))

    page = client.get(reverse("network:dealer_list")).content.decode()

    assert row_codes(page) == [network["west_dealer"].code]


def test_filtering_by_dealer_type(network: Any, user_in: Any, client_as: Any) -> None:
    # given a sales-only dealer next to the 4S dealers
    sales_only = DealerFactory(
        region=network["west"]["city"], dealer_type=DealerType.SALES_ONLY, code="SALES01"
    )
    client = client_as(user_in(Role.ANALYST))

    # when HQ filters the list by type
    page = client.get(reverse("network:dealer_list"), {"dealer_type": "sales"}).content.decode()

    # then only that dealer is listed, and the filter bar keeps the choice
    assert row_codes(page) == [sales_only.code]
    assert '<option value="sales" selected>' in page


def test_filtering_by_region_includes_the_whole_subtree(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ANALYST))
    east_area = network["east"]["area"]

    page = client.get(reverse("network:dealer_list"), {"region": east_area.pk}).content.decode()

    assert row_codes(page) == sorted(
        [network["east_dealer"].code, network["east_other_dealer"].code]
    )


def test_region_filter_offers_only_regions_in_scope(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.REGION_MANAGER))

    page = client.get(reverse("network:dealer_list")).content.decode()

    offered = set(
        re.findall(r'<select name="region"[^>]*>(.*?)</select>', page, re.S)[0].split("\n")
    )
    east_ids = {str(region.pk) for region in network["east"].values()}
    west_ids = {str(region.pk) for region in network["west"].values()}
    values = {value for line in offered for value in re.findall(r'value="(\d+)"', line)}
    assert values == east_ids
    assert not values & west_ids


def test_an_invalid_filter_shows_its_error_and_no_rows(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ANALYST))

    page = client.get(reverse("network:dealer_list"), {"dealer_type": "boat"}).content.decode()

    assert row_codes(page) == []
    assert "Select a valid choice. boat is not one of the available choices." in page
    assert 'data-testid="list-empty"' in page


def test_keyset_paging_walks_two_pages_without_offset(
    network: Any, user_in: Any, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given pages of two rows and three dealers HQ may see
    monkeypatch.setattr(pages, "LIST_PAGE_SIZE", 2)
    client = client_as(user_in(Role.ANALYST))
    all_codes = sorted(
        network[key].code for key in ("east_dealer", "east_other_dealer", "west_dealer")
    )

    # when they open the list and follow the "next page" link
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("network:dealer_list")).content.decode()
    next_link = re.search(r'rel="next" href="\?([^"]+)"', first)
    assert next_link is not None
    second = client.get(
        reverse("network:dealer_list") + "?" + next_link.group(1).replace("&amp;", "&")
    )
    second_page = second.content.decode()

    # then the first page has two rows, the second the last one, and no query used OFFSET
    assert row_codes(first) == all_codes[:2]
    assert row_codes(second_page) == all_codes[2:]
    assert 'rel="next"' not in second_page
    assert 'data-testid="first-page"' in second_page
    assert not [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]


def test_paging_keeps_the_filters(
    network: Any, user_in: Any, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "LIST_PAGE_SIZE", 1)
    client = client_as(user_in(Role.ANALYST))
    east_area = network["east"]["area"]

    first = client.get(reverse("network:dealer_list"), {"region": east_area.pk}).content.decode()
    next_query = re.search(r'rel="next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("network:dealer_list") + "?" + next_query).content.decode()

    assert f"region={east_area.pk}" in next_query
    assert row_codes(first) + row_codes(second) == sorted(
        [network["east_dealer"].code, network["east_other_dealer"].code]
    )
    assert 'rel="next"' not in second


def test_a_broken_cursor_starts_again_from_the_first_page(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))

    page = client.get(reverse("network:dealer_list"), {"cursor": "not-a-cursor"}).content.decode()

    assert row_codes(page) == [network["east_dealer"].code]
    assert "The page cursor is invalid; start again from the first page." in page


def test_htmx_request_gets_only_the_table(network: Any, user_in: Any, client_as: Any) -> None:
    # given a region manager filtering the list with htmx
    client = client_as(user_in(Role.REGION_MANAGER))

    # when the filter form asks for the table
    response = client.get(
        reverse("network:dealer_list"), {"q": "徐汇"}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()

    # then the answer is the table alone, with the export filters updated out of band
    assert row_codes(fragment) == [network["east_other_dealer"].code]
    assert "<html" not in fragment
    assert 'data-testid="filter-form"' not in fragment
    assert fragment.lstrip().startswith('<div class="table-responsive">')
    assert (
        '<input type="hidden" name="filters" id="dealer-export-filters" '
        'value="q=%E5%BE%90%E6%B1%87" hx-swap-oob="true">'
    ) in fragment
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ANALYST))

    page = client.get(
        reverse("network:dealer_list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ).content.decode()

    assert "<html" in page
    assert 'data-testid="filter-form"' in page


def test_the_filter_form_and_export_button_are_wired(
    network: Any, user_in: Any, client_as: Any
) -> None:
    page = (
        client_as(user_in(Role.ANALYST))
        .get(reverse("network:dealer_list"), {"dealer_type": "4s"})
        .content.decode()
    )

    assert 'hx-get="/network/dealers/" hx-target="#network-list" hx-push-url="true"' in page
    assert '<div id="network-list" aria-live="polite">' in page
    assert f'action="{reverse("network:dealer_export")}"' in page
    assert 'name="filters" id="dealer-export-filters" value="dealer_type=4s"' in page


def test_service_station_list_shows_only_dealers_with_service(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a sales-only dealer without the service capability
    DealerFactory(
        region=network["east"]["city"],
        dealer_type=DealerType.SALES_ONLY,
        services_vehicles=False,
        code="NOSERVICE",
    )
    client = client_as(user_in(Role.REGION_MANAGER))

    # when the region manager opens the service stations and the dealer list
    stations = client.get(reverse("network:service_station_list")).content.decode()
    dealers = client.get(reverse("network:dealer_list")).content.decode()

    # then the service stations leave it out, the dealer list has it, and the export is preset
    assert row_codes(stations) == sorted(
        [network["east_dealer"].code, network["east_other_dealer"].code]
    )
    assert "NOSERVICE" in row_codes(dealers)
    assert 'name="service_station"' not in stations
    assert 'id="dealer-export-filters" value="service_station=true"' in stations


def test_dealer_list_query_count_does_not_grow_with_rows(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a region manager and dealers with groups
    client = client_as(user_in(Role.REGION_MANAGER))
    group = DealerGroupFactory()
    for dealer_key in ("east_dealer", "east_other_dealer"):
        network[dealer_key].group = group
        network[dealer_key].save()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("network:dealer_list"))

    # when five more dealers with groups appear
    for _number in range(5):
        DealerFactory(region=network["east"]["city"], group=DealerGroupFactory())
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("network:dealer_list")).content.decode()

    # then the page costs the same number of queries
    assert len(row_codes(page)) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_region_group_and_department_lists_show_their_rows_to_an_administrator(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a dealer group with a dealer, and an HQ department
    network["east_dealer"].group = DealerGroupFactory(code="GRP1")
    network["east_dealer"].save()
    HQDepartmentFactory(code="CC")
    client = client_as(user_in(Role.ADMINISTRATOR))

    # when an administrator opens the three lists
    regions = client.get(reverse("network:region_list")).content.decode()
    groups = client.get(reverse("network:group_list")).content.decode()
    departments = client.get(reverse("network:department_list")).content.decode()

    # then each lists its rows and offers to create one
    all_regions = sorted(
        region.code for part in ("east", "west") for region in network[part].values()
    )
    assert row_codes(regions, "region") == all_regions
    assert row_codes(groups, "group") == ["GRP1"]
    assert row_codes(departments, "department") == ["CC"]
    for page, url_name in (
        (regions, "network:region_create"),
        (groups, "network:group_create"),
        (departments, "network:department_create"),
    ):
        assert f'href="{reverse(url_name)}" data-testid="create-link"' in page


def test_group_list_counts_only_dealers_in_scope(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a group with one east and one west dealer
    group = DealerGroupFactory(code="MIXED")
    for key in ("east_dealer", "west_dealer"):
        network[key].group = group
        network[key].save()

    # when the east region manager lists the groups
    page = (
        client_as(user_in(Role.REGION_MANAGER)).get(reverse("network:group_list")).content.decode()
    )

    # then the group is listed with the one dealer they may see
    assert row_codes(page, "group") == ["MIXED"]
    assert re.search(r'data-code="MIXED">.*?<td class="text-end">1</td>', page, re.S)
    assert 'data-testid="create-link"' not in page


def test_region_list_of_a_region_manager_is_their_subtree(
    network: Any, user_in: Any, client_as: Any
) -> None:
    page = (
        client_as(user_in(Role.REGION_MANAGER)).get(reverse("network:region_list")).content.decode()
    )

    assert row_codes(page, "region") == sorted(region.code for region in network["east"].values())


def test_hq_departments_are_listed_for_nobody_outside_headquarters(
    network: Any, user_in: Any, client_as: Any
) -> None:
    HQDepartmentFactory(code="CC")

    page = (
        client_as(user_in(Role.REGION_MANAGER))
        .get(reverse("network:department_list"))
        .content.decode()
    )

    assert row_codes(page, "department") == []


def _menu_urls(user: Any) -> list[str]:
    return [entry["url"] for section in menu_for(user, "/") for entry in section["entries"]]


def test_menu_offers_hq_departments_to_headquarters_only(network: Any, user_in: Any) -> None:
    network_entries = [
        reverse("network:dealer_list"),
        reverse("network:service_station_list"),
        reverse("network:region_list"),
        reverse("network:group_list"),
    ]
    departments = reverse("network:department_list")

    hq_menu = _menu_urls(user_in(Role.CALL_CENTER_AGENT))
    dealer_menu = _menu_urls(user_in(Role.DEALER_MANAGER))

    assert [url for url in hq_menu if url.startswith("/network/")] == [
        *network_entries,
        departments,
    ]
    assert [url for url in dealer_menu if url.startswith("/network/")] == network_entries
