"""The lead rules: timeframe treatment, card review, calls and visits, inactivity."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from autocrm.activities.models import ReminderRule, Task
from autocrm.activities.reminders.engine import run_rule
from autocrm.activities.reminders.keys import RuleKey
from tests.activities.reminders.conftest import at_noon, tasks_of
from tests.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def test_immediately_gives_the_salesperson_a_task_due_today(
    make_lead: Any, salesperson: Any, today: datetime.date
) -> None:
    lead = make_lead(timeframe="immediately", grade="A", created_at=at_noon(today))

    outcome = run_rule(RuleKey.LEAD_TIMEFRAME, today=today)

    assert outcome.created == 1
    [task] = tasks_of(RuleKey.LEAD_TIMEFRAME)
    assert task.assignee == salesperson
    assert task.dealer_id == salesperson.dealer_id
    assert task.due_on == today
    assert task.customer_id == lead.customer_id
    assert task.kind == "follow_up"
    assert task.priority == 1
    assert task.status == "open"
    assert task.source_key == f"lead:{lead.pk}:immediately"
    assert task.dedupe_key == f"lead_timeframe:lead:{lead.pk}:immediately"
    assert lead.name in task.title


@pytest.mark.parametrize(
    ("timeframe", "kind", "due_in_days"),
    [("3_months", "call", 3), ("6_months", "send_material", 3), ("1_year", "send_material", 3)],
)
def test_later_timeframes_get_their_treatment_due_after_the_set_days(
    make_lead: Any, today: datetime.date, timeframe: str, kind: str, due_in_days: int
) -> None:
    lead = make_lead(timeframe=timeframe, grade="B", created_at=at_noon(today))

    run_rule(RuleKey.LEAD_TIMEFRAME, today=today)

    [task] = tasks_of(RuleKey.LEAD_TIMEFRAME)
    assert (task.kind, task.due_on) == (kind, today + datetime.timedelta(days=due_in_days))
    assert task.source_key == f"lead:{lead.pk}:{timeframe}"


def test_running_twice_creates_nothing_new(make_lead: Any, today: datetime.date) -> None:
    make_lead(timeframe="immediately", grade="A", created_at=at_noon(today))
    make_lead(timeframe="6_months", grade="C", created_at=at_noon(today))

    first = run_rule(RuleKey.LEAD_TIMEFRAME, today=today)
    second = run_rule(RuleKey.LEAD_TIMEFRAME, today=today)

    assert (first.created, second.created) == (2, 0)
    assert Task.objects.count() == 2


def test_material_needs_marketing_consent_and_withdrawal_stops_it(
    make_lead: Any, today: datetime.date
) -> None:
    no_opt_in = make_lead(timeframe="6_months", marketing=False, created_at=at_noon(today))
    withdrawn = make_lead(timeframe="1_year", withdrawn=True, created_at=at_noon(today))
    # Bringing the purchase forward is a conversation, not a mailing: no consent needed.
    call = make_lead(timeframe="3_months", marketing=False, created_at=at_noon(today))

    run_rule(RuleKey.LEAD_TIMEFRAME, today=today)

    keys = {task.source_key for task in tasks_of(RuleKey.LEAD_TIMEFRAME)}
    assert keys == {f"lead:{call.pk}:3_months"}
    assert no_opt_in.pk and withdrawn.pk


def test_a_customer_who_agrees_later_gets_the_material_on_the_next_run(
    make_lead: Any, today: datetime.date
) -> None:
    from tests.activities.reminders.conftest import consent

    lead = make_lead(timeframe="6_months", marketing=False, created_at=at_noon(today))
    run_rule(RuleKey.LEAD_TIMEFRAME, today=today)
    assert tasks_of(RuleKey.LEAD_TIMEFRAME) == []

    consent(lead.customer, "sms", "marketing", True)
    run_rule(RuleKey.LEAD_TIMEFRAME, today=today + datetime.timedelta(days=1))

    assert [task.source_key for task in tasks_of(RuleKey.LEAD_TIMEFRAME)] == [
        f"lead:{lead.pk}:6_months"
    ]


def test_closed_unassigned_and_old_leads_get_no_treatment(
    make_lead: Any, today: datetime.date
) -> None:
    make_lead(timeframe="immediately", status="converted", created_at=at_noon(today))
    make_lead(timeframe="immediately", salesperson=None, created_at=at_noon(today))
    make_lead(timeframe="immediately", created_at=at_noon(today - datetime.timedelta(days=45)))

    assert run_rule(RuleKey.LEAD_TIMEFRAME, today=today).created == 0


def test_an_inactive_salesperson_gets_no_task(
    make_lead: Any, salesperson: Any, today: datetime.date
) -> None:
    make_lead(timeframe="immediately", created_at=at_noon(today))
    salesperson.is_active = False
    salesperson.save()

    assert run_rule(RuleKey.LEAD_TIMEFRAME, today=today).created == 0


def test_a_disabled_rule_creates_nothing(make_lead: Any, today: datetime.date) -> None:
    make_lead(timeframe="immediately", created_at=at_noon(today))
    run_rule(RuleKey.LEAD_REVIEW, today=today)  # creates the settings rows
    ReminderRule.objects.filter(key=RuleKey.LEAD_TIMEFRAME).update(enabled=False)

    outcome = run_rule(RuleKey.LEAD_TIMEFRAME, today=today)

    assert outcome.skipped
    assert tasks_of(RuleKey.LEAD_TIMEFRAME) == []


def test_settings_change_due_days_and_priority(make_lead: Any, today: datetime.date) -> None:
    make_lead(timeframe="3_months", created_at=at_noon(today))
    run_rule(RuleKey.LEAD_REVIEW, today=today)
    ReminderRule.objects.filter(key=RuleKey.LEAD_TIMEFRAME).update(days=10, priority=3)

    run_rule(RuleKey.LEAD_TIMEFRAME, today=today)

    [task] = tasks_of(RuleKey.LEAD_TIMEFRAME)
    assert (task.due_on, task.priority) == (today + datetime.timedelta(days=10), 3)


def _review_done() -> None:
    Task.objects.filter(source=RuleKey.LEAD_REVIEW).update(status="done")


def test_review_cadence_by_grade(make_lead: Any, today: datetime.date) -> None:
    a = make_lead(grade="A")
    b = make_lead(grade="B")
    c = make_lead(grade="C")

    assert run_rule(RuleKey.LEAD_REVIEW, today=today).created == 3
    _review_done()
    # The next day: only A (daily) is due again; B's week and C's month are the same.
    tomorrow = today + datetime.timedelta(days=1)
    assert run_rule(RuleKey.LEAD_REVIEW, today=tomorrow).created == 1
    _review_done()
    # A week later B is due again; C only next month.
    next_week = today + datetime.timedelta(days=7)
    assert run_rule(RuleKey.LEAD_REVIEW, today=next_week).created == 2
    _review_done()
    # December 1st is in the same ISO week as November 30th: A and C only.
    next_month = datetime.date(2026, 12, 1)
    assert run_rule(RuleKey.LEAD_REVIEW, today=next_month).created == 2

    keys = {task.source_key for task in tasks_of(RuleKey.LEAD_REVIEW)}
    assert f"lead:{a.pk}:2026-11-23" in keys
    assert f"lead:{b.pk}:2026-W48" in keys
    assert f"lead:{c.pk}:2026-11" in keys
    assert all(task.kind == "review" for task in tasks_of(RuleKey.LEAD_REVIEW))
    assert run_rule(RuleKey.LEAD_REVIEW, today=next_month).created == 0


def test_reviews_do_not_pile_up_while_one_is_open(make_lead: Any, today: datetime.date) -> None:
    make_lead(grade="A")
    run_rule(RuleKey.LEAD_REVIEW, today=today)

    assert run_rule(RuleKey.LEAD_REVIEW, today=today + datetime.timedelta(days=1)).created == 0
    _review_done()
    assert run_rule(RuleKey.LEAD_REVIEW, today=today + datetime.timedelta(days=2)).created == 1


def test_calls_and_visits_by_grade(make_lead: Any, today: datetime.date) -> None:
    a = make_lead(grade="A")
    c = make_lead(grade="C")

    assert run_rule(RuleKey.LEAD_CONTACT, today=today).created == 4
    assert run_rule(RuleKey.LEAD_CONTACT, today=today).created == 0

    keys = {(task.kind, task.source_key, task.due_on) for task in tasks_of(RuleKey.LEAD_CONTACT)}
    # Each period began before the run: due 7 days after its start, but not before today.
    assert keys == {
        ("call", f"call:{a.pk}:2026-11", today),
        ("visit", f"visit:{a.pk}:2026-Q4", today),
        ("call", f"call:{c.pk}:2026-H2", today),
        ("visit", f"visit:{c.pk}:2026", today),
    }
    # December: A's monthly call again; the quarter, half and year are the same.
    december = datetime.date(2026, 12, 1)
    assert run_rule(RuleKey.LEAD_CONTACT, today=december).created == 1
    [new] = Task.objects.filter(source_key=f"call:{a.pk}:2026-12")
    assert new.due_on == datetime.date(2026, 12, 8)


def _quiet_lead(make_lead: Any, days: int, today: datetime.date, **fields: Any) -> Any:
    moment = at_noon(today - datetime.timedelta(days=days))
    return make_lead(created_at=moment, last_activity_at=moment, **fields)


def test_inactivity_alerts_the_salesperson_then_the_managers(
    make_lead: Any, salesperson: Any, manager: Any, user_in: Any, today: datetime.date
) -> None:
    from autocrm.accounts.choices import Role

    second_manager = user_in(Role.DEALER_MANAGER)
    user_in(Role.DEALER_MANAGER, where="west")  # another dealer's manager: not told
    fresh = _quiet_lead(make_lead, 3, today)
    quiet = _quiet_lead(make_lead, 16, today)
    forgotten = _quiet_lead(make_lead, 30, today)

    assert run_rule(RuleKey.INACTIVITY, today=today).created == 2 + 2
    assert run_rule(RuleKey.INACTIVITY, today=today).created == 0

    tasks = tasks_of(RuleKey.INACTIVITY)
    by_person = {(task.assignee_id, task.customer_id) for task in tasks}
    assert by_person == {
        (salesperson.pk, quiet.customer_id),
        (salesperson.pk, forgotten.customer_id),
        (manager.pk, forgotten.customer_id),
        (second_manager.pk, forgotten.customer_id),
    }
    assert fresh.customer_id not in {task.customer_id for task in tasks}
    quiet_day = (today - datetime.timedelta(days=16)).isoformat()
    assert f"lead:{quiet.pk}:{quiet_day}" in {task.source_key for task in tasks}


def test_an_interaction_at_the_dealer_counts_as_activity(
    make_lead: Any, network: dict[str, Any], today: datetime.date
) -> None:
    lead = _quiet_lead(make_lead, 20, today)
    elsewhere = _quiet_lead(make_lead, 20, today)
    InteractionFactory(
        customer=lead.customer, dealer=network["east_dealer"], occurred_at=at_noon(today)
    )
    # An interaction at another dealer is not this dealer's activity.
    InteractionFactory(
        customer=elsewhere.customer, dealer=network["west_dealer"], occurred_at=at_noon(today)
    )

    run_rule(RuleKey.INACTIVITY, today=today)

    assert {task.customer_id for task in tasks_of(RuleKey.INACTIVITY)} == {elsewhere.customer_id}


def test_new_activity_after_an_alert_starts_a_new_episode(
    make_lead: Any, today: datetime.date
) -> None:
    lead = _quiet_lead(make_lead, 15, today)
    run_rule(RuleKey.INACTIVITY, today=today)
    type(lead).objects.filter(pk=lead.pk).update(last_activity_at=at_noon(today))

    later = today + datetime.timedelta(days=20)
    run_rule(RuleKey.INACTIVITY, today=later)

    assert len(tasks_of(RuleKey.INACTIVITY)) == 2
