"""The home page's "my day" and calendar cards: the signed-in person's own tasks due today and
overdue, and their bookings today (the local day, Asia/Shanghai), with links."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.planning import DaySummary, day_summary, local_midnight
from tests.activities.factories import AppointmentFactory, TaskFactory

HOUR = datetime.timedelta(hours=1)


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def _today_at(hours: float) -> datetime.datetime:
    return local_midnight(timezone.localdate()) + datetime.timedelta(hours=hours)


def test_the_home_page_shows_my_day_and_todays_bookings_with_links(
    user_in: Any, client_as: Any
) -> None:
    # Given a salesperson's tasks and bookings, and a colleague's
    salesperson = user_in(Role.SALESPERSON)
    colleague = user_in(Role.SALESPERSON)
    today = timezone.localdate()
    for due in (today, today, today - _days(2), today + _days(1)):
        TaskFactory(assignee=salesperson, due_on=due)
    TaskFactory(assignee=salesperson, due_on=today, status="done")
    TaskFactory(assignee=colleague, due_on=today)
    TaskFactory(assignee=colleague, created_by=salesperson, due_on=today)  # theirs, not mine
    AppointmentFactory(owner=salesperson, starts_at=_today_at(10), ends_at=_today_at(11))
    AppointmentFactory(
        owner=salesperson, starts_at=_today_at(15), ends_at=_today_at(16), status="cancelled"
    )
    AppointmentFactory(owner=salesperson, starts_at=_today_at(24 + 10), ends_at=_today_at(35))
    AppointmentFactory(owner=colleague, starts_at=_today_at(10), ends_at=_today_at(11))

    # When they open the home page
    html = client_as(salesperson).get(reverse("core:home")).content.decode()

    # Then they see two tasks due today, one overdue, one booking today, each linked
    assert "2 tasks due today" in html
    assert "1 overdue task" in html
    assert "1 booking today" in html
    assert f'href="{reverse("activities:my_day")}" data-testid="home-my-day"' in html
    assert f'href="{reverse("activities:calendar")}" data-testid="home-calendar"' in html


def test_todays_bookings_are_those_of_the_local_day(user_in: Any) -> None:
    # Beijing midnight is 16:00 UTC: a booking across it counts on both days; one ending at
    # midnight exactly, or starting at the next midnight, does not count today.
    salesperson = user_in(Role.SALESPERSON)
    AppointmentFactory(owner=salesperson, starts_at=_today_at(-1), ends_at=_today_at(0.5))
    AppointmentFactory(owner=salesperson, starts_at=_today_at(-2), ends_at=_today_at(0))
    AppointmentFactory(owner=salesperson, starts_at=_today_at(24), ends_at=_today_at(25))
    assert day_summary(salesperson) == DaySummary(due_today=0, overdue=0, bookings_today=1)


def test_roles_without_a_calendar_see_no_day_cards(user_in: Any, client_as: Any) -> None:
    analyst = user_in(Role.ANALYST)
    assert day_summary(analyst) is None
    html = client_as(analyst).get(reverse("core:home")).content.decode()
    assert 'data-testid="home-my-day"' not in html
