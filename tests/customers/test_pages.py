"""Customer pages: scoping matrix, list, create (person and company) with per-field errors,
edit with the optimistic lock, the 360 page, its inline actions, ID number reveal, query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.customers import services
from autocrm.customers.models import Consent, ContactPoint, Customer, CustomerRelationship
from tests.customers.conftest import resident_id
from tests.factories import CustomerFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def _numbers(page: str) -> list[str]:
    return re.findall(r'data-testid="customer-row" data-code="([^"]+)"', page)


def _field_errors(page: str, name: str) -> list[str]:
    block = re.search(rf'<div class="mb-3" id="field-{name}">(.*?)\n</div>', page, re.S)
    assert block is not None, f"field {name} is not on the page"
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', block.group(1))


@pytest.mark.parametrize(
    ("role", "where", "sees_east", "sees_west"),
    [
        (Role.ADMINISTRATOR, "east", True, True),
        (Role.ANALYST, "east", True, True),
        (Role.REGION_MANAGER, "east", True, False),
        (Role.DEALER_MANAGER, "east", True, False),
        (Role.SALESPERSON, "west", False, True),
    ],
)
def test_list_and_detail_follow_the_scope(
    network: Any,
    user_in: Any,
    client_as: Any,
    role: str,
    where: str,
    sees_east: bool,
    sees_west: bool,
) -> None:
    east = CustomerFactory(dealers=[network["east_dealer"]])
    west = CustomerFactory(dealers=[network["west_dealer"]])
    client = client_as(user_in(role, where=where))

    listed = _numbers(client.get(reverse("customers:customer_list")).content.decode())
    east_page = client.get(reverse("customers:customer_detail", args=[east.pk]))
    west_page = client.get(reverse("customers:customer_detail", args=[west.pk]))

    assert (east.number in listed, west.number in listed) == (sees_east, sees_west)
    assert east_page.status_code == (200 if sees_east else 404)
    assert west_page.status_code == (200 if sees_west else 404)


def test_another_dealer_s_staff_cannot_see_or_edit_the_customer(
    network: Any, user_in: Any, client_as: Any
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(user_in(Role.DEALER_MANAGER, where="west"))

    assert client.get(reverse("customers:customer_edit", args=[customer.pk])).status_code == 404
    response = client.post(
        reverse("customers:contact_point_add", args=[customer.pk]),
        {"contact-kind": "phone", "contact-value": "13812345678"},
    )
    assert response.status_code == 404
    assert not ContactPoint.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client: Any, network: Any) -> None:
    customer = CustomerFactory()

    for url in (
        reverse("customers:customer_list"),
        reverse("customers:customer_detail", args=[customer.pk]),
        reverse("customers:customer_create"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_list_filters_by_status_and_finds_by_initials(
    network: Any, user_in: Any, client_as: Any
) -> None:
    zhang = CustomerFactory(name="张三丰", status="owner")
    CustomerFactory(name="李四", status="prospect")
    client = client_as(user_in(Role.ADMINISTRATOR))

    by_status = client.get(reverse("customers:customer_list"), {"status": "owner"})
    by_initials = client.get(reverse("customers:customer_list"), {"q": "zsf"})

    assert _numbers(by_status.content.decode()) == [zhang.number]
    assert _numbers(by_initials.content.decode()) == [zhang.number]


def test_creating_a_person_with_a_bad_id_number_shows_the_expected_check_digit(
    network: Any, user_in: Any, client_as: Any
) -> None:
    number = resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    client = client_as(user_in(Role.CALL_CENTER_AGENT))

    response = client.post(
        reverse("customers:customer_create"),
        {
            "name": "王五",
            "status": "prospect",
            "purchase_type": "private",
            "id_number": wrong,
            "phone": "138 1234 56789",
        },
    )

    page = response.content.decode()
    assert _field_errors(page, "id_number") == [
        f"The check digit of this ID number should be {number[-1]}, not {wrong[-1]}."
    ]
    assert _field_errors(page, "phone") == [
        "138123456789 is not a valid Chinese mobile number: 11 digits starting with 13 to 19."
    ]
    assert not Customer.objects.exists()


def test_a_dealer_salesperson_creates_a_person_who_lands_on_their_360_page(
    network: Any, user_in: Any, client_as: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    client = client_as(salesperson)

    response = client.post(
        reverse("customers:customer_create"),
        {
            "name": "王五",
            "status": "prospect",
            "purchase_type": "private",
            "id_number": resident_id(),
            "phone": "138 1234 5678",
            "email": "wang@example.cn",
        },
    )

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    page = client.get(customer.get_absolute_url()).content.decode()
    assert customer.number in page
    assert 'href="tel:+8613812345678"' in page
    assert customer.id_number_masked in page
    assert resident_id() not in page
    assert customer.manager == salesperson


def test_the_company_form_has_company_fields_only(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ADMINISTRATOR))

    page = client.get(reverse("customers:customer_create"), {"kind": "company"}).content.decode()

    assert 'id="field-credit_code"' in page
    assert 'id="field-id_number"' not in page
    assert 'id="field-gender"' not in page


@pytest.mark.parametrize("role", [Role.ANALYST, Role.TECHNICAL_SUPPORT, Role.REGION_MANAGER])
def test_read_only_roles_get_no_create_or_edit(
    network: Any, user_in: Any, client_as: Any, role: str
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(user_in(role))

    assert client.get(reverse("customers:customer_create")).status_code == 403
    assert client.get(reverse("customers:customer_edit", args=[customer.pk])).status_code == 403
    page = client.get(customer.get_absolute_url()).content.decode()
    assert 'data-testid="edit-link"' not in page
    assert 'data-testid="contact-form"' not in page


def test_editing_after_someone_else_saved_is_refused(
    network: Any, user_in: Any, client_as: Any
) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    customer = services.customer_create(actor=agent, data={"name": "王五"})
    services.customer_update(actor=agent, customer=customer, data={"occupation": "教师"})
    client = client_as(agent)

    response = client.post(
        reverse("customers:customer_edit", args=[customer.pk]),
        {
            "name": "王五",
            "status": "prospect",
            "purchase_type": "private",
            "occupation": "医生",
            "version": "1",
        },
    )

    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).occupation == "教师"


def test_inline_actions_add_a_contact_grant_consent_and_relate_customers(
    network: Any, user_in: Any, client_as: Any
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    other = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(user_in(Role.SERVICE_ADVISOR))
    htmx = {"HTTP_HX_REQUEST": "true"}

    added = client.post(
        reverse("customers:contact_point_add", args=[customer.pk]),
        {"contact-kind": "phone", "contact-value": "0086 138-1234-5678"},
        **htmx,
    )
    refused = client.post(
        reverse("customers:contact_point_add", args=[customer.pk]),
        {"contact-kind": "email", "contact-value": "not-an-address"},
        **htmx,
    )
    client.post(
        reverse("customers:consent_set", args=[customer.pk]),
        {
            "consent-channel": "sms",
            "consent-purpose": "marketing",
            "consent-granted": "true",
            "consent-source": "展厅登记",
        },
        **htmx,
    )
    related = client.post(
        reverse("customers:relationship_add", args=[customer.pk]),
        {
            "relationship-other_number": other.number.lower(),
            "relationship-kind": "household_member",
        },
        **htmx,
    )

    assert 'data-value="+8613812345678"' in added.content.decode()
    assert "“not-an-address” is not an e-mail address" in refused.content.decode()
    assert Consent.objects.get(customer=customer, channel="sms", purpose="marketing").granted
    assert other.name in related.content.decode()
    assert CustomerRelationship.objects.filter(customer=customer, other=other).exists()


def test_id_number_reveal_is_for_allowed_roles_and_audited(
    network: Any, user_in: Any, client_as: Any
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    customer = services.customer_create(
        actor=admin, data={"name": "王五"}, id_number=resident_id(), dealer=network["east_dealer"]
    )
    agent = user_in(Role.CALL_CENTER_AGENT)
    advisor = user_in(Role.SERVICE_ADVISOR)
    url = reverse("customers:id_number_reveal", args=[customer.pk])

    agent_page = client_as(agent).get(customer.get_absolute_url()).content.decode()
    revealed = client_as(agent).post(url, HTTP_HX_REQUEST="true")
    advisor_page = client_as(advisor).get(customer.get_absolute_url()).content.decode()
    refused = client_as(advisor).post(url)

    assert 'data-testid="reveal-id-number"' in agent_page
    assert resident_id() in revealed.content.decode()
    assert 'data-testid="reveal-id-number"' not in advisor_page
    assert refused.status_code == 403
    views = AuditEntry.objects.filter(action=AuditAction.VIEW_IDENTIFIER)
    assert [entry.actor for entry in views] == [agent]


def test_a_merged_customer_s_page_points_to_the_survivor(
    network: Any, user_in: Any, client_as: Any
) -> None:
    survivor = CustomerFactory()
    merged = CustomerFactory(is_active=False, merged_into=survivor)

    page = client_as(user_in(Role.ADMINISTRATOR)).get(merged.get_absolute_url()).content.decode()

    assert 'data-testid="merged-notice"' in page
    assert f'href="{survivor.get_absolute_url()}"' in page


def _query_count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_360_page_s_queries_do_not_grow_with_contacts_and_relationships(
    network: Any, user_in: Any, client_as: Any
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(user_in(Role.DEALER_MANAGER))
    url = customer.get_absolute_url()
    PhoneFactory(customer=customer)
    CustomerRelationship.objects.create(
        customer=customer, other=CustomerFactory(), kind="household_member"
    )
    _query_count(client, url)  # warm caches (content types, sessions)
    before = _query_count(client, url)

    for index in range(10):
        PhoneFactory(customer=customer, is_primary=False, value=f"1370000{index:04d}")
        CustomerRelationship.objects.create(
            customer=customer, other=CustomerFactory(), kind="household_member"
        )
    after = _query_count(client, url)

    assert after == before


def test_the_dealer_link_form_opens_on_demand_and_links_a_dealer(
    network: Any, user_in: Any, client_as: Any
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(user_in(Role.DEALER_MANAGER))
    htmx = {"HTTP_HX_REQUEST": "true"}
    url = reverse("customers:dealer_link_add", args=[customer.pk])

    page = client.get(customer.get_absolute_url()).content.decode()
    # The 360 page carries a button, not the list of every dealer in the network.
    assert 'data-testid="dealer-form-open"' in page
    assert 'name="dealer-dealer"' not in page

    opened = client.get(url, **htmx).content.decode()
    assert 'name="dealer-dealer"' in opened
    assert network["east_dealer"].name in opened
    assert network["west_dealer"].name not in opened  # only the dealers the user sees

    linked = client.post(
        url,
        {"dealer-dealer": network["east_dealer"].pk, "dealer-relation": "serviced_by"},
        **htmx,
    ).content.decode()
    assert customer.dealer_links.filter(relation="serviced_by").exists()
    assert 'name="dealer-dealer"' not in linked
