"""Merging customers: every registered relation moves, conflicts keep the survivor's row,
profile gaps are filled, history is kept, and only visible, unmerged customers merge."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from autocrm.accounts.choices import Role
from autocrm.core.models import AuditEntry
from autocrm.customers.merging import InvalidMerge, merge_customers
from autocrm.customers.models import (
    Consent,
    ContactPoint,
    Customer,
    CustomerDealer,
    CustomerMerge,
    CustomerRelationship,
)
from autocrm.vehicles.models import Ownership
from tests.factories import CustomerFactory, InteractionFactory, OwnershipFactory, PhoneFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _consent(customer, granted, channel="sms", purpose="marketing"):
    return Consent.objects.create(
        customer=customer, channel=channel, purpose=purpose, granted=granted,
        changed_at=NOW, source="test",
    )  # fmt: skip


@pytest.fixture
def pair(network):
    dealer = network["east_dealer"]
    survivor = CustomerFactory(name="王小明", dealers=[dealer], occupation="")
    other = CustomerFactory(name="王晓明", dealers=[dealer], occupation="工程师", gender="male")
    return survivor, other


def test_merge_moves_every_related_record(pair, user_in):
    survivor, other = pair
    admin = user_in(Role.ADMINISTRATOR)
    PhoneFactory(customer=survivor, value="13800000001")
    PhoneFactory(customer=other, value="13800000001", is_primary=False)  # the survivor's stays
    other_phone = PhoneFactory(customer=other, value="13800000002")  # primary on the other
    interactions = InteractionFactory.create_batch(3, customer=other)
    ownership = OwnershipFactory(customer=other)
    kept_consent = _consent(survivor, granted=True)
    _consent(other, granted=False)
    moved_consent = _consent(other, granted=True, channel="email")
    CustomerRelationship.objects.create(customer=other, other=survivor, kind="household_member")

    merge = merge_customers(actor=admin, survivor=survivor, others=[other], reason="duplicate")

    other.refresh_from_db()
    survivor.refresh_from_db()
    assert (other.is_active, other.merged_into) == (False, survivor)
    assert {i.customer_id for i in Interaction_all(interactions)} == {survivor.pk}
    assert Ownership.objects.get(pk=ownership.pk).customer == survivor
    assert sorted(survivor.contact_points.values_list("normalised", "is_primary")) == [
        ("+8613800000001", True), ("+8613800000002", False)]  # fmt: skip
    assert ContactPoint.objects.get(pk=other_phone.pk).customer == survivor
    assert set(survivor.consents.values_list("pk", flat=True)) == {
        kept_consent.pk,
        moved_consent.pk,
    }
    assert not CustomerRelationship.objects.exists()  # it would relate the survivor to itself
    assert CustomerDealer.objects.filter(customer=survivor).count() == 1
    assert not other.contact_points.exists()
    assert (survivor.occupation, survivor.gender) == ("工程师", "male")
    assert merge.merged_customer_ids == [other.pk]
    assert merge.snapshots[0]["name"] == "王晓明"
    assert merge.moved["activities.Interaction.customer"] == 3
    assert merge.moved["vehicles.Ownership.customer"] == 1
    assert merge.reason == "duplicate"
    assert AuditEntry.objects.filter(object_id=str(other.pk), action="update").exists()
    assert AuditEntry.objects.filter(
        content_type__model="customermerge", object_id=str(merge.pk)
    ).exists()


def Interaction_all(interactions):
    from autocrm.activities.models import Interaction

    return Interaction.objects.filter(pk__in=[i.pk for i in interactions])


def test_three_customers_merge_into_one(network, user_in):
    dealer = network["east_dealer"]
    survivor, second, third = (CustomerFactory(dealers=[dealer]) for _ in range(3))
    _consent(second, granted=True)
    _consent(third, granted=False)  # conflicts between the merged ones: one survives

    merge_customers(actor=user_in(Role.ADMINISTRATOR), survivor=survivor, others=[second, third])

    assert Customer.objects.filter(merged_into=survivor).count() == 2
    assert survivor.consents.count() == 1


def test_merge_refuses_self_and_already_merged_customers(pair, user_in):
    survivor, other = pair
    admin = user_in(Role.ADMINISTRATOR)
    with pytest.raises(InvalidMerge, match="themselves"):
        merge_customers(actor=admin, survivor=survivor, others=[survivor])
    merge_customers(actor=admin, survivor=survivor, others=[other])
    with pytest.raises(InvalidMerge, match="already merged"):
        merge_customers(actor=admin, survivor=survivor, others=[other])
    assert CustomerMerge.objects.count() == 1


def test_merge_needs_every_customer_visible(pair, network, user_in):
    survivor, _other = pair
    elsewhere = CustomerFactory(dealers=[network["west_dealer"]])
    agent = user_in(Role.DEALER_MANAGER)

    with pytest.raises(Http404):
        merge_customers(actor=agent, survivor=survivor, others=[elsewhere])

    elsewhere.refresh_from_db()
    assert elsewhere.is_active and elsewhere.merged_into is None


def test_merge_moves_leads_tasks_and_bookings(pair, user_in):
    from tests.activities.factories import AppointmentFactory, TaskFactory
    from tests.sales.factories import LeadFactory

    survivor, other = pair
    admin = user_in(Role.ADMINISTRATOR)
    lead = LeadFactory(customer=other)
    task = TaskFactory(customer=other)
    booking = AppointmentFactory(customer=other)

    merge_customers(actor=admin, survivor=survivor, others=[other], reason="duplicate")

    for record in (lead, task, booking):
        record.refresh_from_db()
        assert record.customer_id == survivor.pk


def test_two_open_leads_at_one_dealer_refuse_the_merge_with_their_numbers(pair, user_in, network):
    from tests.sales.factories import LeadFactory

    survivor, other = pair
    admin = user_in(Role.ADMINISTRATOR)
    dealer = network["east_dealer"]
    kept = LeadFactory(customer=survivor, dealer=dealer, status="contacted")
    clashing = LeadFactory(customer=other, dealer=dealer, status="new")

    with pytest.raises(InvalidMerge) as refused:
        merge_customers(actor=admin, survivor=survivor, others=[other], reason="duplicate")

    message = str(refused.value.message)
    assert kept.number in message and clashing.number in message
    other.refresh_from_db()
    clashing.refresh_from_db()
    assert (other.is_active, other.merged_into_id, clashing.customer_id) == (True, None, other.pk)

    clashing.status = "lost"
    clashing.save()
    merge_customers(actor=admin, survivor=survivor, others=[other], reason="duplicate")
    clashing.refresh_from_db()
    assert clashing.customer_id == survivor.pk
