"""The OEM's side of an order: confirming it with an expected delivery date, and allocating
each ordered car its production number and VIN (which creates the vehicle, in production, held
by the ordering dealer). One car at a time from the page, many at a time from the OEM's
systems (``allocations_record_bulk``, an answer per item)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.core.errors import PermissionDenied
from autocrm.orders import permissions, tracing
from autocrm.orders.choices import ItemStatus, OrderStatus
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.orders.services.orders import lock_order
from autocrm.vehicles import services as vehicle_services
from autocrm.vehicles.choices import VehicleStatus
from autocrm.vehicles.models import Vehicle

# The most cars one bulk allocation may carry.
MAX_BULK_ALLOCATIONS = 500


def _require_allocator(actor: Any) -> None:
    if not permissions.may_allocate(actor):
        raise PermissionDenied


def _refuse_closed(order: VehicleOrder) -> None:
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError({"order": _("This order is cancelled.")})
    if order.status == OrderStatus.DELIVERED:
        raise ValidationError({"order": _("This order is already delivered.")})


def _check_expected(expected_delivery: datetime.date | None, field: str) -> None:
    if expected_delivery is not None and expected_delivery < timezone.localdate():
        raise ValidationError({field: _("The expected delivery date is in the past.")})


def _confirm(*, actor: Any, order: VehicleOrder, expected_delivery: datetime.date | None) -> None:
    """Confirm a locked, submitted order (no checks)."""
    before = audit.snapshot(order)
    order.confirmed_at = order.confirmed_at or timezone.now()
    if order.status == OrderStatus.SUBMITTED:
        order.status = OrderStatus.CONFIRMED
    if expected_delivery is not None:
        order.expected_delivery = expected_delivery
    order.version += 1
    order.save(
        update_fields=["confirmed_at", "status", "expected_delivery", "version", "updated_at"]
    )
    audit.record_change(order, before, actor=actor)


@transaction.atomic
def vehicle_order_confirm(
    *,
    actor: Any,
    order: VehicleOrder,
    expected_delivery: datetime.date | None = None,
    expected_version: int | None = None,
) -> VehicleOrder:
    """The OEM confirms the order and (optionally) when the cars are expected at the dealer.
    Confirming again only moves the expected date."""
    _require_allocator(actor)
    locked = lock_order(order, expected_version)
    _refuse_closed(locked)
    _check_expected(expected_delivery, "expected_delivery")
    _confirm(actor=actor, order=locked, expected_delivery=expected_delivery)
    return locked


def _allocate(
    *,
    actor: Any,
    order: VehicleOrder,
    item: VehicleOrderItem,
    vin: str,
    production_number: str,
    expected_delivery: datetime.date | None,
    production_date: datetime.date | None = None,
    plant: str = "",
) -> VehicleOrderItem:
    """Allocate a car to a locked item of a locked order."""
    production_number = (production_number or "").strip()
    if not production_number:
        raise ValidationError({"production_number": _("Give the car's production number.")})
    if item.vehicle_id is not None:
        raise ValidationError(
            {
                "line": _("Car %(line)s of this order already has VIN %(vin)s.")
                % {"line": item.line, "vin": item.vehicle.vin}  # type: ignore[union-attr]
            }
        )
    if item.status == ItemStatus.CANCELLED:
        raise ValidationError({"line": _("This car of the order is cancelled.")})
    taken = (
        VehicleOrderItem.objects.filter(production_number=production_number).exists()
        or Vehicle.objects.filter(production_number=production_number).exists()
    )
    if taken:
        raise ValidationError(
            {
                "production_number": _("Production number %(number)s is already allocated.")
                % {"number": production_number}
            }
        )
    _check_expected(expected_delivery, "expected_delivery")
    vehicle = vehicle_services.vehicle_create(
        actor=actor,
        data={
            "vin": vin,
            "model": order.vehicle_model,
            "colour": order.colour,
            "production_number": production_number,
            "production_date": production_date,
            "plant": (plant or "").strip(),
            "status": VehicleStatus.IN_PRODUCTION,
            "dealer": order.dealer,
        },
    )
    before = audit.snapshot(item)
    item.vehicle = vehicle
    item.production_number = production_number
    item.expected_delivery = expected_delivery or item.expected_delivery
    item.allocated_at = timezone.now()
    item.status = ItemStatus.ON_THE_LINE
    item.version += 1
    item.full_clean(validate_unique=False)
    item.save()
    audit.record_change(item, before, actor=actor)
    if order.confirmed_at is None:
        _confirm(actor=actor, order=order, expected_delivery=None)
    return item


def _free_item(order: VehicleOrder, line: int | None) -> VehicleOrderItem:
    items = VehicleOrderItem.objects.select_for_update(of=("self",)).filter(order=order)
    if line is not None:
        item = items.select_related("vehicle").filter(line=line).first()
        if item is None:
            raise ValidationError({"line": _("This order has no car %(line)s.") % {"line": line}})
        return item
    item = items.filter(vehicle__isnull=True).exclude(status=ItemStatus.CANCELLED).first()
    if item is None:
        raise ValidationError({"line": _("Every car of this order already has a VIN.")})
    return item


@transaction.atomic
def order_item_allocate(
    *,
    actor: Any,
    order: VehicleOrder,
    vin: str,
    production_number: str,
    line: int | None = None,
    expected_delivery: datetime.date | None = None,
    production_date: datetime.date | None = None,
    plant: str = "",
) -> VehicleOrderItem:
    """Allocate one car of ``order`` (car ``line``, or the first without a VIN) its production
    number and VIN: the vehicle is created (VIN rules, unique VIN and production number), in
    production, held by the ordering dealer; an unconfirmed order becomes confirmed."""
    _require_allocator(actor)
    locked = lock_order(order)
    _refuse_closed(locked)
    item = _free_item(locked, line)
    item = _allocate(
        actor=actor,
        order=locked,
        item=item,
        vin=vin,
        production_number=production_number,
        expected_delivery=expected_delivery,
        production_date=production_date,
        plant=plant,
    )
    tracing.refresh_orders([locked.pk])
    return item


@dataclass
class AllocationItem:
    order_number: str
    vin: str
    production_number: str
    line: int | None = None
    expected_delivery: datetime.date | None = None
    production_date: datetime.date | None = None
    plant: str = ""


@dataclass
class AllocationResult:
    index: int
    outcome: str  # "allocated" or "error"
    item_id: int | None = None
    vehicle_id: int | None = None
    line: int | None = None
    message: str = ""
    field: str = ""


def _first_message(error: ValidationError) -> tuple[str, str]:
    if hasattr(error, "error_dict"):
        name, errors = next(iter(error.message_dict.items()))
        return name, errors[0]
    return "", error.messages[0]


@transaction.atomic
def allocations_record_bulk(*, actor: Any, items: list[AllocationItem]) -> list[AllocationResult]:
    """Allocate many cars from the OEM's systems; each item in its own savepoint, so a refused
    one (unknown order, VIN or production number already used, bad VIN, ...) does not stop the
    others. Orders are locked in number order, so two batches never wait on each other."""
    _require_allocator(actor)
    if len(items) > MAX_BULK_ALLOCATIONS:
        raise ValidationError(
            {
                "items": _("Send at most %(limit)s allocations at a time.")
                % {"limit": MAX_BULK_ALLOCATIONS}
            }
        )
    numbers = sorted({item.order_number.strip() for item in items})
    orders = {
        order.number: order
        for order in VehicleOrder.objects.select_for_update(of=("self",))
        .filter(number__in=numbers)
        .select_related("vehicle_model", "dealer")
        .order_by("number")
    }
    results = []
    for index, wanted in enumerate(items):
        result = AllocationResult(index=index, outcome="error")
        results.append(result)
        order = orders.get(wanted.order_number.strip())
        if order is None:
            result.field = "order_number"
            result.message = _("No vehicle order %(number)s.") % {"number": wanted.order_number}
            continue
        try:
            with transaction.atomic():
                _refuse_closed(order)
                item = _allocate(
                    actor=actor,
                    order=order,
                    item=_free_item(order, wanted.line),
                    vin=wanted.vin,
                    production_number=wanted.production_number,
                    expected_delivery=wanted.expected_delivery,
                    production_date=wanted.production_date,
                    plant=wanted.plant,
                )
        except ValidationError as error:
            order.refresh_from_db()
            result.field, result.message = _first_message(error)
            continue
        result.outcome = "allocated"
        result.item_id, result.vehicle_id, result.line = item.pk, item.vehicle_id, item.line
    tracing.refresh_orders(order.pk for order in orders.values())
    return results
