"""Small helpers the browser journeys share (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from tests.factories import PASSWORD

# Set on ``window`` by ``mark_page``: it survives htmx swaps but not a page load.
_MARK = "__autocrmSamePage"


def chinese(message: Any) -> str:
    """``message`` (a msgid or a lazy translation) as a Chinese reader sees it."""
    with translation.override("zh-hans"):
        return str(translation.gettext(message) if isinstance(message, str) else message)


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form; the next page has loaded when this returns."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def mark_page(page: Any) -> None:
    """Mark the loaded document, so ``assert_not_reloaded`` can tell htmx swaps from loads."""
    page.evaluate(f"() => {{ window.{_MARK} = true; }}")


def assert_not_reloaded(page: Any) -> None:
    assert page.evaluate(f"() => window.{_MARK} === true"), "the page was loaded again"
