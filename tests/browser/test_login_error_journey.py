"""A wrong password: the login page says so in the reader's language, and nobody is logged in."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.accounts.forms import LoginForm
from tests.browser.support import chinese

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_with_a_wrong_password(page: Any, username: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.click("form button[type=submit]")


def test_a_wrong_password_shows_a_translated_error(
    page: Any, live_server: Any, user_in: Any
) -> None:
    # Given a salesperson, on the login page (in Chinese, as their browser asks)
    salesperson = user_in(Role.SALESPERSON)
    message = LoginForm.error_messages["invalid_login"]
    error = page.locator("[data-testid=login-error]")
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(error).to_have_count(0)

    # When they type a wrong password
    _log_in_with_a_wrong_password(page, salesperson.username)

    # Then the login page explains the problem in Chinese and keeps the user name
    assert page.url == f"{live_server.url}/accounts/login/"
    expect(error).to_have_text(chinese(message))
    expect(page.locator("#id_username")).to_have_value(salesperson.username)
    expect(page.locator("#id_password")).to_have_value("")

    # When they switch to English and try again
    with page.expect_navigation():
        page.select_option("[data-testid=language-switch] select[name=language]", "en")
    _log_in_with_a_wrong_password(page, salesperson.username)

    # Then the same explanation is in English
    with translation.override("en"):
        expect(error).to_have_text(str(message))

    # And they are not logged in: the home page sends them back to the login page
    page.goto("/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
