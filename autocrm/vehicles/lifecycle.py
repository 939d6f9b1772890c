"""A vehicle's lifecycle timeline: events recorded one at a time by people, or posted in bulk by
factory and logistics systems by VIN or production number.

Bulk posting is set-based (one query resolves every VIN and production number, one finds the
events already recorded, one inserts), idempotent through ``(source, external_id)``, and answers
per item, also when two requests carry the same event at the same time: the one that inserts
second answers "duplicate" for it. A vehicle's status follows ``STATUS_AFTER_EVENT`` for its
newest event only, so a late "built" message never moves a sold car back to production; an
"arrived" event naming a dealer hands the vehicle to that dealer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.core.channels import current_channel
from autocrm.core.errors import PermissionDenied
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.network.models import Dealer
from autocrm.vehicles import permissions
from autocrm.vehicles.choices import STATUS_AFTER_EVENT, EventKind
from autocrm.vehicles.models import Vehicle, VehicleEvent
from autocrm.vehicles.vin import clean_vin

# The most events one bulk request may carry; larger feeds send several requests.
MAX_BULK_EVENTS = 1000
# Clocks of sending systems drift; an event further ahead than this is a wrong timestamp.
FUTURE_TOLERANCE = datetime.timedelta(hours=1)

# Sent by ``insert_events`` inside its transaction, after the events are inserted and the
# vehicles' statuses moved, with ``vehicle_ids`` (a list): apps keeping a cache derived from a
# vehicle's road (the orders app's item and order statuses) refresh it.
vehicle_events_recorded = Signal()


class Outcome:
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass
class EventItem:
    """One event as a sending system posts it: the vehicle by VIN or by production number."""

    kind: str
    occurred_at: datetime.datetime
    external_id: str
    vin: str = ""
    production_number: str = ""
    location: str = ""
    dealer_code: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventResult:
    index: int
    outcome: str
    event_id: int | None = None
    vehicle_id: int | None = None
    message: str = ""


def _bulk_audit(rows: list[tuple[Any, str, dict[str, Any]]], *, actor: Any) -> None:
    """Audit entries for many records in one insert: (record, action, changes)."""
    if not rows:
        return
    channel = current_channel()
    user = actor if getattr(actor, "pk", None) else None
    content_types: dict[type, ContentType] = {}
    entries = []
    for record, action, changes in rows:
        model = type(record)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model)
        entries.append(
            AuditEntry(
                content_type=content_types[model],
                object_id=str(record.pk),
                object_repr=str(record)[:255],
                action=action,
                actor=user,
                channel=channel,
                changes=changes,
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=500)


def _created_changes(event: VehicleEvent) -> dict[str, Any]:
    return {name: [None, value] for name, value in audit.snapshot(event).items() if value}


def insert_events(*, actor: Any, events: list[VehicleEvent]) -> list[VehicleEvent]:
    """Insert validated events and move each vehicle's status (and, on arrival, its dealer) on
    when an event is its newest. Precondition: inside a transaction, with the events' vehicles
    locked (``select_for_update``) and passed as the events' ``vehicle`` objects."""
    if not events:
        return []
    vehicles = {event.vehicle_id: event.vehicle for event in events}
    latest = {
        row["vehicle_id"]: row
        for row in VehicleEvent.objects.filter(vehicle_id__in=vehicles)
        .values("vehicle_id")
        .annotate(
            newest=Max("occurred_at"),
            newest_arrival=Max("occurred_at", filter=Q(kind=EventKind.ARRIVED)),
        )
    }
    VehicleEvent.objects.bulk_create(events, batch_size=500)
    audit_rows: list[tuple[Any, str, dict[str, Any]]] = [
        (event, AuditAction.CREATE, _created_changes(event)) for event in events
    ]
    changed = []
    now = timezone.now()
    for vehicle_id, vehicle in vehicles.items():
        own = [event for event in events if event.vehicle_id == vehicle_id]
        known = latest.get(vehicle_id, {})
        before = audit.snapshot(vehicle)
        newest = max(own, key=lambda event: event.occurred_at)
        if known.get("newest") is None or newest.occurred_at >= known["newest"]:
            vehicle.status = STATUS_AFTER_EVENT[EventKind(newest.kind)]
        arrivals = [e for e in own if e.kind == EventKind.ARRIVED and e.dealer_id is not None]
        if arrivals:
            arrival = max(arrivals, key=lambda event: event.occurred_at)
            known_arrival = known.get("newest_arrival")
            if known_arrival is None or arrival.occurred_at >= known_arrival:
                vehicle.dealer = arrival.dealer
        after = audit.snapshot(vehicle)
        if after != before:
            vehicle.version += 1
            vehicle.updated_at = now
            changed.append(vehicle)
            differences = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            audit_rows.append((vehicle, AuditAction.UPDATE, differences))
    if changed:
        Vehicle.objects.bulk_update(
            changed, ["status", "dealer", "version", "updated_at"], batch_size=500
        )
    _bulk_audit(audit_rows, actor=actor)
    vehicle_events_recorded.send(sender=VehicleEvent, vehicle_ids=list(vehicles))
    return events


