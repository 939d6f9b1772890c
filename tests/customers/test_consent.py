"""The contactability rules (autocrm.customers.consent), one customer at a time and as a set:
both must give the same answer for every rule."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from autocrm.customers.consent import contact_matrix, contactable, may_contact
from autocrm.customers.models import Consent, ContactPoint, Customer
from tests.factories import CustomerFactory, InteractionFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def _at(hour: int, day: int = 15) -> datetime.datetime:
    """A local time this month (day 15, so "this month" is unambiguous)."""
    now = timezone.localtime()
    return now.replace(day=day, hour=hour, minute=30, second=0, microsecond=0)


def _reachable(**fields: Any) -> Customer:
    customer: Customer = CustomerFactory(**fields)
    PhoneFactory(customer=customer)
    ContactPoint.objects.create(
        customer=customer, kind="email", value="a@b.cn", normalised="a@b.cn", is_primary=True
    )
    return customer


def _consent(customer: Customer, channel: str, purpose: str, granted: bool) -> None:
    Consent.objects.create(
        customer=customer,
        channel=channel,
        purpose=purpose,
        granted=granted,
        changed_at=timezone.now() - datetime.timedelta(days=1),
        source="test",
    )


def _answer(customer: Customer, channel: str, purpose: str, at: Any = None) -> tuple[bool, str]:
    """The single answer, checked against the set-based one."""
    decision = may_contact(customer, channel, purpose, at=at)
    in_set = contactable(Customer.objects.all(), channel, purpose, at=at).filter(pk=customer.pk)
    assert in_set.exists() == decision.allowed, decision
    return decision.allowed, decision.code


def test_service_is_allowed_unless_withdrawn() -> None:
    customer = _reachable()

    assert _answer(customer, "sms", "service", _at(10)) == (True, "not_withdrawn")
    _consent(customer, "sms", "service", granted=False)
    assert _answer(customer, "sms", "service", _at(10)) == (False, "withdrawn")
    # a withdrawal is per channel
    assert _answer(customer, "email", "service", _at(10)) == (True, "not_withdrawn")


def test_marketing_needs_an_explicit_grant() -> None:
    customer = _reachable()

    assert _answer(customer, "email", "marketing", _at(10)) == (False, "no_opt_in")
    _consent(customer, "email", "marketing", granted=True)
    assert _answer(customer, "email", "marketing", _at(10)) == (True, "granted")


def test_a_withdrawn_safety_notice_is_honoured() -> None:
    customer = _reachable()
    _consent(customer, "phone", "safety", granted=False)

    assert _answer(customer, "phone", "safety", _at(10)) == (False, "withdrawn")


def test_merged_customers_are_never_contacted() -> None:
    customer = _reachable(is_active=False)
    _consent(customer, "sms", "marketing", granted=True)

    assert _answer(customer, "sms", "marketing", _at(10)) == (False, "inactive")
    assert _answer(customer, "sms", "safety", _at(10)) == (False, "inactive")


def test_a_channel_needs_somewhere_to_send_to() -> None:
    customer = CustomerFactory()
    ContactPoint.objects.create(
        customer=customer, kind="phone", value="021 6888 1234", normalised="+862168881234"
    )

    assert _answer(customer, "phone", "service", _at(10)) == (True, "not_withdrawn")
    # a landline takes calls, not text messages
    assert _answer(customer, "sms", "service", _at(10)) == (False, "no_contact_point")
    assert _answer(customer, "post", "service", _at(10)) == (False, "no_contact_point")


def test_the_monthly_cap_counts_this_month_s_outbound_contacts_but_not_for_safety() -> None:
    customer = _reachable(max_contacts_per_month=2)
    at = _at(10)
    InteractionFactory(customer=customer, channel="outbound_call", occurred_at=at)
    # inbound calls and last month's contacts do not count
    InteractionFactory(customer=customer, channel="inbound_call", occurred_at=at)
    InteractionFactory(
        customer=customer, channel="sms", occurred_at=at.replace(day=1) - datetime.timedelta(days=2)
    )
    assert _answer(customer, "sms", "service", at) == (True, "not_withdrawn")

    InteractionFactory(customer=customer, channel="email", occurred_at=at)

    assert _answer(customer, "sms", "service", at) == (False, "monthly_cap")
    assert _answer(customer, "sms", "safety", at) == (True, "not_withdrawn")


def test_calls_outside_the_preferred_time_are_not_allowed_now_but_safety_calls_are() -> None:
    customer = _reachable(preferred_time="evening")

    assert _answer(customer, "phone", "service", _at(10)) == (False, "outside_preferred_time")
    assert _answer(customer, "phone", "service", _at(19)) == (True, "not_withdrawn")
    # messages do not interrupt: any time
    assert _answer(customer, "sms", "service", _at(10)) == (True, "not_withdrawn")
    assert _answer(customer, "phone", "safety", _at(10)) == (True, "not_withdrawn")


def test_the_reason_is_translated_and_names_the_channel() -> None:
    customer = _reachable()

    decision = may_contact(customer, "wechat", "marketing")

    assert decision.reason == (
        "Marketing on WeChat needs the customer's consent, which was never given."
    )


def test_the_matrix_answers_every_channel_and_purpose_in_three_queries(
    django_assert_num_queries: Any,
) -> None:
    customer = _reachable(max_contacts_per_month=5)

    with django_assert_num_queries(3):
        matrix = contact_matrix(customer, at=_at(10))

    assert len(matrix) == 15
    assert matrix[("email", "service")].allowed
    assert not matrix[("post", "service")].allowed
