"""A salesperson works a lead that wants to buy "immediately": the lead's follow-up is on "my
day" at once; they qualify it, convert it, move the opportunity to negotiation, quote a car,
send the quote and mark it accepted (the vehicle order is created). The OEM allocates the car
and the factory and logistics report its road through the bulk API; the salesperson watches
the order reach the dealer, delivers the car with a date a month ago, and finds the one-month
visit to the new owner on "my day"."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.activities.models import Task
from autocrm.activities.reminders.keys import RuleKey
from autocrm.orders import services as order_services
from autocrm.orders.models import VehicleOrder
from autocrm.sales.models import Lead, Opportunity, Quote
from tests.browser.support import chinese, log_in
from tests.factories import VehicleModelFactory, oem_vin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROAD = ["built", "painted", "stored", "shipped", "arrived"]


def _post_road_events(admin: Any, dealer: Any, production_number: str) -> None:
    """The factory's and logistics' events, as their systems send them: about 40 days ago."""
    oem = Client()
    oem.force_login(admin)
    start = timezone.now() - datetime.timedelta(days=40)
    events = [
        {
            "kind": kind,
            "occurred_at": (start + datetime.timedelta(hours=6 * step)).isoformat(),
            "external_id": f"JOURNEY-{kind}",
            "production_number": production_number,
            **({"dealer_code": dealer.code} if kind == "arrived" else {}),
        }
        for step, kind in enumerate(ROAD)
    ]
    answer = oem.post(
        "/api/v1/vehicle-events/bulk",
        {"source": "mes", "events": events},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["recorded"] == len(ROAD)


def _click_and_load(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_salesperson_takes_an_immediate_lead_to_delivery_and_the_visit(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given a salesperson of the east dealer, an OEM administrator and a model on sale
    dealer = network["east_dealer"]
    salesperson = user_in(Role.SALESPERSON, display_name="李晓明")
    admin = user_in(Role.ADMINISTRATOR)
    model = VehicleModelFactory(price=200000)
    today = timezone.localdate()
    tasks = page.locator("[data-testid=task-row]")

    # When they log in and enter a walk-in lead who wants to buy immediately
    log_in(page, salesperson.username)
    page.goto("/sales/leads/new/")
    form = page.locator("[data-testid=lead-form]")
    form.locator("select[name=source]").select_option("walk_in")
    form.locator("select[name=kind]").select_option("individual")
    form.locator("input[name=name]").fill("张三丰")
    form.locator("input[name=phone]").fill("13512345678")
    form.locator("select[name=timeframe]").select_option("immediately")
    form.locator("select[name=vehicle_model]").select_option(str(model.pk))
    form.locator("select[name=money]").select_option("yes")
    form.locator("select[name=authority]").select_option("yes")
    form.locator("select[name=need]").select_option("yes")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # Then the lead is theirs, and "my day" has its follow-up due today
    lead = Lead.objects.get()
    expect(page).to_have_url(re.compile(rf"/sales/leads/{lead.pk}/$"))
    assert (lead.salesperson_id, lead.timeframe) == (salesperson.pk, "immediately")
    follow_up = Task.objects.get(source=RuleKey.LEAD_TIMEFRAME)
    assert (follow_up.assignee_id, follow_up.due_on) == (salesperson.pk, today)
    page.goto("/activities/my-day/")
    expect(tasks.filter(has_text=chinese("Follow up the new lead today"))).to_have_count(1)

    # When they mark the lead contacted, then qualified, then convert it
    page.goto(f"/sales/leads/{lead.pk}/")
    _click_and_load(page, "[data-testid=status-contacted]")
    expect(page.locator("[data-testid=lead-status]")).to_have_text(chinese("Contacted"))
    _click_and_load(page, "[data-testid=status-qualified]")
    expect(page.locator("[data-testid=lead-status]")).to_have_text(chinese("Qualified"))
    _click_and_load(page, "[data-testid=convert-lead]")

    # Then they are on the new opportunity (or can open it), at need analysis
    opportunity = Opportunity.objects.get()
    assert opportunity.lead_id == lead.pk and opportunity.vehicle_model_id == model.pk
    page.goto(f"/sales/opportunities/{opportunity.pk}/")
    stage = page.locator("[data-testid=opportunity-stage]")
    expect(stage).to_have_text(chinese("Need analysis"))

    # When they move it through test drive to negotiation
    _click_and_load(page, "[data-testid=stage-test_drive]")
    expect(stage).to_have_text(chinese("Test drive"))
    _click_and_load(page, "[data-testid=stage-negotiation]")
    expect(stage).to_have_text(chinese("Negotiation"))

    # And they write a quote with the car, send it and mark it accepted
    _click_and_load(page, "[data-testid=new-quote]")
    quote_form = page.locator("[data-testid=quote-form]")
    quote_form.locator("select[name=lines-0-kind]").select_option("vehicle")
    quote_form.locator("[name=lines-0-description]").fill("君威 2.0T 精英型")
    quote_form.locator("[name=lines-0-quantity]").fill("1")
    quote_form.locator("[name=lines-0-unit_price]").fill("188000")
    with page.expect_navigation():
        quote_form.locator("button[type=submit]").click()
    quote = Quote.objects.get()
    expect(page).to_have_url(re.compile(rf"/sales/quotes/{quote.pk}/$"))
    _click_and_load(page, "[data-testid=quote-send]")
    expect(page.locator("[data-testid=quote-status]")).to_have_text(chinese("Sent"))
    _click_and_load(page, "[data-testid=quote-accept]")
    expect(page.locator("[data-testid=quote-status]")).to_have_text(chinese("Accepted"))

    # Then the vehicle order exists for the customer, and the opportunity is at "order"
    expect(page.locator("[data-testid=quote-order]")).to_be_visible()
    order = VehicleOrder.objects.get()
    assert (order.customer_id, order.salesperson_id, order.unit_price) == (
        lead.customer_id,
        salesperson.pk,
        188000,
    )
    opportunity.refresh_from_db()
    assert opportunity.stage == "order"

    # When the OEM allocates a car and its road is reported, arriving at the dealer 40 days ago
    item = order_services.order_item_allocate(
        actor=admin, order=order, vin=oem_vin(4242), production_number="JOURNEY-1"
    )
    _post_road_events(admin, dealer, "JOURNEY-1")

    # Then the salesperson sees the order's timeline at the dealer
    page.goto(f"/orders/{order.pk}/")
    expect(page.locator("[data-testid=order-status]")).to_have_text(chinese("At the dealer"))
    row = page.locator("[data-testid=order-item]")
    current = row.locator("[data-testid=step][data-current='1']")
    expect(current).to_contain_text(chinese("At the dealer"))
    expect(row.locator("[data-testid=step][data-reached='1']")).to_have_count(len(ROAD))

    # When they deliver the car, dated 30 days ago
    delivered_on = today - datetime.timedelta(days=30)
    deliver = row.locator("[data-testid=deliver-form]")
    deliver.locator("input[name=delivered_on]").fill(delivered_on.isoformat())
    with page.expect_navigation():
        deliver.locator("button[type=submit]").click()

    # Then the order is delivered and the opportunity won
    expect(page.locator("[data-testid=messages]")).to_contain_text(
        chinese("The car was delivered.")
    )
    expect(page.locator("[data-testid=delivered]")).to_contain_text(delivered_on.isoformat())
    order.refresh_from_db()
    item.refresh_from_db()
    opportunity.refresh_from_db()
    assert (order.status, item.delivered_on, opportunity.stage) == (
        "delivered",
        delivered_on,
        "won",
    )
    visit = Task.objects.get(source=RuleKey.AFTER_DELIVERY)
    assert (visit.assignee_id, visit.due_on) == (salesperson.pk, today)

    # And "my day" shows the visit to the new owner, due today
    page.goto("/activities/my-day/")
    visit_row = tasks.filter(has_text=chinese("Visit or call the new owner"))
    expect(visit_row).to_have_count(1)
    expect(visit_row).to_contain_text("张三丰")
