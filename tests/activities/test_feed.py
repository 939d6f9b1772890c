# Chinese test text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""The iCalendar feed: parsed by ``icalendar`` as a client would, with stable UIDs, UTC times,
escaping and folding of long Chinese text, the window, and token regeneration and revocation."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.activities.feed import feed_token_regenerate, feed_token_revoke
from autocrm.activities.models import CalendarFeedToken
from tests.activities.factories import AppointmentFactory, in_hours

LONG_NOTES = "客户希望试驾时带上家人，关心后排空间；请准备儿童座椅、充电桩说明和金融方案。" * 3


def _feed(client: Any, token: str) -> Any:
    response = client.get(reverse("activities:calendar_feed", args=[token]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def test_the_feed_lists_the_persons_bookings_as_events(user_in: Any, client: Any) -> None:
    salesperson = user_in(Role.SALESPERSON, display_name="王销售")
    booking = AppointmentFactory(
        owner=salesperson,
        title="试驾, 新款; 轿车\\SUV",
        location="上海浦东4S店 展厅",
        notes=LONG_NOTES,
        starts_at=in_hours(48),
        ends_at=in_hours(49.5),
        version=3,
    )
    AppointmentFactory(owner=salesperson, starts_at=in_hours(24 * 200))  # beyond 180 days
    AppointmentFactory(owner=salesperson, starts_at=in_hours(-24 * 40))  # before 30 days
    AppointmentFactory(owner=salesperson, starts_at=in_hours(5), status="cancelled")
    AppointmentFactory(owner=user_in(Role.SALESPERSON), starts_at=in_hours(5))  # someone else's
    token = feed_token_regenerate(user=salesperson)

    body = _feed(client, token).content
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")

    assert calendar["PRODID"] == "-//autocrm//calendar//ZH"
    assert calendar["VERSION"] == "2.0"
    assert "王销售" in str(calendar["X-WR-CALNAME"])
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"appointment-{booking.pk}@autocrm.calendar"
    assert str(event["SUMMARY"]) == "试驾, 新款; 轿车\\SUV"
    assert str(event["LOCATION"]) == "上海浦东4S店 展厅"
    assert str(event["DESCRIPTION"]) == LONG_NOTES
    assert event["SEQUENCE"] == 3
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == booking.starts_at
    assert event.decoded("DTEND") == booking.ends_at
    assert "DTSTAMP" in event
    # the raw text: UTC times, escaped separators, CRLF lines of at most 75 octets
    text = body.decode()
    assert f"DTSTART:{booking.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%S}Z" in text
    assert "SUMMARY:试驾\\, 新款\\; 轿车\\\\SUV" in text
    assert "VTIMEZONE" not in text
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded
    for line in lines:
        line.decode()  # folding never splits a UTF-8 character


def test_the_uid_stays_and_the_sequence_grows_when_a_booking_moves(
    user_in: Any, client: Any
) -> None:
    salesperson = user_in(Role.SALESPERSON)
    booking = AppointmentFactory(owner=salesperson, starts_at=in_hours(5))
    token = feed_token_regenerate(user=salesperson)
    before = icalendar.Calendar.from_ical(_feed(client, token).content).walk("VEVENT")[0]
    from autocrm.activities.appointments import appointment_update

    appointment_update(
        actor=salesperson,
        appointment=booking,
        data={"starts_at": in_hours(7), "ends_at": in_hours(8)},
    )
    after = icalendar.Calendar.from_ical(_feed(client, token).content).walk("VEVENT")[0]
    assert str(after["UID"]) == str(before["UID"])
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (1, 2)


def test_a_regenerated_or_revoked_token_stops_working(user_in: Any, client: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    old = feed_token_regenerate(user=salesperson)
    new = feed_token_regenerate(user=salesperson)
    assert client.get(reverse("activities:calendar_feed", args=[old])).status_code == 404
    _feed(client, new)
    # only the hash is stored
    assert not CalendarFeedToken.objects.filter(key_hash__in=[old, new]).exists()
    feed_token_revoke(user=salesperson)
    assert client.get(reverse("activities:calendar_feed", args=[new])).status_code == 404
    assert client.get(reverse("activities:calendar_feed", args=["guess"])).status_code == 404


def test_a_deactivated_users_feed_is_gone(user_in: Any, client: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    token = feed_token_regenerate(user=salesperson)
    salesperson.is_active = False
    salesperson.save()
    assert client.get(reverse("activities:calendar_feed", args=[token])).status_code == 404


def test_the_calendar_page_shows_a_new_feed_address_once(user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    response = client.post(reverse("activities:calendar_feed_token"), {"action": "regenerate"})
    url = response.context["new_feed_url"]
    assert url.startswith("http://testserver/activities/calendar/") and url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    _feed(client, token)
    page = client.get(reverse("activities:calendar")).content.decode()
    assert token not in page
    assert 'data-testid="feed-active"' in page
