"""From an accepted quote to the delivered car: the order the quote creates is allocated by
the OEM, moved along by the factory's and logistics' events through the bulk API, and delivered
on the page; the opportunity is won and the salesperson finds the one-month visit task."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.models import Task
from autocrm.activities.reminders.keys import RuleKey
from autocrm.orders import services
from autocrm.sales import services as sales_services
from tests.factories import CustomerFactory, VehicleModelFactory, oem_vin
from tests.sales.factories import OpportunityFactory

CAR = {"kind": "vehicle", "description": "君威 2.0T 精英型", "quantity": 1, "unit_price": "188000"}


def test_quote_to_delivery(admin: Any, user_in: Any, network: Any) -> None:
    seller = user_in(Role.SALESPERSON)
    dealer = network["east_dealer"]
    buyer = CustomerFactory(name="张三丰", dealers=[dealer])
    opportunity = OpportunityFactory(
        dealer=dealer,
        salesperson=seller,
        stage="negotiation",
        probability=50,
        vehicle_model=VehicleModelFactory(price=200000),
        customer=buyer,
    )
    quote = sales_services.quote_create(actor=seller, opportunity=opportunity, lines=[CAR])
    sales_services.quote_send(actor=seller, quote=quote)
    order = sales_services.quote_accept(actor=seller, quote=quote).vehicle_order
    assert (order.customer, order.salesperson, order.unit_price) == (buyer, seller, 188000)

    item = services.order_item_allocate(
        actor=admin, order=order, vin=oem_vin(77), production_number="FLOW-1"
    )
    oem = Client()
    oem.force_login(admin)
    start = timezone.now() - datetime.timedelta(days=3)
    events = [
        {
            "kind": kind,
            "occurred_at": (start + datetime.timedelta(hours=6 * step)).isoformat(),
            "external_id": f"FLOW-{kind}",
            "production_number": "FLOW-1",
            **({"dealer_code": dealer.code} if kind == "arrived" else {}),
        }
        for step, kind in enumerate(["built", "painted", "stored", "shipped", "arrived"])
    ]
    answer = oem.post(
        "/api/v1/vehicle-events/bulk",
        {"source": "mes", "events": events},
        content_type="application/json",
    ).json()
    assert answer["recorded"] == 5
    order.refresh_from_db()
    assert order.status == "at_dealer"

    page = Client()
    page.cookies["autocrm_language"] = "en"
    page.force_login(seller)
    done = page.post(
        f"/orders/{order.pk}/items/{item.pk}/deliver/", {"version": 2}, follow=True
    ).content.decode()
    assert "The car was delivered." in done

    order.refresh_from_db()
    opportunity.refresh_from_db()
    buyer.refresh_from_db()
    assert (order.status, buyer.status) == ("delivered", "owner")
    assert opportunity.stage == "won"
    visit = Task.objects.get(source=RuleKey.AFTER_DELIVERY)
    assert visit.assignee == seller
    assert visit.due_on == timezone.localdate() + datetime.timedelta(days=30)
