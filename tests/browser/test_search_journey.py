"""A region manager searches from the navbar and on the search page: they find the dealers of
their region and never one outside it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from tests.browser.support import assert_not_reloaded, log_in, mark_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_region_manager_finds_only_dealers_in_their_region(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given a manager of the east region, and dealers in the east and in the west
    manager = user_in(Role.REGION_MANAGER)
    east_dealer = network["east_dealer"]
    east_other_dealer = network["east_other_dealer"]
    west_dealer = network["west_dealer"]
    dealer_hits = page.locator("[data-testid=search-group-dealers] [data-testid=search-hit]")
    results = page.locator("[data-testid=search-results]")

    # When they type an east dealer's code in the navbar's search box and press Enter
    log_in(page, manager.username)
    page.fill("header form[role=search] input[name=q]", east_dealer.code)
    with page.expect_navigation():
        page.press("header form[role=search] input[name=q]", "Enter")

    # Then the search page lists that dealer, linked to its page
    assert re.search(rf"/search/\?q={east_dealer.code}$", page.url), page.url
    expect(dealer_hits).to_have_count(1)
    expect(dealer_hits.first).to_contain_text(east_dealer.name)
    expect(dealer_hits.first).to_have_attribute("href", east_dealer.get_absolute_url())

    # When they type a part of the name every dealer shares in the page's search box
    mark_page(page)
    box = page.locator("[data-testid=search-form] input[name=q]")
    box.fill("4S店")

    # Then the results update as they type: both east dealers, not the west one
    page.wait_for_url(re.compile(r"q=4S"))
    expect(dealer_hits).to_have_count(2)
    expect(results).to_contain_text(east_dealer.name)
    expect(results).to_contain_text(east_other_dealer.name)
    expect(results).not_to_contain_text(west_dealer.name)

    # When they type the west dealer's exact code
    box.fill(west_dealer.code)

    # Then nothing is found, as if the dealer did not exist
    expect(page.locator("[data-testid=search-no-results]")).to_be_visible()
    expect(results).not_to_contain_text(west_dealer.name)
    assert_not_reloaded(page)
