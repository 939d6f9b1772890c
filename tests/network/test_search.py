"""The network's search providers: dealers and regions by code prefix or name, within scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from autocrm.accounts.choices import Role
from autocrm.core import search
from autocrm.network.search import search_dealers, search_regions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    with translation.override("en"):
        yield


def test_dealers_are_found_by_code_prefix_within_scope(network: Any, user_in: Any) -> None:
    # given dealers D…; the east region manager sees two of the three
    manager = user_in(Role.REGION_MANAGER)
    east_dealer = network["east_dealer"]

    # when they search by the start of a code, in lower case
    by_prefix = search_dealers(manager, "d", 10)
    by_full_code = search_dealers(manager, east_dealer.code.lower(), 10)
    by_middle = search_dealers(manager, east_dealer.code[1:], 10)

    # then the code prefix matches their dealers only, and the middle of a code matches nothing
    assert [hit.url for hit in by_prefix] == [
        east_dealer.get_absolute_url(),
        network["east_other_dealer"].get_absolute_url(),
    ]
    assert [hit.title for hit in by_full_code] == [str(east_dealer)]
    assert by_middle == []


def test_dealers_are_found_by_part_of_the_name_within_scope(network: Any, user_in: Any) -> None:
    dealer_manager = user_in(Role.DEALER_MANAGER)
    analyst = user_in(Role.ANALYST)

    own = search_dealers(dealer_manager, "浦东", 10)
    other = search_dealers(dealer_manager, "徐汇", 10)
    everyone = search_dealers(analyst, "4S店", 10)

    assert [(hit.title, hit.subtitle) for hit in own] == [
        (str(network["east_dealer"]), f"4S dealer · {network['east']['city'].name}")
    ]
    assert other == []
    assert len(everyone) == 3


def test_the_limit_is_respected(network: Any, user_in: Any) -> None:
    assert len(search_dealers(user_in(Role.ANALYST), "4S", 2)) == 2


def test_regions_are_found_by_code_prefix_and_name_within_scope(network: Any, user_in: Any) -> None:
    manager = user_in(Role.REGION_MANAGER)
    east_city = network["east"]["city"]

    by_name = search_regions(manager, "市", 10)
    by_code = search_regions(manager, east_city.code, 10)
    out_of_scope = search_regions(manager, "西南", 10)

    assert [hit.url for hit in by_name] == [east_city.get_absolute_url()]
    assert [(hit.title, hit.subtitle) for hit in by_code] == [
        (f"{east_city.name} ({east_city.code})", "City")
    ]
    assert out_of_scope == []


def test_the_providers_are_registered_with_the_global_search(network: Any, user_in: Any) -> None:
    groups = search.search_everything(user_in(Role.DEALER_MANAGER), "华东")

    assert [group["key"] for group in groups if group["key"] in {"dealers", "regions"}] == [
        "regions"
    ]
    regions = next(group for group in groups if group["key"] == "regions")
    assert [hit.title for hit in regions["hits"]] == [
        f"{region.name} ({region.code})" for region in network["east"].values()
    ]


def test_an_inactive_dealer_is_marked(network: Any, user_in: Any) -> None:
    dealer = network["west_dealer"]
    dealer.is_active = False
    dealer.save()

    [hit] = search_dealers(user_in(Role.ANALYST), dealer.code, 10)

    assert hit.subtitle == f"4S dealer · {network['west']['city'].name} · inactive"
