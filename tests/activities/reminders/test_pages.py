"""The reminder rules' pages: administrators only; settings saved with validation and the
optimistic lock; a disabled rule creates nothing; "run now" starts a job."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.activities.models import ReminderRule, Task
from autocrm.activities.reminders.keys import RuleKey
from autocrm.core.models import AuditEntry, Job
from tests.activities.reminders.conftest import at_noon

pytestmark = pytest.mark.django_db

LIST = reverse("activities:reminder_rule_list")


def edit_url(key: str) -> str:
    return reverse("activities:reminder_rule_edit", args=[key])


@pytest.mark.parametrize(
    "role", [Role.SALESPERSON, Role.DEALER_MANAGER, Role.REGION_MANAGER, Role.CALL_CENTER_AGENT]
)
def test_only_administrators_see_and_change_the_rules(
    user_in: Any, client_as: Any, role: str
) -> None:
    client = client_as(user_in(role))

    assert client.get(LIST).status_code == 403
    assert client.get(edit_url(RuleKey.INACTIVITY)).status_code == 403
    response = client.post(edit_url(RuleKey.INACTIVITY), {"enabled": "", "priority": 1})
    assert response.status_code == 403
    assert client.post(reverse("activities:reminder_run")).status_code == 403
    assert not ReminderRule.objects.filter(enabled=False).exists()
    assert not Job.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client: Any) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_list_shows_every_rule_with_its_settings(admin: Any, client_as: Any) -> None:
    response = client_as(admin).get(LIST)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="reminder-rule-row"') == len(RuleKey)
    assert "Lead card review" in body
    assert "Days without activity: 14" in body
    assert edit_url(RuleKey.BIRTHDAY) in body
    assert ReminderRule.objects.count() == len(RuleKey)


def test_the_menu_shows_the_rules_to_administrators_only(
    admin: Any, user_in: Any, client_as: Any
) -> None:
    home = reverse("core:home")
    assert LIST in client_as(admin).get(home).content.decode()
    assert LIST not in client_as(user_in(Role.DEALER_MANAGER)).get(home).content.decode()


def test_an_administrator_changes_a_rule(admin: Any, client_as: Any) -> None:
    client = client_as(admin)
    page = client.get(edit_url(RuleKey.INACTIVITY))
    assert page.status_code == 200
    assert "alerts its salesperson" in page.content.decode()

    response = client.post(
        edit_url(RuleKey.INACTIVITY),
        {"enabled": "on", "priority": 3, "days": 21, "escalation_days": 10, "version": 1},
    )

    assert response.status_code == 302
    assert response["Location"] == LIST
    rule = ReminderRule.objects.get(key=RuleKey.INACTIVITY)
    assert (rule.days, rule.escalation_days, rule.priority, rule.version) == (21, 10, 3, 2)
    assert rule.updated_by == admin
    entry = AuditEntry.objects.get(object_id=str(rule.pk))
    assert entry.changes["days"] == [14, 21]


def test_numbers_outside_the_bounds_are_refused_with_the_bound(admin: Any, client_as: Any) -> None:
    client = client_as(admin)
    client.get(LIST)

    response = client.post(
        edit_url(RuleKey.INACTIVITY),
        {"enabled": "on", "priority": 2, "days": 0, "escalation_days": "x", "version": 1},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Ensure this value is greater than or equal to 1." in body
    assert "Enter a whole number." in body
    assert ReminderRule.objects.get(key=RuleKey.INACTIVITY).days == 14


def test_a_stale_form_is_refused(admin: Any, client_as: Any) -> None:
    client = client_as(admin)
    client.get(LIST)
    ReminderRule.objects.filter(key=RuleKey.BIRTHDAY).update(version=2, days=5)

    response = client.post(
        edit_url(RuleKey.BIRTHDAY), {"enabled": "on", "priority": 3, "days": 9, "version": 1}
    )

    assert response.status_code == 200
    assert "changed" in response.content.decode()
    assert ReminderRule.objects.get(key=RuleKey.BIRTHDAY).days == 5


def test_an_unknown_rule_is_not_found(admin: Any, client_as: Any) -> None:
    assert client_as(admin).get(edit_url("horoscope")).status_code == 404


def test_a_rule_switched_off_on_its_page_creates_nothing(
    admin: Any, client_as: Any, make_lead: Any, today: datetime.date
) -> None:
    from autocrm.activities.reminders.engine import run_reminders

    make_lead(timeframe="immediately", grade="A", created_at=at_noon(today))
    client = client_as(admin)
    client.get(LIST)
    client.post(edit_url(RuleKey.LEAD_TIMEFRAME), {"enabled": "", "priority": 1, "days": 3,
                                                    "version": 1})  # fmt: skip

    result = run_reminders(today=today, only=[RuleKey.LEAD_TIMEFRAME, RuleKey.LEAD_REVIEW])

    assert [rule.skipped for rule in result.rules] == [True, False]
    assert set(Task.objects.values_list("source", flat=True)) == {RuleKey.LEAD_REVIEW}
    assert 'data-testid="rule-off"' in client.get(LIST).content.decode()


def test_run_now_starts_a_job_that_creates_the_tasks(
    admin: Any, client_as: Any, make_lead: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone

    make_lead(timeframe="immediately", grade="A", created_at=timezone.now())
    client = client_as(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("activities:reminder_run"))

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.created_by == admin
    assert "Lead timeframe treatment: 1 new tasks" in job.log
    assert "Lead card review: 1 new tasks" in job.log
    assert Task.objects.filter(source=RuleKey.LEAD_TIMEFRAME).count() == 1
    # A retry (or a second click) creates nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:reminder_run"))
    assert Task.objects.filter(source=RuleKey.LEAD_TIMEFRAME).count() == 1
    assert Job.objects.filter(status="succeeded").count() == 2
