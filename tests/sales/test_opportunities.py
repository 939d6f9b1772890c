"""Opportunity services: converting a lead, the stage rules and their refusals, the stage
history, the optimistic lock, and the delivered car that wins the deal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from autocrm.accounts.choices import Role
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.sales import services
from autocrm.sales.models import Lead, Opportunity, OpportunityStageChange
from tests.factories import CustomerFactory, VehicleModelFactory
from tests.sales.factories import LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(user_in: Any) -> Any:
    return user_in(Role.SALESPERSON, username="seller")


@pytest.fixture
def manager(user_in: Any) -> Any:
    return user_in(Role.DEALER_MANAGER, username="boss")


def _new(seller: Any, **data: Any) -> Opportunity:
    return services.opportunity_create(
        actor=seller, customer=CustomerFactory(), data={"amount": Decimal("180000"), **data}
    )


def _stages(opportunity: Opportunity) -> list[tuple[str, str]]:
    return list(
        OpportunityStageChange.objects.filter(opportunity=opportunity)
        .order_by("id")
        .values_list("from_stage", "to_stage")
    )


def test_a_salesperson_creates_their_own_numbered_opportunity_at_their_dealer(
    seller: Any, network: dict
) -> None:
    opportunity = _new(seller)
    assert opportunity.number == f"O{opportunity.pk:09d}"
    assert opportunity.dealer == network["east_dealer"]
    assert opportunity.salesperson == seller
    assert (opportunity.stage, opportunity.probability) == ("need_analysis", 10)
    assert _stages(opportunity) == [("", "need_analysis")]
    assert opportunity.customer.dealer_links.filter(dealer=network["east_dealer"]).exists()


def test_headquarters_must_name_the_dealer(user_in: Any) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.opportunity_create(
            actor=user_in(Role.ADMINISTRATOR), customer=CustomerFactory(), data={}
        )
    assert refusal.value.message_dict == {"dealer": ["Choose the dealer."]}


def test_readers_may_not_create(user_in: Any, network: dict) -> None:
    with pytest.raises(PermissionDenied):
        services.opportunity_create(
            actor=user_in(Role.REGION_MANAGER),
            customer=CustomerFactory(),
            dealer=network["east_dealer"],
            data={},
        )


def test_stages_move_forward_one_at_a_time_to_won_with_history(seller: Any) -> None:
    opportunity = _new(seller)
    for stage in ("test_drive", "negotiation", "order", "delivery", "won"):
        opportunity = services.opportunity_change_stage(
            actor=seller, opportunity=opportunity, stage=stage
        )
    assert (opportunity.stage, opportunity.probability) == ("won", 100)
    assert opportunity.version == 6
    assert _stages(opportunity) == [
        ("", "need_analysis"),
        ("need_analysis", "test_drive"),
        ("test_drive", "negotiation"),
        ("negotiation", "order"),
        ("order", "delivery"),
        ("delivery", "won"),
    ]
    second = OpportunityStageChange.objects.filter(opportunity=opportunity).order_by("id")[1]
    assert second.time_in_previous_stage is not None
    assert second.changed_by == seller


def test_a_skip_is_refused_naming_the_allowed_stages(seller: Any) -> None:
    opportunity = _new(seller)
    with pytest.raises(ValidationError) as refusal:
        services.opportunity_change_stage(actor=seller, opportunity=opportunity, stage="order")
    assert refusal.value.message_dict["stage"] == [
        "An opportunity at Need analysis can move to Test drive, Lost, not to Order: stages are "
        "taken one at a time."
    ]
    opportunity.refresh_from_db()
    assert opportunity.stage == "need_analysis"
    assert _stages(opportunity) == [("", "need_analysis")]


def test_won_only_after_delivery(seller: Any) -> None:
    opportunity = _new(seller)
    with pytest.raises(ValidationError) as refusal:
        services.opportunity_change_stage(actor=seller, opportunity=opportunity, stage="won")
    assert refusal.value.message_dict["stage"] == [
        "An opportunity is won only after delivery; from Need analysis it can move to "
        "Test drive, Lost."
    ]


def test_lost_from_any_open_stage_needs_a_reason(seller: Any) -> None:
    opportunity = _new(seller)
    with pytest.raises(ValidationError) as refusal:
        services.opportunity_change_stage(actor=seller, opportunity=opportunity, stage="lost")
    assert refusal.value.message_dict == {"lost_reason": ["Say why the opportunity was lost."]}
    lost = services.opportunity_change_stage(
        actor=seller, opportunity=opportunity, stage="lost", lost_reason=" 买了竞品 "
    )
    assert (lost.stage, lost.lost_reason, lost.probability) == ("lost", "买了竞品", 0)
    with pytest.raises(ValidationError) as closed:
        services.opportunity_change_stage(actor=seller, opportunity=lost, stage="test_drive")
    assert closed.value.message_dict["stage"] == [
        "A Lost opportunity is closed; its stage no longer changes."
    ]


def test_only_a_manager_moves_back_one_step(seller: Any, manager: Any) -> None:
    opportunity = _new(seller)
    opportunity = services.opportunity_change_stage(
        actor=seller, opportunity=opportunity, stage="test_drive"
    )
    with pytest.raises(ValidationError) as refusal:
        services.opportunity_change_stage(
            actor=seller, opportunity=opportunity, stage="need_analysis"
        )
    assert refusal.value.message_dict["stage"] == [
        "Only a manager may move an opportunity back to Need analysis."
    ]
    back = services.opportunity_change_stage(
        actor=manager, opportunity=opportunity, stage="need_analysis"
    )
    assert (back.stage, back.probability) == ("need_analysis", 10)


def test_the_second_of_two_edits_is_told_the_record_changed(seller: Any, network: dict) -> None:
    opportunity = _new(seller)
    colleague_copy = Opportunity.objects.get(pk=opportunity.pk)
    services.opportunity_update(
        actor=seller,
        opportunity=opportunity,
        data={"amount": Decimal("190000")},
        expected_version=1,
    )
    with pytest.raises(StaleRecord):
        services.opportunity_update(
            actor=seller,
            opportunity=colleague_copy,
            data={"amount": Decimal("1")},
            expected_version=colleague_copy.version,
        )
    with pytest.raises(StaleRecord):
        services.opportunity_change_stage(
            actor=seller, opportunity=colleague_copy, stage="test_drive", expected_version=1
        )
    opportunity.refresh_from_db()
    assert (opportunity.amount, opportunity.stage, opportunity.version) == (
        Decimal("190000.00"),
        "need_analysis",
        2,
    )


def test_probability_is_editable_and_bounded(seller: Any) -> None:
    opportunity = _new(seller)
    changed = services.opportunity_update(
        actor=seller, opportunity=opportunity, data={"probability": 35}
    )
    assert changed.probability == 35
    with pytest.raises(ValidationError) as refusal:
        services.opportunity_update(actor=seller, opportunity=changed, data={"probability": 120})
    assert "probability" in refusal.value.message_dict


def test_converting_a_qualified_lead_creates_its_opportunity(seller: Any, network: dict) -> None:
    model = VehicleModelFactory()
    lead = LeadFactory(
        dealer=network["east_dealer"],
        salesperson=seller,
        status="qualified",
        budget=Decimal("250000"),
        vehicle_model=model,
        timeframe="immediately",
    )
    opportunity = services.lead_convert(actor=seller, lead=lead, expected_version=1)
    lead.refresh_from_db()
    assert lead.status == "converted"
    assert lead.status_changes.filter(from_status="qualified", to_status="converted").exists()
    assert opportunity.lead == lead
    assert (opportunity.customer, opportunity.dealer, opportunity.salesperson) == (
        lead.customer,
        network["east_dealer"],
        seller,
    )
    assert (opportunity.vehicle_model, opportunity.amount) == (model, Decimal("250000"))
    assert opportunity.expected_close is not None


def test_a_lead_not_yet_qualified_is_not_converted(seller: Any, network: dict) -> None:
    lead = LeadFactory(dealer=network["east_dealer"], salesperson=seller, status="contacted")
    with pytest.raises(ValidationError) as refusal:
        services.lead_convert(actor=seller, lead=lead)
    assert refusal.value.message_dict["status"] == [
        "A Contacted lead can only become Qualified next, not Converted."
    ]
    assert not Opportunity.objects.exists()
    assert Lead.objects.get(pk=lead.pk).status == "contacted"


def test_a_delivered_car_wins_the_opportunity_of_its_accepted_quote(
    seller: Any, network: dict
) -> None:
    from autocrm.orders.signals import vehicle_delivered
    from autocrm.sales.models import Quote
    from autocrm.sales.receivers import opportunity_won_on_delivery

    opportunity = OpportunityFactory(
        dealer=network["east_dealer"], salesperson=seller, stage="order", probability=80
    )
    order = _an_order(network, opportunity)
    Quote.objects.create(
        number="Q000000001",
        opportunity=opportunity,
        customer=opportunity.customer,
        dealer=opportunity.dealer,
        status="accepted",
        valid_until="2099-01-01",
        vehicle_order=order,
    )
    # The receiver is connected to the orders app's signal; it is called here as the signal
    # calls it (the other receivers want a real vehicle and ownership).
    assert opportunity_won_on_delivery in [
        receiver() for _key, receiver, *_rest in vehicle_delivered.receivers
    ]
    opportunity_won_on_delivery(sender=None, order=order)
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == ("won", 100)
    assert _stages(opportunity) == [("order", "delivery"), ("delivery", "won")]
    opportunity_won_on_delivery(sender=None, order=order)
    assert OpportunityStageChange.objects.filter(opportunity=opportunity).count() == 2


def _an_order(network: dict, opportunity: Opportunity) -> Any:
    from autocrm.orders.services import vehicle_order_create

    return vehicle_order_create(
        actor=opportunity.salesperson,
        dealer=network["east_dealer"],
        vehicle_model=VehicleModelFactory(),
        customer=opportunity.customer,
    )
