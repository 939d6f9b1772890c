"""Task rules: who may give a task to whom, the rule's dedupe key, completing once, the lock;
"my day" ordering and the team's day per role."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.models import Task
from autocrm.activities.planning import my_day, team_day
from autocrm.activities.task_services import (
    TaskClosed,
    task_complete,
    task_create,
    task_update,
)
from autocrm.core.errors import StaleRecord
from tests.activities.factories import TaskFactory

TODAY = datetime.date(2026, 3, 10)


def days(count: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=count)


def test_a_task_is_the_creators_at_their_dealer(user_in: Any, network: dict) -> None:
    salesperson = user_in(Role.SALESPERSON)
    task = task_create(actor=salesperson, data={"title": "回访张三丰", "due_on": days(0)})
    assert (task.assignee, task.created_by, task.dealer) == (
        salesperson,
        salesperson,
        network["east_dealer"],
    )
    assert (task.status, task.priority, task.version, task.dedupe_key) == ("open", 2, 1, None)


def test_a_due_date_that_is_not_a_date_is_refused(user_in: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        task_create(actor=user_in(Role.SALESPERSON), data={"title": "x", "due_on": "明天"})
    assert "due_on" in refused.value.message_dict
    assert not Task.objects.exists()


def test_a_rule_cannot_create_the_same_task_twice(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    data = {"title": "交车一个月回访", "due_on": days(3)}
    first = task_create(actor=salesperson, data=data, source="delivery", source_key="order-7")
    assert first.dedupe_key == "delivery:order-7"
    # the reminder engine inserts with ON CONFLICT DO NOTHING on the same key
    duplicate = Task(title="x", due_on=days(3), assignee=salesperson, dedupe_key="delivery:order-7")
    Task.objects.bulk_create([duplicate], ignore_conflicts=True)
    assert Task.objects.count() == 1
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        task_create(actor=salesperson, data=data, source="delivery", source_key="order-7")


def test_managers_give_tasks_to_their_staff_salespeople_only_to_themselves(
    user_in: Any,
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    colleague = user_in(Role.SALESPERSON)
    manager = user_in(Role.DEALER_MANAGER)
    west = user_in(Role.SALESPERSON, "west")
    given = task_create(
        actor=manager, data={"title": "x", "due_on": days(0), "assignee": colleague}
    )
    assert given.assignee == colleague
    for actor, person in ((salesperson, colleague), (manager, west)):
        with pytest.raises(ValidationError) as refused:
            task_create(actor=actor, data={"title": "x", "due_on": days(0), "assignee": person})
        assert refused.value.message_dict["assignee"] == ["You may not give tasks to this person."]


def test_completing_records_who_when_and_the_outcome_once(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    task = TaskFactory(assignee=salesperson)
    done = task_complete(actor=salesperson, task=task, outcome="客户下周到店", expected_version=1)
    assert (done.status, done.completed_by, done.outcome, done.version) == (
        "done",
        salesperson,
        "客户下周到店",
        2,
    )
    assert done.completed_at is not None
    with pytest.raises(TaskClosed):
        task_complete(actor=salesperson, task=task)


def test_an_edit_based_on_an_old_copy_is_refused(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    task = TaskFactory(assignee=salesperson)
    task_update(actor=salesperson, task=task, data={"title": "新标题"}, expected_version=1)
    with pytest.raises(StaleRecord):
        task_update(actor=salesperson, task=task, data={"priority": 1}, expected_version=1)
    task.refresh_from_db()
    assert (task.title, task.priority, task.version) == ("新标题", 2, 2)


def test_my_day_lists_overdue_first_then_by_priority(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    today_low = TaskFactory(assignee=salesperson, due_on=days(0), priority=3, title="today low")
    today_high = TaskFactory(assignee=salesperson, due_on=days(0), priority=1, title="today high")
    overdue_low = TaskFactory(assignee=salesperson, due_on=days(-5), priority=3, title="old low")
    overdue_high = TaskFactory(assignee=salesperson, due_on=days(-1), priority=1, title="old hi")
    TaskFactory(assignee=salesperson, due_on=days(1), title="tomorrow")
    TaskFactory(assignee=salesperson, due_on=days(-1), status="done", title="done")
    TaskFactory(assignee=user_in(Role.SALESPERSON), due_on=days(0), title="colleague's")
    assert my_day(salesperson) == [overdue_high, overdue_low, today_high, today_low]


def test_the_team_day_is_the_dealers_staff_grouped_by_person(user_in: Any) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    first = user_in(Role.SALESPERSON, display_name="A 王")
    second = user_in(Role.SALESPERSON, display_name="B 李")
    TaskFactory(assignee=first, due_on=days(0))
    TaskFactory(assignee=second, due_on=days(-2))
    TaskFactory(assignee=second, due_on=days(0))
    TaskFactory(assignee=user_in(Role.SALESPERSON, "west"), due_on=days(0))
    groups = team_day(manager)
    assert [(group.person, len(group.tasks), group.overdue_count) for group in groups] == [
        (first, 1, 0),
        (second, 2, 1),
    ]


def test_the_region_manager_sees_the_regions_staff_and_hq_only_their_own(
    user_in: Any,
) -> None:
    east = TaskFactory(assignee=user_in(Role.SALESPERSON), due_on=days(0))
    TaskFactory(assignee=user_in(Role.SALESPERSON, "west"), due_on=days(0))
    region_manager = user_in(Role.REGION_MANAGER)
    assert [task for group in team_day(region_manager) for task in group.tasks] == [east]
    agent = user_in(Role.CALL_CENTER_AGENT)
    own = TaskFactory(assignee=agent, due_on=days(0))
    assert [task for group in team_day(agent) for task in group.tasks] == [own]


def test_the_team_day_counts_overdue_against_the_day_it_was_made_for(user_in: Any) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    salesperson = user_in(Role.SALESPERSON, display_name="A 王")
    TaskFactory(assignee=salesperson, due_on=days(-1))
    TaskFactory(assignee=salesperson, due_on=days(0))
    # Made for yesterday: the task due yesterday was due that day, not overdue
    (group,) = team_day(manager, today=days(-1))
    assert (len(group.tasks), group.overdue_count) == (1, 0)
