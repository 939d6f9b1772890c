"""The tasks and calendar API: scoping matrix, bad input, the overlap 409, the lock, keyset
pages with flat query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.activities.models import Appointment, Task
from tests.activities.factories import AppointmentFactory, TaskFactory, in_hours


def _post(client: Any, url: str, body: dict) -> Any:
    return client.post(url, body, content_type="application/json")


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("role", "where", "sees"),
    [
        (Role.SALESPERSON, "east", {"own", "created"}),
        (Role.DEALER_MANAGER, "east", {"own", "colleague", "created"}),
        (Role.REGION_MANAGER, "east", {"own", "colleague", "created"}),
        (Role.DEALER_MANAGER, "west", {"created"}),
        (Role.REGION_MANAGER, "west", {"created"}),
        (Role.CALL_CENTER_AGENT, "east", {"created"}),
        (Role.ADMINISTRATOR, "east", {"created"}),
    ],
)
def test_who_sees_which_tasks_and_bookings(
    user_in: Any, client_as: Any, role: str, where: str, sees: set[str]
) -> None:
    owner = user_in(Role.SALESPERSON)
    colleague = user_in(Role.SALESPERSON)
    caller = user_in(role, where) if role != Role.SALESPERSON else owner
    tasks = {
        "own": TaskFactory(assignee=owner),
        "colleague": TaskFactory(assignee=colleague),
        "created": TaskFactory(assignee=colleague, created_by=caller),
    }
    bookings = {
        "own": AppointmentFactory(owner=owner),
        "colleague": AppointmentFactory(owner=colleague),
        "created": AppointmentFactory(owner=colleague, created_by=caller),
    }
    client = client_as(caller)
    expected_tasks = sorted(tasks[name].pk for name in sees)
    expected_bookings = sorted(bookings[name].pk for name in sees)
    assert sorted(_ids(client.get("/api/v1/tasks"))) == expected_tasks
    assert sorted(_ids(client.get("/api/v1/appointments"))) == expected_bookings
    hidden = [task for name, task in tasks.items() if name not in sees]
    for task in hidden:
        assert client.get(f"/api/v1/tasks/{task.pk}").status_code == 404
        response = _post(client, f"/api/v1/tasks/{task.pk}/complete", {})
        assert response.status_code == 404
        task.refresh_from_db()
        assert task.status == "open"


def test_creating_and_completing_a_task(user_in: Any, client_as: Any, east_customer: Any) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    due = timezone.localdate().isoformat()
    response = _post(
        client,
        "/api/v1/tasks",
        {"title": "回访", "due_on": due, "customer_id": east_customer.pk, "priority": 1},
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert (task["customer_id"], task["priority"], task["status"]) == (east_customer.pk, 1, "open")
    done = _post(client, f"/api/v1/tasks/{task['id']}/complete", {"outcome": "已约", "version": 1})
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "已约")
    again = _post(client, f"/api/v1/tasks/{task['id']}/complete", {})
    assert again.status_code == 409
    assert again.json()["message"] == "This task is already closed; nothing was changed."


def test_a_due_date_that_is_not_a_date_is_a_422(user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    response = _post(client, "/api/v1/tasks", {"title": "x", "due_on": "下周二"})
    assert response.status_code == 422
    assert [detail["field"] for detail in response.json()["details"]] == ["due_on"]
    assert not Task.objects.exists()


def test_an_out_of_scope_customer_is_refused(
    user_in: Any, client_as: Any, west_customer: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    response = _post(
        client,
        "/api/v1/tasks",
        {"title": "x", "due_on": "2030-01-01", "customer_id": west_customer.pk},
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "customer_id"


def _booking(starts: datetime.datetime, **extra: Any) -> dict[str, Any]:
    ends = starts + datetime.timedelta(hours=1)
    return {"title": "试驾", "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), **extra}


def test_an_overlapping_booking_is_a_409_with_the_conflicts_unless_allowed(
    user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    first = _post(client, "/api/v1/appointments", _booking(in_hours(3)))
    assert first.status_code == 201, first.content
    clash = _post(client, "/api/v1/appointments", _booking(in_hours(3.5)))
    assert clash.status_code == 409
    body = clash.json()
    assert body["code"] == "conflict"
    assert [(c["id"], c["reason"]) for c in body["details"]["conflicts"]] == [
        (first.json()["id"], "owner")
    ]
    anyway = _post(client, "/api/v1/appointments", _booking(in_hours(3.5), allow_overlap=True))
    assert anyway.status_code == 201
    assert Appointment.objects.count() == 2


def test_bad_booking_times_are_refused(user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    past = _post(client, "/api/v1/appointments", _booking(in_hours(-2)))
    assert past.status_code == 422
    assert past.json()["details"] == [
        {"field": "starts_at", "message": "A booking cannot start in the past."}
    ]
    backwards = _post(
        client,
        "/api/v1/appointments",
        {"title": "x", "starts_at": in_hours(5).isoformat(), "ends_at": in_hours(4).isoformat()},
    )
    assert backwards.json()["details"] == [
        {"field": "ends_at", "message": "A booking must end after it starts."}
    ]


def test_the_second_of_two_moves_is_told_the_booking_changed(user_in: Any, client_as: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    booking = AppointmentFactory(owner=salesperson, starts_at=in_hours(5))
    client = client_as(salesperson)
    url = f"/api/v1/appointments/{booking.pk}"
    first = client.patch(
        url, {**_booking(in_hours(8)), "version": 1}, content_type="application/json"
    )
    assert first.json()["version"] == 2
    second = client.patch(
        url, {**_booking(in_hours(9)), "version": 1}, content_type="application/json"
    )
    assert second.status_code == 409
    booking.refresh_from_db()
    assert booking.starts_at == in_hours(8)
    cancelled = _post(client, f"{url}/cancel", {"version": 2})
    assert cancelled.json()["status"] == "cancelled"


def test_bookings_in_a_range_page_with_flat_query_counts(user_in: Any, client_as: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    client = client_as(salesperson)
    for hours in range(1, 13):
        AppointmentFactory(owner=salesperson, starts_at=in_hours(hours * 2))
    AppointmentFactory(owner=salesperson, starts_at=in_hours(24 * 30))
    since, until = in_hours(0).isoformat(), in_hours(48).isoformat()
    params = {"since": since, "until": until, "limit": 5}
    counts, seen, cursor = [], [], None
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                "/api/v1/appointments", {**params, **({"cursor": cursor} if cursor else {})}
            )
        counts.append(len(queries))
        seen += _ids(response)
        cursor = response.json()["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 12
    assert len(set(counts)) == 1


def test_a_booking_time_without_an_offset_is_local_time(user_in: Any, client_as: Any) -> None:
    # Given a salesperson, and tomorrow at 10:00 written without a time zone
    client = client_as(user_in(Role.SALESPERSON))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = {"title": "试驾", "starts_at": f"{tomorrow}T10:00:00", "ends_at": f"{tomorrow}T11:00"}
    # When they book it through the API
    response = _post(client, "/api/v1/appointments", body)
    # Then it is booked at 10:00 Beijing time (02:00 UTC), not a server error
    assert response.status_code == 201, response.content
    booked = Appointment.objects.get()
    assert timezone.localtime(booked.starts_at).isoformat() == f"{tomorrow}T10:00:00+08:00"
    assert booked.starts_at.astimezone(datetime.UTC).hour == 2
