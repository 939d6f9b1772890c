"""The personal iCalendar feed (RFC 5545) that calendar clients subscribe to, and its token.

The feed's address carries a secret token; only its SHA-256 hash is stored (like API tokens),
so the address is shown once, when it is made. Making a new one revokes the old one: clients
subscribed with it get "not found" from then on.

The ``icalendar`` package writes the text: line folding at 75 octets (never inside a UTF-8
character), escaping of ``,`` ``;`` ``\\`` and newlines, CRLF line ends. Times are UTC
(``DTSTART:20260301T020000Z``), so the feed needs no VTIMEZONE.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import icalendar
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.models import User, hash_token
from autocrm.activities.choices import AppointmentStatus
from autocrm.activities.models import Appointment, CalendarFeedToken

FEED_PAST = datetime.timedelta(days=30)
FEED_FUTURE = datetime.timedelta(days=180)
PRODUCT_ID = "-//autocrm//calendar//ZH"
# UIDs must be globally unique and stable: the booking's id at this product's domain.
UID_DOMAIN = "autocrm.calendar"


@transaction.atomic
def feed_token_regenerate(*, user: Any) -> str:
    """Revoke the user's feed token, if any, and make a new one; returns the raw token, which
    is not stored and cannot be shown again."""
    now = timezone.now()
    CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.create(user=user, key_hash=hash_token(raw))
    return raw


def feed_token_revoke(*, user: Any) -> int:
    """Revoke the user's feed token: the address stops working. Returns how many were active."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def active_feed_token(user: Any) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_user(raw_token: str) -> User | None:
    """The active user whose active token this is, or None."""
    if not raw_token or len(raw_token) > 100:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None


def feed_appointments(user: Any, now: datetime.datetime) -> list[Appointment]:
    """The user's bookings from 30 days ago to 180 days ahead, cancelled ones left out (a done
    booking stays in the person's calendar as the record of what took place)."""
    return list(
        Appointment.objects.filter(
            owner_id=user.pk,
            starts_at__lt=now + FEED_FUTURE,
            ends_at__gt=now - FEED_PAST,
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("customer", "vehicle")
        .order_by("starts_at", "id")
    )


def _description(appointment: Appointment) -> str:
    lines = []
    if appointment.customer_id is not None:
        lines.append(_("Customer: %(name)s") % {"name": appointment.customer})
    if appointment.vehicle_id is not None:
        lines.append(_("Vehicle: %(vin)s") % {"vin": appointment.vehicle.vin})  # type: ignore[union-attr]
    if appointment.notes:
        lines.append(appointment.notes)
    return "\n".join(lines)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def build_feed(user: Any, now: datetime.datetime | None = None) -> bytes:
    """The user's calendar as an iCalendar document: one VEVENT per booking in the window, with
    a UID stable per booking and ``SEQUENCE`` = the booking's version."""
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("%(name)s · autocrm") % {"name": user})
    stamp = _utc(now)
    for appointment in feed_appointments(user, now):
        event = icalendar.Event()
        event.add("uid", f"appointment-{appointment.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(appointment.starts_at))
        event.add("dtend", _utc(appointment.ends_at))
        event.add("last-modified", _utc(appointment.updated_at))
        event.add("summary", appointment.title)
        if appointment.location:
            event.add("location", appointment.location)
        description = _description(appointment)
        if description:
            event.add("description", description)
        event.add("status", "CONFIRMED")
        event.add("sequence", appointment.version)
        event.add("categories", [appointment.get_kind_display()])
        calendar.add_component(event)
    return bytes(calendar.to_ical())
