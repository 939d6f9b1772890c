"""Writes to the calendar: book, change or move, complete, cancel; and the overlap rule.

A booking may not start in the past (beyond clock drift) when it is made or moved, and must end
after it starts; a time without an offset is local time. A new or moved booking that overlaps
the owner's other planned bookings, or the planned bookings of the same vehicle (a test-drive
car), is refused with the list of conflicts (``BookingOverlap``) unless the person confirmed it
(``allow_overlap``): the API's flag books over any overlap; the pages confirm the bookings they
showed, so a booking changed after the warning into other overlaps is warned about again.
Intervals are half-open: a booking ending at 10:00 and one starting at 10:00 do not overlap.
"""

from __future__ import annotations

import datetime
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.accounts.models import User
from autocrm.activities.choices import AppointmentStatus
from autocrm.activities.clock import local_if_naive
from autocrm.activities.models import Appointment
from autocrm.activities.permissions import may_plan, may_plan_for
from autocrm.core import audit
from autocrm.core.errors import ApplicationError, ErrorCode, PermissionDenied, StaleRecord
from autocrm.vehicles.models import Vehicle

# Clocks of phones and PCs drift; a booking a few minutes ago is still "now".
PAST_TOLERANCE = datetime.timedelta(minutes=5)

EDITABLE_FIELDS = (
    "kind",
    "title",
    "owner",
    "customer",
    "vehicle",
    "starts_at",
    "ends_at",
    "location",
    "notes",
)
TEXT_FIELDS = ("location", "notes")
TIME_FIELDS = ("starts_at", "ends_at")


@dataclass(frozen=True)
class Conflict:
    """A planned booking a new one would overlap, and why: the same person or the same car."""

    appointment: Appointment
    reason: str  # "owner" or "vehicle"

    def as_dict(self) -> dict[str, Any]:
        appointment = self.appointment
        return {
            "id": appointment.pk,
            "reason": self.reason,
            "title": appointment.title,
            "owner": str(appointment.owner),
            "starts_at": appointment.starts_at.isoformat(),
            "ends_at": appointment.ends_at.isoformat(),
        }


class BookingOverlap(ApplicationError):
    """The booking overlaps others; ``details`` lists them. Confirming books it anyway."""

    code = ErrorCode.CONFLICT
    status = 409
    default_message = gettext_lazy(
        "This booking overlaps other bookings of the same person or vehicle. "
        "Confirm to book it anyway."
    )

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__(details={"conflicts": [conflict.as_dict() for conflict in conflicts]})


class AppointmentClosed(ApplicationError):
    code = ErrorCode.CONFLICT
    status = 409
    default_message = gettext_lazy(
        "This booking is already done or cancelled; nothing was changed."
    )


