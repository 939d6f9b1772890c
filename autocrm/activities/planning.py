"""Reads of tasks and bookings: who sees which, "my day", the team's day, calendar weeks.

Everything starts from ``visible_to`` (the dealer and region scope). On top of it, only managers
(``sees_team_plans``) see their team's records; everyone else, HQ roles included, sees their own
and those they created.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from autocrm.accounts.models import User
from autocrm.activities.choices import AppointmentStatus, TaskStatus
from autocrm.activities.models import Appointment, Task
from autocrm.activities.permissions import may_plan, sees_team_plans
from autocrm.core.scoping import visible_to

# A team view shows at most this many rows; a region's whole day does not fit on a screen.
TEAM_ROW_LIMIT = 200
# "My day" shows the most urgent tasks first; a backlog beyond this is counted, not drawn.
MY_DAY_ROW_LIMIT = 50
# The team view's tasks, at most (each row is a template with its own form).
TEAM_TASK_LIMIT = 50
# The API's task list order: by due date, then id (keyset; task_my_day_idx / task_team_idx).
TASK_ORDERING = ("due_on", "id")
APPOINTMENT_ORDERING = ("starts_at", "id")


def tasks_visible(user: Any) -> QuerySet[Task]:
    """The tasks ``user`` may see and act on."""
    rows = visible_to(user, Task.objects.all())
    if not sees_team_plans(user):
        rows = rows.filter(Q(assignee_id=user.pk) | Q(created_by_id=user.pk))
    return rows


def appointments_visible(user: Any) -> QuerySet[Appointment]:
    """The bookings ``user`` may see and act on."""
    rows = visible_to(user, Appointment.objects.all())
    if not sees_team_plans(user):
        rows = rows.filter(Q(owner_id=user.pk) | Q(created_by_id=user.pk))
    return rows


def team_members(user: Any) -> QuerySet[User]:
    """The people a manager sees the plans of: the active staff in their scope, and themselves.
    Anyone else: themselves only."""
    if not sees_team_plans(user):
        return User.objects.filter(pk=user.pk)
    return visible_to(user, User.objects.filter(is_active=True)).order_by("username")


def _day_order(rows: QuerySet[Task], today: datetime.date) -> QuerySet[Task]:
    """Overdue first, then high priority first, then the oldest due date."""
    overdue_first = Case(
        When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return rows.order_by(overdue_first, "priority", "due_on", "id")


def my_day(user: Any, today: datetime.date | None = None, limit: int | None = None) -> list[Task]:
    """``user``'s open tasks due today or earlier, overdue first, then by priority; the first
    ``limit`` of them when given."""
    today = today or timezone.localdate()
    rows = tasks_visible(user).filter(
        assignee_id=user.pk, status=TaskStatus.OPEN, due_on__lte=today
    )
    # Customers are fetched for the chosen tasks only (prefetch after the LIMIT): joined in the
    # query, PostgreSQL looked up the customer of every due task before sorting (949 of them
    # for the busiest salesperson after the first reminder run: 15 of the query's 26 ms).
    ordered = _day_order(rows, today).prefetch_related("customer")
    return list(ordered if limit is None else ordered[:limit])


@dataclass(frozen=True)
class DaySummary:
    """The home page's view of a person's day: their open tasks due today and overdue, and
    their bookings today (cancelled ones left out)."""

    due_today: int
    overdue: int
    bookings_today: int


def day_summary(user: Any, today: datetime.date | None = None) -> DaySummary | None:
    """``user``'s :class:`DaySummary` for the local day (two queries, on ``task_my_day_idx``
    and ``appointment_owner_idx``); None for roles that keep no tasks or calendar."""
    if not may_plan(user):
        return None
    today = today or timezone.localdate()
    tasks = (
        tasks_visible(user)
        .filter(assignee_id=user.pk, status=TaskStatus.OPEN, due_on__lte=today)
        .aggregate(
            due_today=Count("pk", filter=Q(due_on=today)),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
    )
    day_starts = local_midnight(today)
    bookings = (
        appointments_visible(user)
        .filter(owner_id=user.pk, starts_at__lt=local_midnight(today + datetime.timedelta(days=1)))
        .filter(ends_at__gt=day_starts)
        .exclude(status=AppointmentStatus.CANCELLED)
        .count()
    )
    return DaySummary(tasks["due_today"], tasks["overdue"], bookings)


@dataclass
class TeamMemberDay:
    """One person's tasks in the team view, counted against the same day the list was made
    for (not the clock when the count is read, which may be past midnight)."""

    person: Any
    today: datetime.date
    tasks: list[Task] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for task in self.tasks if task.due_on < self.today)


def team_day(user: Any, today: datetime.date | None = None) -> list[TeamMemberDay]:
    """A manager's team's open tasks due today or earlier, grouped by assignee (by name), each
    group in "my day" order. At most ``TEAM_TASK_LIMIT`` tasks."""
    today = today or timezone.localdate()
    rows = tasks_visible(user).filter(status=TaskStatus.OPEN, due_on__lte=today)
    tasks = list(
        _day_order(rows, today).prefetch_related("customer", "assignee")[:TEAM_TASK_LIMIT]
    )  # the customers and people of the chosen tasks only (see ``my_day``)
    groups: dict[int, TeamMemberDay] = {}
    for task in tasks:
        group = groups.setdefault(task.assignee_id, TeamMemberDay(task.assignee, today))
        group.tasks.append(task)
    return sorted(groups.values(), key=lambda group: str(group.person))


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week (Chinese calendars start the week on Monday)."""
    return day - datetime.timedelta(days=day.weekday())


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def appointments_between(
    user: Any, starts: datetime.datetime, ends: datetime.datetime
) -> QuerySet[Appointment]:
    """The bookings ``user`` may see that overlap [starts, ends), in time order."""
    return (
        appointments_visible(user)
        .filter(starts_at__lt=ends, ends_at__gt=starts)
        .select_related("owner", "customer", "vehicle")
        .order_by(*APPOINTMENT_ORDERING)
    )


@dataclass
class CalendarWeek:
    """One week of bookings, as days (Monday first), each with its bookings in time order."""

    first_day: datetime.date
    days: list[tuple[datetime.date, list[Appointment]]]

    @property
    def previous(self) -> datetime.date:
        return self.first_day - datetime.timedelta(days=7)

    @property
    def next(self) -> datetime.date:
        return self.first_day + datetime.timedelta(days=7)

    @property
    def last_day(self) -> datetime.date:
        return self.first_day + datetime.timedelta(days=6)


def calendar_week(user: Any, day: datetime.date, *, team: bool = False) -> CalendarWeek:
    """The week containing ``day``: the user's own planned and done bookings, or with ``team``
    (managers) every booking of their team, cancelled ones left out."""
    first = week_start(day)
    starts, ends = local_midnight(first), local_midnight(first + datetime.timedelta(days=7))
    rows = appointments_between(user, starts, ends).exclude(status=AppointmentStatus.CANCELLED)
    if not team or not sees_team_plans(user):
        rows = rows.filter(owner_id=user.pk)
    by_day: dict[datetime.date, list[Appointment]] = {
        first + datetime.timedelta(days=offset): [] for offset in range(7)
    }
    for appointment in rows[:TEAM_ROW_LIMIT]:
        local_day = timezone.localtime(appointment.starts_at).date()
        by_day.setdefault(max(local_day, first), []).append(appointment)
    return CalendarWeek(first_day=first, days=sorted(by_day.items()))
