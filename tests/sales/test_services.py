"""Lead services: attaching to the customer, duplicate open leads, status steps, losing a lead
with approval, reassignment history, the optimistic lock, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from autocrm.accounts.choices import Role
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.core.models import AuditEntry
from autocrm.customers.models import Customer, CustomerDealer
from autocrm.sales import services
from autocrm.sales.models import Lead, LeadAssignment, LeadStatusChange
from tests.factories import CustomerFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def _data(**extra: Any) -> dict[str, Any]:
    return {
        "source": "walk_in",
        "name": "王小明",
        "phone": "138 0013 8000",
        "timeframe": "immediately",
        **extra,
    }


def test_a_new_person_becomes_a_prospect_customer_of_the_dealer(
    user_in: Any, network: dict
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    lead = services.lead_create(actor=salesperson, data=_data())
    assert lead.number == f"L{lead.pk:09d}"
    assert (lead.dealer, lead.salesperson, lead.grade, lead.phone) == (
        network["east_dealer"],
        salesperson,
        "A",
        "+8613800138000",
    )
    customer = lead.customer
    assert (customer.name, customer.status) == ("王小明", "prospect")
    assert customer.contact_points.get().normalised == "+8613800138000"
    assert CustomerDealer.objects.filter(customer=customer, dealer=network["east_dealer"]).exists()
    assert AuditEntry.objects.filter(object_id=str(lead.pk), action="create").exists()


def test_a_known_person_attaches_to_their_customer_and_may_plan_another_car(
    user_in: Any, network: dict
) -> None:
    # given 王小明 already a customer of the west dealer, with his mobile
    known = CustomerFactory(name="王小明", dealers=[network["west_dealer"]])
    PhoneFactory(customer=known, value="13800138000")
    salesperson = user_in(Role.SALESPERSON)
    # when the east dealer enters a lead for him (the mobile typed differently)
    lead = services.lead_create(actor=salesperson, data=_data(phone="+86 138-0013-8000"))
    # then no duplicate customer: the lead is his, and the east dealer now sees him
    assert lead.customer == known
    assert Customer.objects.count() == 1
    assert CustomerDealer.objects.filter(customer=known, dealer=network["east_dealer"]).exists()
    # and after that lead is converted, another car gets a new lead
    services.lead_update(actor=salesperson, lead=lead, data={"status": "contacted"})
    services.lead_update(actor=salesperson, lead=lead, data={"status": "qualified"})
    services.lead_update(actor=salesperson, lead=lead, data={"status": "converted"})
    second = services.lead_create(actor=salesperson, data=_data(timeframe="1_year"))
    assert second.customer == known and second.grade == "C"


def test_the_same_email_attaches_too(user_in: Any) -> None:
    first = services.lead_create(
        actor=user_in(Role.SALESPERSON), data=_data(phone="", email="wang@Example.COM")
    )
    other = services.lead_create(
        actor=user_in(Role.SALESPERSON, where="west"),
        data=_data(name="王先生", phone="", email="wang@example.com"),
    )
    assert other.customer == first.customer


def test_a_second_open_lead_at_the_same_dealer_is_refused_naming_the_first(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    first = services.lead_create(actor=salesperson, data=_data())
    with pytest.raises(ValidationError) as refused:
        services.lead_create(actor=salesperson, data=_data(source="event"))
    assert refused.value.messages == [
        f"王小明 already has an open lead at this dealer: {first.number}."
    ]
    assert Lead.objects.count() == 1


def test_neither_phone_nor_email_names_both_fields(user_in: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.lead_create(actor=user_in(Role.SALESPERSON), data=_data(phone=""))
    message = "Enter a phone number or an e-mail address: a lead needs one of them."
    assert refused.value.message_dict == {"phone": [message], "email": [message]}


def test_a_bad_phone_names_the_bad_character(user_in: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.lead_create(actor=user_in(Role.SALESPERSON), data=_data(phone="138x0013800"))
    assert refused.value.message_dict == {"phone": ["A phone number cannot contain “x”."]}
    assert Customer.objects.count() == 0


def test_status_jumps_are_refused_with_what_comes_next(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    lead = services.lead_create(actor=salesperson, data=_data())
    with pytest.raises(ValidationError) as refused:
        services.lead_update(actor=salesperson, lead=lead, data={"status": "converted"})
    assert refused.value.message_dict == {
        "status": ["A New lead can only become Contacted next, not Converted."]
    }
    with pytest.raises(ValidationError) as refused:
        services.lead_update(actor=salesperson, lead=lead, data={"status": "lost"})
    assert refused.value.message_dict == {
        "status": ["A lead is lost only when a manager approves a loss request."]
    }


def test_losing_a_lead_needs_the_managers_approval(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    manager = user_in(Role.DEALER_MANAGER)
    lead = services.lead_create(actor=salesperson, data=_data())
    request = services.lead_loss_request(actor=salesperson, lead=lead, reason="已在竞品处购车")
    lead.refresh_from_db()
    assert lead.status == "new"
    # the salesperson cannot approve their own request
    with pytest.raises(PermissionDenied):
        services.lead_loss_decide(actor=salesperson, request=request, approve=True)
    # a second request waits for the first
    with pytest.raises(ValidationError):
        services.lead_loss_request(actor=salesperson, lead=lead, reason="again")
    services.lead_loss_decide(actor=manager, request=request, approve=True, note="核实")
    lead.refresh_from_db()
    request.refresh_from_db()
    assert (lead.status, lead.lost_reason) == ("lost", "已在竞品处购车")
    assert (request.decision, request.decided_by, request.decision_note) == (
        "approved",
        manager,
        "核实",
    )
    with pytest.raises(ValidationError):
        services.lead_update(actor=salesperson, lead=lead, data={"notes": "x"})


def test_a_rejected_loss_request_leaves_the_lead_open(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    lead = services.lead_create(actor=salesperson, data=_data())
    request = services.lead_loss_request(actor=salesperson, lead=lead, reason="联系不上")
    services.lead_loss_decide(actor=user_in(Role.REGION_MANAGER), request=request, approve=False)
    lead.refresh_from_db()
    assert lead.status == "new"
    assert services.lead_loss_request(actor=salesperson, lead=lead, reason="再次联系不上")


def test_the_second_of_two_editors_is_told_the_lead_changed(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    lead = services.lead_create(actor=salesperson, data=_data())
    opened = lead.version
    services.lead_update(
        actor=salesperson, lead=lead, data={"budget": 200000}, expected_version=opened
    )
    with pytest.raises(StaleRecord):
        services.lead_update(
            actor=user_in(Role.DEALER_MANAGER),
            lead=lead,
            data={"budget": 1},
            expected_version=opened,
        )
    lead.refresh_from_db()
    assert lead.budget == 200000


def test_reassignment_keeps_the_history(user_in: Any, network: dict, salespeople: list) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    lead = services.lead_create(
        actor=agent, data=_data(source="call_center"), dealer=network["west_dealer"]
    )
    services.lead_reassign(
        actor=agent,
        lead=lead,
        dealer=network["east_dealer"],
        salesperson=salespeople[1],
        reason="客户搬家",
    )
    steps = list(LeadAssignment.objects.filter(lead=lead).order_by("id"))
    assert [
        (s.from_dealer, s.to_dealer, s.to_salesperson, s.assigned_by, s.reason) for s in steps
    ] == [
        (None, network["west_dealer"], None, agent, "Assigned to the dealer when entered"),
        (network["west_dealer"], network["east_dealer"], salespeople[1], agent, "客户搬家"),
    ]
    assert CustomerDealer.objects.filter(
        customer=lead.customer, dealer=network["east_dealer"]
    ).exists()


def test_a_dealer_manager_reassigns_only_within_their_dealer(
    user_in: Any, network: dict, salespeople: list
) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    lead = services.lead_create(actor=salespeople[0], data=_data())
    with pytest.raises(PermissionDenied):
        services.lead_reassign(actor=manager, lead=lead, dealer=network["west_dealer"], reason="x")
    with pytest.raises(PermissionDenied):
        services.lead_reassign(
            actor=salespeople[0], lead=lead, dealer=network["east_dealer"], reason="x"
        )
    services.lead_reassign(
        actor=manager,
        lead=lead,
        dealer=network["east_dealer"],
        salesperson=salespeople[2],
        reason="休假",
    )
    lead.refresh_from_db()
    assert lead.salesperson == salespeople[2]


def test_each_status_step_is_kept_with_who_and_when(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    manager = user_in(Role.DEALER_MANAGER)
    lead = services.lead_create(actor=salesperson, data=_data())
    services.lead_update(actor=salesperson, lead=lead, data={"notes": "首次到店"})
    services.lead_update(actor=salesperson, lead=lead, data={"status": "contacted"})
    request = services.lead_loss_request(actor=salesperson, lead=lead, reason="预算不足")
    services.lead_loss_decide(actor=manager, request=request, approve=True)
    steps = list(
        LeadStatusChange.objects.filter(lead=lead).values_list(
            "from_status", "to_status", "changed_by"
        )
    )
    assert steps == [
        ("", "new", salesperson.pk),
        ("new", "contacted", salesperson.pk),
        ("contacted", "lost", manager.pk),
    ]
