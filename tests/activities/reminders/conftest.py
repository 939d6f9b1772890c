"""Fixtures for the reminder engine: a dealer with a salesperson and a manager, customers who
may be contacted (a mobile, consent to marketing by SMS) or not, leads and ownerships."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.models import Task
from tests.factories import CustomerFactory, OwnershipFactory, PhoneFactory, VehicleFactory
from tests.sales.factories import LeadFactory

TODAY = datetime.date(2026, 11, 23)  # a Monday


@pytest.fixture
def today() -> datetime.date:
    return TODAY


@pytest.fixture
def salesperson(user_in: Any) -> Any:
    return user_in(Role.SALESPERSON, display_name="王销售")


@pytest.fixture
def manager(user_in: Any) -> Any:
    return user_in(Role.DEALER_MANAGER, display_name="李经理")


@pytest.fixture
def admin(user_in: Any) -> Any:
    return user_in(Role.ADMINISTRATOR)


def consent(customer: Any, channel: str, purpose: str, granted: bool) -> None:
    from autocrm.customers.models import Consent

    Consent.objects.update_or_create(
        customer=customer,
        channel=channel,
        purpose=purpose,
        defaults={"granted": granted, "changed_at": timezone.now(), "source": "test"},
    )


@pytest.fixture
def make_customer(network: dict[str, Any]) -> Any:
    """A customer of the east dealer with a mobile; ``marketing=True`` adds an SMS opt-in,
    ``withdrawn=True`` withdraws service and marketing on every channel."""

    def build(*, marketing: bool = False, withdrawn: bool = False, **fields: Any) -> Any:
        customer = CustomerFactory(dealers=[network["east_dealer"]], **fields)
        PhoneFactory(customer=customer)
        if marketing:
            consent(customer, "sms", "marketing", True)
        if withdrawn:
            for channel in ("phone", "sms", "email", "post", "wechat"):
                for purpose in ("service", "marketing"):
                    consent(customer, channel, purpose, False)
        return customer

    return build


@pytest.fixture
def make_lead(network: dict[str, Any], salesperson: Any, make_customer: Any) -> Any:
    def build(**fields: Any) -> Any:
        customer = fields.pop("customer", None) or make_customer(
            marketing=fields.pop("marketing", True), withdrawn=fields.pop("withdrawn", False)
        )
        values = {
            "dealer": network["east_dealer"],
            "salesperson": salesperson,
            "customer": customer,
            "name": customer.name,
            **fields,
        }
        lead = LeadFactory(**values)
        # created_at is auto_now_add: put the lead where the test needs it in time.
        if "created_at" in fields:
            type(lead).objects.filter(pk=lead.pk).update(created_at=fields["created_at"])
            lead.refresh_from_db()
        return lead

    return build


@pytest.fixture
def make_ownership(network: dict[str, Any], make_customer: Any) -> Any:
    def build(started_on: datetime.date, **fields: Any) -> Any:
        customer = fields.pop("customer", None) or make_customer(
            marketing=fields.pop("marketing", True),
            withdrawn=fields.pop("withdrawn", False),
            status="owner",
        )
        return OwnershipFactory(
            vehicle=VehicleFactory(),
            customer=customer,
            started_on=started_on,
            selling_dealer=fields.pop("selling_dealer", network["east_dealer"]),
            **fields,
        )

    return build


def tasks_of(source: str) -> list[Task]:
    return list(Task.objects.filter(source=source).order_by("id"))


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
