"""The set-based consent condition agrees with ``may_contact`` on a matrix of cases: a customer
qualifies for a purpose when some channel passes the standing rules (the monthly cap and the
time of day are the caller's, at the moment of contact)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.utils import timezone

from autocrm.activities.reminders.consent import MOMENT_CODES, reachable_for
from autocrm.customers.consent import may_contact
from autocrm.customers.models import ContactPoint, Customer
from tests.activities.reminders.conftest import consent
from tests.factories import CustomerFactory, InteractionFactory, PhoneFactory

pytestmark = pytest.mark.django_db

CHANNELS = ("phone", "sms", "email", "post", "wechat")
PURPOSES = ("service", "marketing", "safety")

CONTACTS = {
    "none": [],
    "mobile": [("phone", True)],
    "landline": [("phone", False)],
    "email": [("email", False)],
    "address": [("address", False)],
    "wechat": [("wechat", False)],
}
CONSENTS = {
    "nothing said": [],
    "sms marketing granted": [("sms", "marketing", True)],
    "email marketing granted": [("email", "marketing", True)],
    "phone service withdrawn": [("phone", "service", False)],
    "sms and phone service withdrawn": [("sms", "service", False), ("phone", "service", False)],
    "all withdrawn": [(c, p, False) for c in CHANNELS for p in PURPOSES],
    "sms marketing withdrawn": [("sms", "marketing", False)],
}


def _customer(contacts: list[tuple[str, bool]], consents: list[Any], **fields: Any) -> Customer:
    customer = CustomerFactory(**fields)
    for kind, mobile in contacts:
        if kind == "phone":
            PhoneFactory(customer=customer, is_mobile=mobile)
        else:
            ContactPoint.objects.create(
                customer=customer,
                kind=kind,
                value=f"{kind}-{customer.pk}",
                normalised=f"{kind}-{customer.pk}",
            )
    for channel, purpose, granted in consents:
        consent(customer, channel, purpose, granted)
    return customer


def _expected(customer: Customer, purpose: str, at: datetime.datetime) -> bool:
    for channel in CHANNELS:
        decision = may_contact(customer, channel, purpose, at)
        if decision.allowed or decision.code in MOMENT_CODES:
            return True
    return False


def test_agrees_with_may_contact_on_a_matrix_of_cases() -> None:
    at = timezone.make_aware(datetime.datetime(2026, 11, 23, 23, 0))  # outside every call time
    customers = []
    for (contact_name, contacts), (consent_name, consents) in itertools.product(
        CONTACTS.items(), CONSENTS.items()
    ):
        customers.append(_customer(contacts, consents, name=f"{contact_name}/{consent_name}"))
    # The moment's rules do not stop a task: a customer who prefers mornings, one at the cap.
    customers.append(_customer([("phone", True)], [], name="mornings", preferred_time="morning"))
    capped = _customer([("email", False)], [], name="capped", max_contacts_per_month=1)
    InteractionFactory(
        customer=capped, channel="email", occurred_at=at - datetime.timedelta(hours=1)
    )
    # A merged customer never qualifies.
    customers.append(_customer([("phone", True)], [], name="merged", is_active=False))
    customers.append(capped)

    for purpose in ("service", "marketing"):
        found = set(Customer.objects.filter(reachable_for(purpose)).values_list("pk", flat=True))
        for customer in customers:
            assert (customer.pk in found) == _expected(customer, purpose, at), (
                customer.name,
                purpose,
            )


def test_known_answers() -> None:
    allowed = _customer([("phone", True)], [])
    withdrawn = _customer([("phone", True)], CONSENTS["all withdrawn"])
    opted_in = _customer([("phone", True)], [("sms", "marketing", True)])
    no_mobile = _customer([("phone", False)], [("sms", "marketing", True)])

    service = set(Customer.objects.filter(reachable_for("service")).values_list("pk", flat=True))
    marketing = set(
        Customer.objects.filter(reachable_for("marketing")).values_list("pk", flat=True)
    )

    assert service == {allowed.pk, opted_in.pk, no_mobile.pk}
    assert marketing == {opted_in.pk}
    assert withdrawn.pk not in service


def test_an_unknown_purpose_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown purpose"):
        reachable_for("gossip")
