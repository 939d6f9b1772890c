"""Lead pages: scoped list and detail, create, edit with the optimistic lock, status steps and
the loss approval, the customer panel, routing set-up rights, flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.sales import services
from autocrm.sales.models import Lead, Territory
from tests.factories import UserFactory
from tests.sales.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _numbers(response: Any) -> set[str]:
    html = response.content.decode()
    return {lead.number for lead in Lead.objects.all() if f'data-number="{lead.number}"' in html}


def test_a_salesperson_sees_only_their_own_leads_on_pages(
    network: dict, user_in: Any, client_as: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    own = LeadFactory(dealer=network["east_dealer"], salesperson=salesperson)
    colleague = LeadFactory(
        dealer=network["east_dealer"],
        salesperson=UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"]),
    )
    west = LeadFactory(dealer=network["west_dealer"])
    client = client_as(salesperson)
    assert _numbers(client.get("/sales/leads/")) == {own.number}
    assert client.get(f"/sales/leads/{own.pk}/").status_code == 200
    assert client.get(f"/sales/leads/{colleague.pk}/").status_code == 404
    assert client.get(f"/sales/leads/{west.pk}/edit/").status_code == 404
    client.force_login(user_in(Role.DEALER_MANAGER))
    assert _numbers(client.get("/sales/leads/")) == {own.number, colleague.number}
    client.force_login(user_in(Role.REGION_MANAGER, where="west"))
    assert _numbers(client.get("/sales/leads/")) == {west.number}
    assert client.get(f"/sales/leads/{own.pk}/").status_code == 404


def test_list_and_detail_queries_stay_flat(network: dict, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))
    lead = services.lead_create(
        actor=user_in(Role.SALESPERSON),
        data={"source": "walk_in", "name": "孙八", "phone": "13612345678", "timeframe": "1_year"},
    )
    with CaptureQueriesContext(connection) as list_one, CaptureQueriesContext(connection):
        client.get("/sales/leads/")
    with CaptureQueriesContext(connection) as detail_one:
        client.get(f"/sales/leads/{lead.pk}/")
    for n in range(8):
        LeadFactory(
            dealer=network["east_dealer"],
            salesperson=UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"]),
        )
        services.lead_update(
            actor=user_in(Role.DEALER_MANAGER), lead=lead, data={"notes": f"第{n}次"}
        )
    with CaptureQueriesContext(connection) as list_many:
        client.get("/sales/leads/")
    with CaptureQueriesContext(connection) as detail_many:
        client.get(f"/sales/leads/{lead.pk}/")
    assert len(list_many) == len(list_one)
    assert len(detail_many) == len(detail_one)


def test_creating_editing_and_a_stale_edit_on_pages(
    network: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    response = client.post(
        "/sales/leads/new/",
        {
            "source": "walk_in",
            "kind": "individual",
            "name": "周九",
            "phone": "13512345678",
            "timeframe": "immediately",
            "money": "yes",
            "authority": "unknown",
            "need": "yes",
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sales/leads/{lead.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Entered at the dealer" in detail and 'data-testid="history-entry"' in detail
    form = {
        "kind": "individual",
        "name": "周九",
        "phone": "13512345678",
        "timeframe": "3_months",
        "money": "yes",
        "authority": "yes",
        "need": "yes",
        "grade": "B",
        "status": "new",
        "version": 1,
    }
    assert client.post(f"/sales/leads/{lead.pk}/edit/", form).status_code == 302
    stale = client.post(f"/sales/leads/{lead.pk}/edit/", {**form, "grade": "C"})
    assert "Someone else changed this record" in stale.content.decode()
    lead.refresh_from_db()
    assert (lead.grade, lead.timeframe, lead.version) == ("B", "3_months", 2)


def test_status_step_and_loss_approval_on_the_detail_page(
    network: dict, user_in: Any, client: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    lead = services.lead_create(
        actor=salesperson,
        data={
            "source": "walk_in",
            "name": "吴十",
            "phone": "13412345678",
            "timeframe": "immediately",
        },
    )
    client.force_login(salesperson)
    client.post(f"/sales/leads/{lead.pk}/status/", {"status": "contacted", "version": 1})
    client.post(f"/sales/leads/{lead.pk}/loss/", {"reason": "已购竞品"})
    lead.refresh_from_db()
    assert lead.status == "contacted"
    request = lead.loss_requests.get()
    assert (
        client.post(f"/sales/leads/{lead.pk}/loss/{request.pk}/", {"approve": "yes"}).status_code
        == 403
    )
    client.force_login(user_in(Role.DEALER_MANAGER))
    client.post(f"/sales/leads/{lead.pk}/loss/{request.pk}/", {"approve": "yes"})
    lead.refresh_from_db()
    assert lead.status == "lost"


def test_the_customer_page_shows_the_leads_panel(
    network: dict, user_in: Any, client_as: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    lead = services.lead_create(
        actor=salesperson,
        data={"source": "walk_in", "name": "郑一", "phone": "13312345678", "timeframe": "6_months"},
    )
    page = client_as(salesperson).get(f"/customers/{lead.customer_id}/").content.decode()
    assert 'data-testid="lead-panel"' in page and lead.number in page


def test_routing_set_up_is_for_the_dealer_manager_and_hq_admin(
    network: dict, user_in: Any, client: Any
) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    client.force_login(manager)
    client.post(
        "/sales/routing/",
        {"action": "add", "region": network["east"]["city"].pk, "postcode_prefix": "2001"},
    )
    assert list(Territory.objects.values_list("dealer_id", "postcode_prefix")) == [
        (network["east_dealer"].pk, "2001")
    ]
    # another dealer's id is ignored: a dealer manager works on their own dealer
    client.post(
        "/sales/routing/", {"dealer": network["west_dealer"].pk, "action": "rule", "rule": "manual"}
    )
    assert network["east_dealer"].lead_rule.rule == "manual"
    client.force_login(user_in(Role.SALESPERSON))
    assert client.get("/sales/routing/").status_code == 403
    client.force_login(user_in(Role.ADMINISTRATOR))
    page = client.get("/sales/routing/", {"dealer": network["west_dealer"].pk})
    assert page.status_code == 200 and 'data-testid="territory-form"' in page.content.decode()
