"""A call-center agent takes a call: they type the caller's number as it shows on the phone
into the search box, land on the caller's 360 page, and log the call in two clicks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.activities.models import Interaction
from tests.browser.support import assert_not_reloaded, chinese, log_in, mark_page
from tests.factories import CustomerFactory, InteractionFactory, PhoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_finds_the_caller_by_phone_and_logs_the_call(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given a caller with mobile 13812345678 and an earlier visit, and another customer
    caller = CustomerFactory(name="张三丰", dealers=[network["east_dealer"]])
    PhoneFactory(customer=caller, value="13812345678")
    InteractionFactory(customer=caller, channel="visit", subject="上次到店保养")
    other = CustomerFactory(name="李四", dealers=[network["east_dealer"]])
    PhoneFactory(customer=other, value="13912345678")
    agent = user_in(Role.CALL_CENTER_AGENT)
    items = page.locator("[data-testid=timeline-item]")

    # When the agent types the number as people say it into the navbar's search box
    log_in(page, agent.username)
    box = page.locator("header form[role=search] input[name=q]")
    box.fill("138 1234 5678")
    with page.expect_navigation():
        box.press("Enter")

    # Then they are on the caller's 360 page, in Chinese, with the earlier visit in the timeline
    expect(page).to_have_url(re.compile(rf"/customers/{caller.pk}/$"))
    expect(page.locator("body")).to_contain_text("张三丰")
    expect(page.locator("body")).not_to_contain_text("李四")
    expect(page.locator("[data-testid=panel-interactions]")).to_contain_text(
        chinese("Interactions")
    )
    expect(items).to_have_count(1)

    # When they click "Log call" and then "Save"
    mark_page(page)
    page.click("[data-testid=log-call]")
    form = page.locator("[data-testid=quick-log-form]")
    expect(form.locator("select[name=channel]")).to_have_value("inbound_call")
    form.locator("[data-testid=quick-log-save]").click()

    # Then the call is on top of the timeline, the form is gone, and the page never reloaded
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(chinese("Inbound call"))
    expect(page.locator("[data-testid=interaction-logged]")).to_be_visible()
    expect(form).to_have_count(0)
    assert_not_reloaded(page)
    logged = Interaction.objects.filter(customer=caller).order_by("-id").first()
    assert logged is not None
    assert (logged.channel, logged.user_id) == ("inbound_call", agent.pk)