def _check_moment(occurred_at: datetime.datetime) -> str:
    if timezone.is_naive(occurred_at):
        return _("Give the time with its time zone, e.g. 2026-03-01T08:30:00+08:00.")
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        return _("This time is in the future.")
    return ""


@transaction.atomic
def event_record(
    *,
    actor: Any,
    vehicle: Vehicle,
    kind: str,
    occurred_at: datetime.datetime,
    source: str = "autocrm",
    external_id: str | None = None,
    location: str = "",
    dealer: Dealer | None = None,
    details: dict[str, Any] | None = None,
) -> VehicleEvent:
    """Record one lifecycle event (administrators); see ``insert_events`` for its effects."""
    if not permissions.may_edit_vehicles(actor):
        raise PermissionDenied
    if kind not in EventKind.values:
        raise ValidationError({"kind": _("Select one of the allowed values.")})
    problem = _check_moment(occurred_at)
    if problem:
        raise ValidationError({"occurred_at": problem})
    if external_id and VehicleEvent.objects.filter(source=source, external_id=external_id).exists():
        raise ValidationError(
            {"external_id": _("This event (%(id)s) is already recorded.") % {"id": external_id}}
        )
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    event = VehicleEvent(
        vehicle=locked,
        kind=kind,
        occurred_at=occurred_at,
        source=source,
        external_id=external_id or None,
        location=location,
        dealer=dealer,
        details=details or {},
    )
    event.full_clean(validate_unique=False)
    insert_events(actor=actor, events=[event])
    return event


def _item_problem(item: EventItem) -> str:
    if item.kind not in EventKind.values:
        return _("Unknown event kind “%(kind)s”.") % {"kind": item.kind}
    if not item.external_id.strip():
        return _("Give the event's external id, so that posting it again records it once.")
    if len(item.external_id) > 100 or len(item.location) > 100:
        return _("The external id and the location have at most 100 characters.")
    if bool(item.vin.strip()) == bool(item.production_number.strip()):
        return _("Give either the VIN or the production number of the vehicle.")
    return _check_moment(item.occurred_at)


@transaction.atomic
def events_record_bulk(*, actor: Any, source: str, items: list[EventItem]) -> list[EventResult]:
    """Record many events from one sending system (administrators and system accounts).

    Each item is recorded, recognised as a duplicate of one already recorded (same source and
    external id, also within the batch or by a request running at the same time), or refused
    with its reason (unknown VIN, unknown dealer code, ...); refused items do not stop the
    others."""
    if not permissions.may_edit_vehicles(actor):
        raise PermissionDenied
    source = source.strip()
    if not source or len(source) > 50:
        raise ValidationError(
            {"source": _("Name the system that sends these events (at most 50 characters).")}
        )
    if len(items) > MAX_BULK_EVENTS:
        raise ValidationError(
            {"events": _("Send at most %(limit)s events at a time.") % {"limit": MAX_BULK_EVENTS}}
        )
    results, pending = _plan(source, items)
    _insert_pending(actor=actor, source=source, pending=pending)
    return results


