"""A call-center agent creates a person: the phone number they mistype is refused in Chinese as
soon as they leave the field, they correct it, save, and land on the new customer's 360 page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.customers.identifiers import normalise_phone
from autocrm.customers.models import ContactPoint, Customer
from tests.browser.support import assert_not_reloaded, chinese, log_in, mark_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISTYPED = "138 1234 567"  # one digit short
CORRECTED = "138 1234 5678"


def _chinese_phone_error(raw: str) -> str:
    """What the form says about ``raw``, as a Chinese reader sees it."""
    with translation.override("zh-hans"):
        try:
            normalise_phone(raw)
        except ValidationError as error:
            return str(error.messages[0])
    raise AssertionError(f"{raw} is a valid phone number")


def test_agent_creates_a_person_after_fixing_the_phone_number(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given a call-center agent on the customer list
    agent = user_in(Role.CALL_CENTER_AGENT)
    log_in(page, agent.username)
    page.goto("/customers/")

    # When they open "New person", type a name and a phone number one digit short
    with page.expect_navigation():
        page.click("[data-testid=create-link]")
    expect(page).to_have_url(re.compile(r"/customers/new/$"))
    mark_page(page)
    page.fill("#id_name", "王小明")
    page.fill("#id_phone", MISTYPED)
    page.locator("#id_phone").press("Tab")

    # Then the phone field says what is wrong, in Chinese, without a page load, and keeps what
    # they typed
    phone_error = page.locator("#field-phone .invalid-feedback")
    expected = _chinese_phone_error(MISTYPED)
    assert re.search(r"[\u4e00-\u9fff]", expected), expected
    expect(phone_error).to_have_text(expected)
    expect(page.locator("#id_phone")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_name")).to_have_value("王小明")
    expect(page.locator("#field-name .invalid-feedback")).to_have_count(0)
    assert_not_reloaded(page)

    # When they correct the number and leave the field
    page.fill("#id_phone", CORRECTED)
    page.locator("#id_phone").press("Tab")

    # Then the error is gone
    expect(phone_error).to_have_count(0)
    expect(page.locator("#id_phone")).not_to_have_class(re.compile(r"\bis-invalid\b"))

    # When they save
    with page.expect_navigation():
        page.click("[data-testid=customer-form] button[type=submit]")

    # Then they are on the new customer's page, which says it was created, with the number
    customer = Customer.objects.get(name="王小明")
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.locator("body")).to_contain_text(
        chinese("Customer %(record)s was created.") % {"record": customer}
    )
    phone = ContactPoint.objects.get(customer=customer)
    assert (phone.normalised, phone.is_mobile, phone.is_primary) == ("+8613812345678", True, True)
    expect(page.locator("body")).to_contain_text(customer.number)
