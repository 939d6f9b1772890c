"""A salesperson's day: they open "my day" from the menu, finish a task with one click, book a
test drive for a customer, are warned when a second booking of the same car overlaps it (and
leave without booking), then book another car over their own busy time with "book anyway"."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from autocrm.accounts.choices import Role
from autocrm.activities.models import Appointment, Task
from tests.activities.factories import TaskFactory
from tests.browser.support import assert_not_reloaded, chinese, log_in, mark_page
from tests.factories import CustomerFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local_input(day: datetime.date, hour: int, minute: int = 0) -> str:
    """A time as the browser's datetime-local field takes it (local time, to the minute)."""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def _book_test_drive(
    page: Any, customer: Any, *, title: str, vin: str, starts: str, ends: str
) -> None:
    """From the customer's page, "Book a test drive", fill the form and save it."""
    page.goto(f"/customers/{customer.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=customer-book-test-drive]")
    form = page.locator("[data-testid=appointment-form]")
    expect(form.locator("select[name=kind]")).to_have_value("test_drive")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=starts_at]").fill(starts)
    form.locator("input[name=ends_at]").fill(ends)
    form.locator("input[name=vehicle]").fill(vin)
    with page.expect_navigation():
        form.locator("[data-testid=book-save]").click()


def test_salesperson_works_through_the_day_and_books_test_drives(
    page: Any, live_server: Any, network: dict[str, Any], user_in: Any
) -> None:
    # Given a salesperson with two tasks due today, a customer, and two of the dealer's cars
    dealer = network["east_dealer"]
    salesperson = user_in(Role.SALESPERSON, display_name="李晓明")
    customer = CustomerFactory(name="张三丰", dealers=[dealer])
    first_car = VehicleFactory(dealer=dealer)
    second_car = VehicleFactory(dealer=dealer)
    call = TaskFactory(assignee=salesperson, title="回访张三丰", priority=1)
    TaskFactory(assignee=salesperson, title="准备报价单", priority=2)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    rows = page.locator("[data-testid=task-row]")

    # When they log in and open "my day" from the menu
    log_in(page, salesperson.username)
    page.locator("[data-testid=main-menu] .nav-link", has_text=chinese("My work")).click()
    with page.expect_navigation():
        page.locator("[data-testid=main-menu] .dropdown-item", has_text=chinese("My day")).click()

    # Then they see both tasks, the high-priority call first
    expect(page).to_have_url(re.compile(r"/activities/my-day/$"))
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("回访张三丰")

    # When they click "Done" on the call
    mark_page(page)
    rows.first.locator("[data-testid=task-done]").click()

    # Then it leaves the list (a one-line notice says it is done), without a page load
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("准备报价单")
    expect(page.locator("[data-testid=task-done-notice]")).to_contain_text("回访张三丰")
    assert_not_reloaded(page)
    call.refresh_from_db()
    assert (call.status, call.completed_by_id) == ("done", salesperson.pk)

    # When they book a test drive of the first car for the customer tomorrow at 10:00
    _book_test_drive(
        page,
        customer,
        title="张三丰试驾",
        vin=first_car.vin,
        starts=_local_input(tomorrow, 10),
        ends=_local_input(tomorrow, 11),
    )

    # Then the calendar shows it in its week
    expect(page).to_have_url(re.compile(r"/activities/calendar/\?week="))
    expect(page.locator("[data-testid=booking]")).to_have_count(1)
    expect(page.locator("[data-testid=booking]")).to_contain_text("张三丰试驾")

    # When they book the same car again, overlapping (10:30-11:30)
    _book_test_drive(
        page,
        customer,
        title="张三丰复试",
        vin=first_car.vin[-6:],
        starts=_local_input(tomorrow, 10, 30),
        ends=_local_input(tomorrow, 11, 30),
    )

    # Then they are warned, with the first booking listed, and nothing is booked yet
    warning = page.locator("[data-testid=overlap-warning]")
    expect(warning).to_be_visible()
    expect(page.locator("[data-testid=overlap-conflict]")).to_have_count(1)
    expect(page.locator("[data-testid=overlap-conflict]")).to_contain_text("张三丰试驾")
    expect(page.locator("[data-testid=overlap-conflict]")).to_contain_text(
        f"{tomorrow.isoformat()} 10:00"
    )
    expect(page.locator("[data-testid=book-anyway]")).to_be_visible()
    assert list(Appointment.objects.values_list("title", flat=True)) == ["张三丰试驾"]

    # When they do not confirm, but go back to the calendar
    with page.expect_navigation():
        page.click("text=" + chinese("Back to the calendar"))

    # Then the second booking was never made
    assert Appointment.objects.count() == 1

    # When they book the second car at 10:30 instead, over their own first booking
    _book_test_drive(
        page,
        customer,
        title="张三丰试驾二号车",
        vin=second_car.vin,
        starts=_local_input(tomorrow, 10, 30),
        ends=_local_input(tomorrow, 11, 30),
    )

    # Then they are told they are busy then, and "book anyway" books it
    expect(page.locator("[data-testid=overlap-conflict]")).to_contain_text("张三丰试驾")
    with page.expect_navigation():
        page.click("[data-testid=book-anyway]")
    expect(page.locator("[data-testid=booking]")).to_have_count(2)
    expect(page.locator("[data-testid=messages]")).to_contain_text("张三丰试驾二号车")
    booked = Appointment.objects.get(title="张三丰试驾二号车")
    assert (booked.vehicle_id, booked.customer_id, booked.kind) == (
        second_car.pk,
        customer.pk,
        "test_drive",
    )
    assert Task.objects.filter(assignee=salesperson, status="open").count() == 1
