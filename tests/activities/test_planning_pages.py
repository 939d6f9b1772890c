"""The "my day" and calendar pages: lists, one-click done, new tasks, the overlap warning and
"book anyway", the team views per role, the customer page's panels, flat query counts."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.models import Appointment, Task
from autocrm.activities.planning import MY_DAY_ROW_LIMIT
from tests.activities.factories import AppointmentFactory, TaskFactory, in_hours

MINUTE = "%Y-%m-%dT%H:%M"


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime(MINUTE)


def test_my_day_shows_due_and_overdue_tasks(user_in: Any, client_as: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    today = timezone.localdate()
    TaskFactory(assignee=salesperson, title="今天回访", due_on=today)
    TaskFactory(assignee=salesperson, title="逾期回访", due_on=today - datetime.timedelta(days=2))
    TaskFactory(assignee=salesperson, title="明天的", due_on=today + datetime.timedelta(days=1))
    page = client_as(salesperson).get(reverse("activities:my_day"))
    assert [task.title for task in page.context["tasks"]] == ["逾期回访", "今天回访"]
    html = page.content.decode()
    assert html.count('data-testid="overdue"') == 1
    assert 'data-testid="team-view"' not in html


def test_one_click_marks_a_task_done_with_its_outcome(user_in: Any, client_as: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    task = TaskFactory(assignee=salesperson)
    client = client_as(salesperson)
    url = reverse("activities:task_complete", args=[task.pk])
    response = client.post(url, {"outcome": "客户周六到店", "version": 1}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f"Done: {task.title}" in html
    assert 'data-testid="task-row"' not in html  # it leaves the list of open tasks
    task.refresh_from_db()
    assert (task.status, task.outcome, task.completed_by) == ("done", "客户周六到店", salesperson)
    again = client.post(url, {}, HTTP_HX_REQUEST="true")
    assert "This task is already closed" in again.content.decode()


def test_a_new_task_from_my_day_appears_in_the_list(user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("activities:task_create"),
        {"title": "发送报价", "kind": "send_material", "priority": 1, "due_on": today},
        HTTP_HX_REQUEST="true",
    )
    assert [task.title for task in response.context["tasks"]] == ["发送报价"]
    bad = client.post(
        reverse("activities:task_create"),
        {"title": "x", "kind": "call", "priority": 2, "due_on": "明天"},
        HTTP_HX_REQUEST="true",
    )
    assert bad["HX-Retarget"] == "#task-form-slot"
    assert "Enter a date, such as 2026-03-01." in bad.content.decode()
    assert Task.objects.count() == 1


def test_the_team_view_is_for_managers_only(user_in: Any, client_as: Any) -> None:
    staff = user_in(Role.SALESPERSON, display_name="小王")
    TaskFactory(assignee=staff, title="团队任务")
    manager_page = client_as(user_in(Role.DEALER_MANAGER)).get(
        reverse("activities:my_day"), {"view": "team"}
    )
    assert [group.person for group in manager_page.context["groups"]] == [staff]
    agent_page = client_as(user_in(Role.CALL_CENTER_AGENT)).get(
        reverse("activities:my_day"), {"view": "team"}
    )
    assert agent_page.context["team_view"] is False
    assert "团队任务" not in agent_page.content.decode()


def test_booking_an_overlap_warns_and_books_anyway_on_confirmation(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    existing = AppointmentFactory(owner=salesperson, title="老客户试驾", starts_at=in_hours(26))
    client = client_as(salesperson)
    url = reverse("activities:appointment_book") + f"?customer={east_customer.pk}"
    form = {
        "kind": "test_drive",
        "title": "张三丰试驾",
        "starts_at": _local(in_hours(26.5)),
        "ends_at": _local(in_hours(27.5)),
    }
    warned = client.post(url, form)
    html = warned.content.decode()
    assert 'data-testid="overlap-warning"' in html
    assert "老客户试驾" in html
    assert [conflict.appointment for conflict in warned.context["conflicts"]] == [existing]
    assert f'name="confirmed_overlaps" value="{existing.pk}"' in html
    assert Appointment.objects.count() == 1
    booked = client.post(url, {**form, "confirmed_overlaps": str(existing.pk)})
    assert booked.status_code == 302
    new = Appointment.objects.get(title="张三丰试驾")
    assert (new.customer, new.kind) == (east_customer, "test_drive")


def test_a_booking_in_the_past_is_refused_on_the_page(user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    response = client.post(
        reverse("activities:appointment_book"),
        {
            "kind": "meeting",
            "title": "x",
            "starts_at": _local(in_hours(-3)),
            "ends_at": _local(in_hours(-2)),
        },
    )
    assert "A booking cannot start in the past." in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_week_pages_back_and_forth(user_in: Any, client_as: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    booking = AppointmentFactory(owner=salesperson, title="下周会议", starts_at=in_hours(24 * 7))
    client = client_as(salesperson)
    day = timezone.localtime(booking.starts_at).date().isoformat()
    response = client.get(reverse("activities:calendar"), {"week": day}, HTTP_HX_REQUEST="true")
    assert "下周会议" in response.content.decode()
    assert 'data-testid="calendar-feed"' not in response.content.decode()  # the fragment only


def test_the_customer_page_has_task_and_booking_panels(
    user_in: Any, client_as: Any, east_customer: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    TaskFactory(assignee=salesperson, customer=east_customer, title="给张三丰打电话")
    page = client_as(salesperson).get(reverse("customers:customer_detail", args=[east_customer.pk]))
    html = page.content.decode()
    assert "给张三丰打电话" in html
    assert f"/activities/calendar/book/?customer={east_customer.pk}" in html


def test_my_day_query_count_is_flat(user_in: Any, client_as: Any, east_customer: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    client = client_as(salesperson)
    counts = []
    for _ in range(2):
        for _ in range(5):
            TaskFactory(assignee=salesperson, customer=east_customer)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("activities:my_day"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_book_anyway_after_changing_the_booking_warns_about_the_new_overlap(
    user_in: Any, client_as: Any
) -> None:
    # Given two bookings of the salesperson, and the warning about the first one
    salesperson = user_in(Role.SALESPERSON)
    morning = AppointmentFactory(owner=salesperson, title="上午试驾", starts_at=in_hours(26))
    afternoon = AppointmentFactory(owner=salesperson, title="下午交车", starts_at=in_hours(30))
    client = client_as(salesperson)
    url = reverse("activities:appointment_book")
    form = {"kind": "meeting", "title": "新会议", "starts_at": _local(in_hours(26.5))}
    warned = client.post(url, {**form, "ends_at": _local(in_hours(27.5))})
    assert [c.appointment for c in warned.context["conflicts"]] == [morning]
    # When they move the new booking onto the second one and press "book anyway"
    moved = {
        **form,
        "starts_at": _local(in_hours(30.5)),
        "ends_at": _local(in_hours(31.5)),
        "confirmed_overlaps": str(morning.pk),
    }
    again = client.post(url, moved)
    # Then they are warned about the second one, and nothing is booked until they confirm it
    assert [c.appointment for c in again.context["conflicts"]] == [afternoon]
    assert Appointment.objects.count() == 2
    confirmed = client.post(url, {**moved, "confirmed_overlaps": str(afternoon.pk)})
    assert confirmed.status_code == 302
    assert Appointment.objects.filter(title="新会议").count() == 1


def test_a_backlog_shows_the_most_urgent_fifty_and_says_more_are_due(
    user_in: Any, client_as: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    today = timezone.localdate()
    TaskFactory.create_batch(MY_DAY_ROW_LIMIT, assignee=salesperson, due_on=today)
    TaskFactory(assignee=salesperson, title="最早逾期", due_on=today - datetime.timedelta(days=9))
    page = client_as(salesperson).get(reverse("activities:my_day")).content.decode()
    assert MY_DAY_ROW_LIMIT == 50
    assert page.count('data-testid="task-row"') == 50
    assert "最早逾期" in page
    assert 'data-testid="more-tasks"' in page