Pending = list[tuple[EventResult, VehicleEvent]]


def _plan(source: str, items: list[EventItem]) -> tuple[list[EventResult], Pending]:
    """Answer every item that is refused or already recorded, and build the events to insert
    (their vehicles locked, in id order so that two batches never wait on each other)."""
    vins = {clean_vin(item.vin) for item in items if item.vin.strip()}
    numbers = {item.production_number.strip() for item in items if item.production_number.strip()}
    vehicles = list(
        Vehicle.objects.select_for_update()
        .filter(Q(vin__in=vins) | Q(production_number__in=numbers))
        .order_by("pk")
    )
    by_vin = {vehicle.vin: vehicle for vehicle in vehicles}
    by_number = {v.production_number: v for v in vehicles if v.production_number}
    codes = {item.dealer_code.strip() for item in items if item.dealer_code.strip()}
    dealers = {dealer.code: dealer for dealer in Dealer.objects.filter(code__in=codes)}
    external_ids = {item.external_id.strip() for item in items}
    recorded = set(
        VehicleEvent.objects.filter(source=source, external_id__in=external_ids).values_list(
            "external_id", flat=True
        )
    )

    results: list[EventResult] = []
    pending: Pending = []
    for index, item in enumerate(items):
        result = EventResult(index=index, outcome=Outcome.ERROR)
        results.append(result)
        problem = _item_problem(item)
        if problem:
            result.message = problem
            continue
        external_id = item.external_id.strip()
        if external_id in recorded:
            result.outcome = Outcome.DUPLICATE
            continue
        if item.vin.strip():
            vehicle = by_vin.get(clean_vin(item.vin))
            unknown = _("No vehicle with VIN %(vin)s.") % {"vin": clean_vin(item.vin)}
        else:
            vehicle = by_number.get(item.production_number.strip())
            unknown = _("No vehicle with production number %(number)s.") % {
                "number": item.production_number.strip()
            }
        if vehicle is None:
            result.message = unknown
            continue
        dealer = None
        if item.dealer_code.strip():
            dealer = dealers.get(item.dealer_code.strip())
            if dealer is None:
                result.message = _("No dealer with code %(code)s.") % {"code": item.dealer_code}
                continue
        recorded.add(external_id)
        result.vehicle_id = vehicle.pk
        event = VehicleEvent(
            vehicle=vehicle,
            kind=item.kind,
            occurred_at=item.occurred_at,
            location=item.location.strip(),
            dealer=dealer,
            source=source,
            external_id=external_id,
            details=item.details or {},
        )
        pending.append((result, event))
    return results, pending


def _insert_pending(*, actor: Any, source: str, pending: Pending) -> None:
    """Insert the planned events and mark them recorded.

    Another request may record one of them between ``_plan``'s look-up and this insert (both
    looked before either wrote). The unique constraint on ``(source, external_id)`` then refuses
    the insert (PostgreSQL first waits for the other transaction to end); the insert is undone
    to a savepoint, the events now recorded become duplicates, and the rest is inserted again,
    so one late item never fails the whole batch."""
    while pending:
        try:
            with transaction.atomic():
                insert_events(actor=actor, events=[event for _result, event in pending])
            break
        except IntegrityError:
            wanted = [event.external_id for _result, event in pending]
            taken = set(
                VehicleEvent.objects.filter(source=source, external_id__in=wanted).values_list(
                    "external_id", flat=True
                )
            )
            if not taken:
                raise
            for result, event in pending:
                # The undone insert may have numbered some of them already.
                event.pk = None
                event._state.adding = True
                if event.external_id in taken:
                    result.outcome, result.vehicle_id = Outcome.DUPLICATE, None
            pending = [(r, e) for r, e in pending if e.external_id not in taken]
    for result, event in pending:
        result.outcome = Outcome.RECORDED
        result.event_id = event.pk
