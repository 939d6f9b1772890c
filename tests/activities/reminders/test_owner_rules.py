"""The owner rules: after delivery, keeping in touch, anniversary, birthday, repurchase."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from autocrm.activities.models import Task
from autocrm.activities.reminders.engine import run_rule
from autocrm.activities.reminders.keys import RuleKey
from tests.activities.reminders.conftest import tasks_of

pytestmark = pytest.mark.django_db


def days_ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def test_after_delivery_daily_goes_to_the_customers_manager_due_a_month_later(
    make_ownership: Any, make_customer: Any, salesperson: Any, today: datetime.date
) -> None:
    customer = make_customer(manager=salesperson, status="owner")
    ownership = make_ownership(days_ago(today, 5), customer=customer)
    make_ownership(days_ago(today, 40))  # delivered too long ago
    make_ownership(days_ago(today, 3), selling_dealer=None)  # not sold by a dealer

    assert run_rule(RuleKey.AFTER_DELIVERY, today=today).created == 1
    assert run_rule(RuleKey.AFTER_DELIVERY, today=today).created == 0

    [task] = tasks_of(RuleKey.AFTER_DELIVERY)
    assert task.assignee == salesperson
    assert task.due_on == days_ago(today, 5) + datetime.timedelta(days=30)
    assert (task.customer_id, task.vehicle_id) == (customer.pk, ownership.vehicle_id)
    assert task.source_key == f"ownership:{ownership.pk}"


def test_after_delivery_without_a_manager_goes_to_the_dealer_manager(
    make_ownership: Any, manager: Any, today: datetime.date
) -> None:
    make_ownership(days_ago(today, 2))

    run_rule(RuleKey.AFTER_DELIVERY, today=today)

    [task] = tasks_of(RuleKey.AFTER_DELIVERY)
    assert task.assignee == manager
    assert task.dealer_id == manager.dealer_id


def test_after_delivery_with_nobody_responsible_creates_nothing(
    make_ownership: Any, today: datetime.date
) -> None:
    make_ownership(days_ago(today, 2))  # no customer manager, no dealer manager

    assert run_rule(RuleKey.AFTER_DELIVERY, today=today).created == 0


def test_loyalty_contact_every_six_months_for_five_years(
    make_ownership: Any, manager: Any, today: datetime.date
) -> None:
    six_months = make_ownership(datetime.date(2026, 5, 25))  # occurrence 2026-11-25
    five_years = make_ownership(datetime.date(2021, 11, 26))  # 60 months: 2026-11-26
    make_ownership(datetime.date(2020, 11, 25))  # 72 months: past the five years
    make_ownership(datetime.date(2026, 3, 25))  # 8 months: not a multiple of six

    assert run_rule(RuleKey.LOYALTY_CONTACT, today=today).created == 2
    assert run_rule(RuleKey.LOYALTY_CONTACT, today=today).created == 0

    tasks = {task.source_key: task.due_on for task in tasks_of(RuleKey.LOYALTY_CONTACT)}
    assert tasks == {
        f"ownership:{six_months.pk}:6": datetime.date(2026, 11, 25),
        f"ownership:{five_years.pk}:60": datetime.date(2026, 11, 26),
    }


def test_loyalty_contact_respects_withdrawn_consent(
    make_ownership: Any, manager: Any, today: datetime.date
) -> None:
    make_ownership(datetime.date(2026, 5, 25), withdrawn=True)
    # Service contacts need no opt-in: a customer who never said anything is contacted.
    allowed = make_ownership(datetime.date(2026, 5, 24), marketing=False)

    run_rule(RuleKey.LOYALTY_CONTACT, today=today)

    assert [task.customer_id for task in tasks_of(RuleKey.LOYALTY_CONTACT)] == [allowed.customer_id]


def test_loyalty_contact_catches_up_a_missed_week_but_not_older(
    make_ownership: Any, manager: Any, today: datetime.date
) -> None:
    recent = make_ownership(datetime.date(2026, 5, 18))  # occurrence 5 days ago
    make_ownership(datetime.date(2026, 5, 10))  # 13 days ago: too old

    run_rule(RuleKey.LOYALTY_CONTACT, today=today)

    [task] = tasks_of(RuleKey.LOYALTY_CONTACT)
    assert (task.customer_id, task.due_on) == (recent.customer_id, datetime.date(2026, 11, 18))


def test_ended_ownerships_and_merged_customers_get_nothing(
    make_ownership: Any, manager: Any, today: datetime.date
) -> None:
    make_ownership(datetime.date(2026, 5, 25), ended_on=datetime.date(2026, 9, 1))
    merged = make_ownership(datetime.date(2026, 5, 25))
    type(merged.customer).objects.filter(pk=merged.customer_id).update(is_active=False)

    assert run_rule(RuleKey.LOYALTY_CONTACT, today=today).created == 0


def test_anniversary_on_each_year_of_the_purchase(
    make_ownership: Any, manager: Any, today: datetime.date
) -> None:
    third = make_ownership(datetime.date(2023, 11, 25))
    make_ownership(datetime.date(2023, 12, 25))

    assert run_rule(RuleKey.PURCHASE_ANNIVERSARY, today=today).created == 1
    [task] = tasks_of(RuleKey.PURCHASE_ANNIVERSARY)
    assert (task.source_key, task.due_on) == (
        f"ownership:{third.pk}:36",
        datetime.date(2026, 11, 25),
    )
    assert task.priority == 3


def test_leap_day_purchases_are_remembered_on_28_february(
    make_ownership: Any, manager: Any
) -> None:
    leap = make_ownership(datetime.date(2024, 2, 29))

    run_rule(RuleKey.PURCHASE_ANNIVERSARY, today=datetime.date(2027, 2, 26))

    [task] = tasks_of(RuleKey.PURCHASE_ANNIVERSARY)
    assert (task.customer_id, task.due_on) == (leap.customer_id, datetime.date(2027, 2, 28))


def test_birthday_of_owners_who_allow_service_contacts(
    make_customer: Any, make_ownership: Any, manager: Any, salesperson: Any, today: datetime.date
) -> None:
    managed = make_customer(status="owner", birth_date=datetime.date(1980, 11, 24))
    managed.manager = salesperson
    managed.save()
    by_dealer = make_customer(status="owner", birth_date=datetime.date(1990, 11, 26))
    make_ownership(datetime.date(2024, 1, 10), customer=by_dealer)
    make_customer(status="owner", birth_date=datetime.date(1985, 11, 24), withdrawn=True)
    make_customer(status="prospect", birth_date=datetime.date(1985, 11, 24))
    make_customer(status="owner", birth_date=datetime.date(1985, 12, 24))

    assert run_rule(RuleKey.BIRTHDAY, today=today).created == 2
    assert run_rule(RuleKey.BIRTHDAY, today=today).created == 0

    tasks = {task.customer_id: task for task in tasks_of(RuleKey.BIRTHDAY)}
    assert tasks[managed.pk].assignee == salesperson
    assert tasks[managed.pk].due_on == datetime.date(2026, 11, 24)
    assert tasks[managed.pk].source_key == f"customer:{managed.pk}:2026"
    assert tasks[by_dealer.pk].assignee == manager


def test_repurchase_offer_at_the_replacement_age_needs_marketing_consent(
    make_ownership: Any, manager: Any, today: datetime.date
) -> None:
    due = make_ownership(datetime.date(2021, 12, 10))  # five years on 2026-12-10
    make_ownership(datetime.date(2021, 12, 11), marketing=False)  # no opt-in
    make_ownership(datetime.date(2022, 12, 10))  # four years

    assert run_rule(RuleKey.REPURCHASE, today=today).created == 1
    [task] = tasks_of(RuleKey.REPURCHASE)
    assert (task.customer_id, task.due_on) == (due.customer_id, datetime.date(2026, 12, 10))
    assert task.vehicle_id == due.vehicle_id
    assert Task.objects.filter(source=RuleKey.REPURCHASE).count() == 1
