"""An administrator filters the dealer list, creates a dealer (fixing a code the form refuses as
they type), and edits its phone number; the dealer's history shows both changes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.core.models import AuditAction
from autocrm.network.choices import DealerType
from autocrm.network.models import Dealer, code_validator
from tests.browser.support import assert_not_reloaded, chinese, log_in, mark_page
from tests.factories import DealerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE = "[data-testid=network-form] button[type=submit]"


def test_administrator_creates_and_edits_a_dealer(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given an administrator, and a sales-only dealer beside the network's 4S dealers
    admin = user_in(Role.ADMINISTRATOR, display_name="张管理")
    city = network["east"]["city"]
    showroom = DealerFactory(
        region=city, name="上海静安销售中心", dealer_type=DealerType.SALES_ONLY
    )
    rows = page.locator("[data-testid=dealer-row]")

    # When they log in and open Dealers from the menu
    log_in(page, admin.username)
    page.locator("[data-testid=main-menu] .nav-link", has_text=chinese("Network")).click()
    with page.expect_navigation():
        page.get_by_role("link", name=chinese("Dealers"), exact=True).click()

    # Then they see every dealer
    assert page.url == f"{live_server.url}/network/dealers/"
    expect(rows).to_have_count(4)

    # When they filter by type "sales only"
    mark_page(page)
    page.select_option("[data-testid=filter-form] select[name=dealer_type]", DealerType.SALES_ONLY)

    # Then the table shows only that dealer and the address bar holds the filter, without a
    # page load (htmx swapped the table and pushed the URL)
    page.wait_for_url(re.compile(r"/network/dealers/\?.*dealer_type=sales"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-code", showroom.code)
    assert_not_reloaded(page)

    # When they open "New dealer", type a name and a phone, then a code with a space and a "!"
    with page.expect_navigation():
        page.click("[data-testid=create-link]")
    assert page.url == f"{live_server.url}/network/dealers/new/"
    mark_page(page)
    page.fill("#id_name", "上海闵行4S店")
    page.fill("#id_phone", "021-6000 0001")
    page.fill("#id_code", "bad code!")
    page.locator("#id_code").press("Tab")

    # Then the code field says what is wrong, in Chinese, as soon as they leave it; the page was
    # not reloaded and what they typed elsewhere is still there
    code_error = page.locator("#field-code .invalid-feedback")
    expected_error = chinese(code_validator.message)
    with translation.override("en"):
        assert expected_error != str(code_validator.message)
    expect(code_error).to_have_text(expected_error)
    expect(page.locator("#id_code")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_code")).to_have_value("bad code!")
    expect(page.locator("#id_name")).to_have_value("上海闵行4S店")
    expect(page.locator("#id_phone")).to_have_value("021-6000 0001")
    expect(page.locator("#field-name .invalid-feedback")).to_have_count(0)
    assert_not_reloaded(page)

    # When they correct the code, the error goes away
    page.fill("#id_code", "SH-MH-01")
    page.locator("#id_code").press("Tab")
    expect(code_error).to_have_count(0)
    expect(page.locator("#id_code")).not_to_have_class(re.compile(r"\bis-invalid\b"))

    # When they choose the type and the city and save
    page.select_option("#id_dealer_type", DealerType.FULL_4S)
    page.select_option("#id_region", str(city.pk))
    with page.expect_navigation():
        page.click(SAVE)

    # Then they are on the new dealer's page, told it was created, and its history shows the
    # creation by them
    dealer = Dealer.objects.get(code="SH-MH-01")
    assert page.url == f"{live_server.url}{dealer.get_absolute_url()}"
    messages = page.locator("[data-testid=messages]")
    expect(messages).to_contain_text(chinese("Dealer %(record)s was created.") % {"record": dealer})
    history = page.locator("[data-testid=history-entry]")
    expect(history).to_have_count(1)
    expect(history.first.locator("[data-testid=history-action]")).to_have_text(
        chinese(AuditAction.CREATE.label)
    )
    expect(history.first).to_contain_text(admin.display_name)
    expect(history.first.locator("[data-testid=history-change]").first).to_contain_text("SH-MH-01")

    # When they edit the phone number
    with page.expect_navigation():
        page.click("[data-testid=edit-link]")
    page.fill("#id_phone", "021-6000 0002")
    with page.expect_navigation():
        page.click(SAVE)

    # Then the history shows the change, newest first: phone, before → after
    assert page.url == f"{live_server.url}{dealer.get_absolute_url()}"
    expect(messages).to_contain_text(chinese("Dealer %(record)s was saved.") % {"record": dealer})
    expect(history).to_have_count(2)
    expect(history.first.locator("[data-testid=history-action]")).to_have_text(
        chinese(AuditAction.UPDATE.label)
    )
    change = history.first.locator("[data-testid=history-change]")
    expect(change).to_have_count(1)
    phone_label = chinese(capfirst(Dealer._meta.get_field("phone").verbose_name))
    expect(change).to_have_text(re.compile(rf"{phone_label}:\s*021-6000 0001\s*→\s*021-6000 0002"))
    expect(change.locator("del")).to_have_text("021-6000 0001")
