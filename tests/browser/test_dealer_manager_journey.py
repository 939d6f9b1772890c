"""A dealer manager logs in, reads the site in Chinese, switches to English, opens their dealer,
and cannot open another region's dealer."""

from __future__ import annotations

from typing import Any

import pytest

from autocrm.accounts.choices import Role
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _html_lang(page: Any) -> str:
    return str(page.locator("html").get_attribute("lang"))


def test_dealer_manager_journey(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given a dealer manager at the east dealer
    manager = user_in(Role.DEALER_MANAGER, display_name="王建国")
    east_dealer = network["east_dealer"]
    west_dealer = network["west_dealer"]
    static_responses: dict[str, int] = {}
    page.on(
        "response",
        lambda response: (
            static_responses.__setitem__(response.url, response.status)
            if "/static/" in response.url
            else None
        ),
    )

    # When they log in with their user name and password
    page.goto("/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")

    # Then they see the home page, in Chinese
    assert page.url == f"{live_server.url}/"
    assert _html_lang(page) == "zh-hans"
    switch = page.locator("[data-testid=language-switch] select[name=language]")
    assert switch.input_value() == "zh-hans"
    assert page.locator("[data-testid=user-menu]").inner_text().startswith("王建国")
    logout = page.locator("form[action$='/accounts/logout/'] button[type=submit]")
    assert logout.inner_text().strip() == "退出登录"

    # When they switch the language to English
    with page.expect_navigation():
        switch.select_option("en")

    # Then the page is in English
    assert _html_lang(page) == "en"
    assert page.locator("[data-testid=language-switch] select[name=language]").input_value() == "en"
    assert logout.inner_text().strip() == "Log out"

    # (the page's styles and scripts, from npm packages, were served)
    assert any(url.endswith("/static/vendor/tabler/tabler.min.css") for url in static_responses)
    assert {url: status for url, status in static_responses.items() if status >= 400} == {}

    # When they open their dealer's page, they see its name and code
    response = page.goto(f"/network/dealers/{east_dealer.pk}/")
    assert response is not None and response.status == 200
    body = page.locator("body").inner_text()
    assert east_dealer.name in body
    assert east_dealer.code in body

    # When they open a dealer in another region, it does not exist for them
    response = page.goto(f"/network/dealers/{west_dealer.pk}/")
    assert response is not None and response.status == 404
    assert west_dealer.name not in page.content()