def find_overlaps(
    *,
    owner_id: int,
    vehicle_id: int | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    exclude_id: int | None = None,
) -> list[Conflict]:
    """The planned bookings that overlap [starts_at, ends_at) for the same owner or the same
    vehicle, in time order; a booking that conflicts on both counts once, as the owner's."""
    same = Q(owner_id=owner_id)
    if vehicle_id is not None:
        same |= Q(vehicle_id=vehicle_id)
    rows = (
        Appointment.objects.filter(same, status=AppointmentStatus.PLANNED)
        .filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("owner")
        .order_by("starts_at", "id")
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return [Conflict(row, "owner" if row.owner_id == owner_id else "vehicle") for row in rows]


def check_not_in_past(starts_at: datetime.datetime) -> None:
    """Refuse a start in the past (beyond clock drift). The forms check with it too."""
    if starts_at < timezone.now() - PAST_TOLERANCE:
        raise ValidationError({"starts_at": _("A booking cannot start in the past.")}, code="past")


def _validate(appointment: Appointment) -> None:
    if (
        appointment.starts_at is not None
        and appointment.ends_at is not None
        and appointment.ends_at <= appointment.starts_at
    ):
        raise ValidationError({"ends_at": _("A booking must end after it starts.")}, code="order")
    appointment.full_clean()


def _serialise_bookings(owner_id: int, vehicle_id: int | None) -> None:
    """Lock the owner's (and the car's) row for the rest of the transaction, so two bookings
    made at the same moment for the same person or car are checked one after the other."""
    list(User.objects.select_for_update().filter(pk=owner_id).values_list("pk"))
    if vehicle_id is not None:
        list(Vehicle.objects.select_for_update().filter(pk=vehicle_id).values_list("pk"))


OverlapConfirmation = bool | AbstractSet[int]


def _check_overlaps(appointment: Appointment, allow_overlap: OverlapConfirmation) -> None:
    _serialise_bookings(appointment.owner_id, appointment.vehicle_id)
    conflicts = find_overlaps(
        owner_id=appointment.owner_id,
        vehicle_id=appointment.vehicle_id,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        exclude_id=appointment.pk,
    )
    if not conflicts or allow_overlap is True:
        return
    confirmed = allow_overlap or frozenset()
    if not {conflict.appointment.pk for conflict in conflicts} <= confirmed:
        raise BookingOverlap(conflicts)


def _check_owner(actor: Any, appointment: Appointment) -> None:
    if not may_plan_for(actor, appointment.owner):
        raise ValidationError(
            {"owner": _("You may not book in this person's calendar.")}, code="owner"
        )


def _values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    for name in TEXT_FIELDS:
        if name in values and values[name] is None:
            values[name] = ""
    for name in TIME_FIELDS:
        if name in values:
            values[name] = local_if_naive(values[name])
    return values


@transaction.atomic
def appointment_book(
    *, actor: Any, data: dict[str, Any], allow_overlap: OverlapConfirmation = False
) -> Appointment:
    """Book a time in a calendar. ``owner`` defaults to the actor (someone else only when the
    actor's role plans for others and the person is in their scope); the dealer is the
    owner's. The customer and vehicle in ``data`` were fetched within the actor's scope.
    Refuses a start in the past, an end before the start, and overlaps unless allowed:
    ``allow_overlap`` is True for any overlap, or the ids of the bookings the person confirmed
    overlapping (any other overlap is still refused)."""
    if not may_plan(actor):
        raise PermissionDenied
    values = _values(data)
    if values.get("owner") is None:
        values["owner"] = actor
    appointment = Appointment(created_by=actor, **values)
    appointment.dealer_id = appointment.owner.dealer_id
    _validate(appointment)
    check_not_in_past(appointment.starts_at)
    _check_owner(actor, appointment)
    _check_overlaps(appointment, allow_overlap)
    appointment.save()
    audit.record_creation(appointment, actor=actor)
    return appointment


def _locked(appointment: Appointment, expected_version: int | None) -> Appointment:
    locked = Appointment.objects.select_for_update().select_related("owner").get(pk=appointment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    if locked.status != AppointmentStatus.PLANNED:
        raise AppointmentClosed
    return locked


@transaction.atomic
def appointment_update(
    *,
    actor: Any,
    appointment: Appointment,
    data: dict[str, Any],
    expected_version: int | None = None,
    allow_overlap: OverlapConfirmation = False,
) -> Appointment:
    """Change or move a planned booking. With ``expected_version``, a change based on an old
    copy is refused (``StaleRecord``): two people moving the same booking, the second is told.
    A move is checked like a new booking (not into the past, overlaps)."""
    if not may_plan(actor):
        raise PermissionDenied
    locked = _locked(appointment, expected_version)
    before = audit.snapshot(locked)
    for name, value in _values(data).items():
        setattr(locked, name, value)
    if locked.owner_id != before["owner"]:
        _check_owner(actor, locked)
        locked.dealer_id = locked.owner.dealer_id
    _validate(locked)
    if audit.snapshot(locked) == before:
        return locked
    if locked.starts_at != before["starts_at"]:
        check_not_in_past(locked.starts_at)
    _check_overlaps(locked, allow_overlap)
    locked.version += 1
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


def _close(
    actor: Any, appointment: Appointment, status: str, expected_version: int | None
) -> Appointment:
    if not may_plan(actor):
        raise PermissionDenied
    locked = _locked(appointment, expected_version)
    before = audit.snapshot(locked)
    locked.status = status
    locked.version += 1
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


@transaction.atomic
def appointment_cancel(
    *, actor: Any, appointment: Appointment, expected_version: int | None = None
) -> Appointment:
    """Cancel a planned booking; it leaves the calendar feed and no longer blocks its time."""
    return _close(actor, appointment, AppointmentStatus.CANCELLED, expected_version)


@transaction.atomic
def appointment_complete(
    *, actor: Any, appointment: Appointment, expected_version: int | None = None
) -> Appointment:
    """Mark a planned booking as done (it took place)."""
    return _close(actor, appointment, AppointmentStatus.DONE, expected_version)
