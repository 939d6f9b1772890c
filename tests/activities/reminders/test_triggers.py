"""The events that trigger rules (a saved lead, a delivered car), the command, the background
task, and how a rule's task shows where it came from."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.utils import timezone

from autocrm.activities.models import ReminderRule, Task
from autocrm.activities.reminders.keys import RuleKey
from autocrm.activities.reminders.sources import task_source
from autocrm.orders.signals import vehicle_delivered
from autocrm.sales.models import Lead
from autocrm.sales.signals import lead_saved
from tests.activities.reminders.conftest import at_noon, tasks_of

pytestmark = pytest.mark.django_db


def test_a_new_lead_gets_its_treatment_at_once(make_lead: Any, salesperson: Any) -> None:
    lead = make_lead(timeframe="immediately", grade="A")

    lead_saved.send(sender=Lead, lead=lead, created=True, changed={"timeframe", "grade"})

    [task] = tasks_of(RuleKey.LEAD_TIMEFRAME)
    assert (task.assignee, task.due_on) == (salesperson, timezone.localdate())
    assert Task.objects.count() == 1  # only this rule, only this lead


def test_a_changed_timeframe_gets_the_new_treatment_once(make_lead: Any) -> None:
    lead = make_lead(timeframe="1_year", grade="C")
    lead_saved.send(sender=Lead, lead=lead, created=True, changed={"timeframe"})

    lead.timeframe = "3_months"
    lead.save()
    lead_saved.send(sender=Lead, lead=lead, created=False, changed={"timeframe"})
    lead_saved.send(sender=Lead, lead=lead, created=False, changed={"timeframe"})
    lead_saved.send(sender=Lead, lead=lead, created=False, changed={"notes"})

    keys = [task.source_key for task in tasks_of(RuleKey.LEAD_TIMEFRAME)]
    assert keys == [f"lead:{lead.pk}:1_year", f"lead:{lead.pk}:3_months"]


def test_a_lead_assigned_later_gets_its_treatment_then(make_lead: Any, salesperson: Any) -> None:
    lead = make_lead(timeframe="immediately", salesperson=None)
    lead_saved.send(sender=Lead, lead=lead, created=True, changed={"timeframe"})
    assert tasks_of(RuleKey.LEAD_TIMEFRAME) == []

    lead.salesperson = salesperson
    lead.save()
    lead_saved.send(sender=Lead, lead=lead, created=False, changed={"salesperson"})

    assert [task.assignee for task in tasks_of(RuleKey.LEAD_TIMEFRAME)] == [salesperson]


def test_a_disabled_rule_ignores_the_event(make_lead: Any) -> None:
    lead = make_lead(timeframe="immediately")
    call_command("run_reminders", "--rule", "lead_review", stdout=StringIO())
    ReminderRule.objects.filter(key=RuleKey.LEAD_TIMEFRAME).update(enabled=False)

    lead_saved.send(sender=Lead, lead=lead, created=True, changed={"timeframe"})

    assert tasks_of(RuleKey.LEAD_TIMEFRAME) == []


def test_delivery_gives_the_delivering_salesperson_a_visit_within_a_month(
    make_ownership: Any, salesperson: Any, manager: Any, network: dict[str, Any]
) -> None:
    delivered_on = timezone.localdate() - datetime.timedelta(days=40)  # reported late
    ownership = make_ownership(delivered_on)

    for _attempt in range(2):
        vehicle_delivered.send(
            sender=None,
            vehicle=ownership.vehicle,
            customer=ownership.customer,
            ownership=ownership,
            dealer=network["east_dealer"],
            salesperson=salesperson,
            delivered_on=delivered_on,
            order=None,
        )

    [task] = tasks_of(RuleKey.AFTER_DELIVERY)
    assert task.assignee == salesperson
    assert task.due_on == delivered_on + datetime.timedelta(days=30)
    assert task.vehicle_id == ownership.vehicle_id
    # The daily run finds the task already there.
    call_command("run_reminders", "--rule", "after_delivery", "--full", stdout=StringIO())
    assert len(tasks_of(RuleKey.AFTER_DELIVERY)) == 1


def test_delivery_without_a_salesperson_goes_to_the_dealer_manager(
    make_ownership: Any, manager: Any, network: dict[str, Any]
) -> None:
    ownership = make_ownership(timezone.localdate())

    vehicle_delivered.send(
        sender=None, vehicle=ownership.vehicle, customer=ownership.customer,
        ownership=ownership, dealer=network["east_dealer"], salesperson=None,
        delivered_on=ownership.started_on, order=None,
    )  # fmt: skip

    assert [task.assignee for task in tasks_of(RuleKey.AFTER_DELIVERY)] == [manager]


def test_the_command_runs_every_rule_and_again_creates_nothing(
    make_lead: Any, make_ownership: Any, manager: Any
) -> None:
    make_lead(timeframe="immediately", grade="A", created_at=at_noon(timezone.localdate()))
    make_ownership(timezone.localdate() - datetime.timedelta(days=3))

    first = StringIO()
    call_command("run_reminders", stdout=first)
    count = Task.objects.count()
    second = StringIO()
    call_command("run_reminders", stdout=second)

    # Timeframe, review, a call and a visit for the lead; the after-delivery visit.
    assert count == 5
    assert Task.objects.count() == count
    assert "lead_review: 1 new" in first.getvalue()
    assert f"{count} new tasks" in first.getvalue()
    assert "0 new tasks" in second.getvalue()
    assert set(ReminderRule.objects.values_list("covered_until", flat=True)) != {None}


def test_the_command_runs_for_a_given_day(make_lead: Any) -> None:
    make_lead(grade="A")

    call_command(
        "run_reminders", "--date", "2026-11-20", "--rule", "lead_review", stdout=StringIO()
    )

    [task] = tasks_of(RuleKey.LEAD_REVIEW)
    assert task.due_on == datetime.date(2026, 11, 20)


def test_the_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="Not a date"):
        call_command("run_reminders", "--date", "23/11/2026", stdout=StringIO())


def test_the_command_hands_the_run_to_the_worker(make_lead: Any) -> None:
    make_lead(grade="A")
    out = StringIO()

    # Tests run tasks immediately (conftest), as a worker would.
    call_command("run_reminders", "--enqueue", "--date", "2026-11-23", stdout=out)

    assert "queued" in out.getvalue()
    assert len(tasks_of(RuleKey.LEAD_REVIEW)) == 1


def test_a_rule_task_shows_its_rule_and_links_to_its_record(
    make_lead: Any, make_ownership: Any, manager: Any
) -> None:
    lead = make_lead(timeframe="immediately", grade="A", created_at=timezone.now())
    ownership = make_ownership(timezone.localdate() - datetime.timedelta(days=1))
    call_command("run_reminders", stdout=StringIO())

    lead_task = tasks_of(RuleKey.LEAD_TIMEFRAME)[0]
    origin = task_source(lead_task)
    assert origin is not None
    assert (origin.label, origin.url) == ("Lead timeframe treatment", lead.get_absolute_url())
    delivery_task = tasks_of(RuleKey.AFTER_DELIVERY)[0]
    html = render_to_string("activities/reminders/_task_source.html", {"task": delivery_task})
    assert "After delivery" in html
    assert f"/vehicles/{ownership.vehicle_id}/" in html
    hand_made = Task(title="x", source="")
    assert task_source(hand_made) is None


def test_the_sales_service_triggers_the_treatment(salesperson: Any) -> None:
    from autocrm.sales.services import leads as lead_services

    lead = lead_services.lead_create(
        actor=salesperson,
        data={"source": "walk_in", "name": "王小明", "phone": "138 0013 8000",
              "timeframe": "immediately"},
    )  # fmt: skip
    lead_services.lead_update(actor=salesperson, lead=lead, data={"timeframe": "3_months"})

    keys = [task.source_key for task in tasks_of(RuleKey.LEAD_TIMEFRAME)]
    assert keys == [f"lead:{lead.pk}:immediately", f"lead:{lead.pk}:3_months"]
    assert {task.assignee for task in tasks_of(RuleKey.LEAD_TIMEFRAME)} == {salesperson}
