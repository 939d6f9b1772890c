"""Handing an ordered car over to its customer."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Role
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.customers.models import Customer
from autocrm.orders import permissions, tracing
from autocrm.orders.choices import ItemStatus, OrderKind, OrderStatus
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.orders.signals import vehicle_delivered
from autocrm.vehicles import services as vehicle_services
from autocrm.vehicles.choices import EventKind, VehicleStatus
from autocrm.vehicles.lifecycle import insert_events
from autocrm.vehicles.models import Vehicle, VehicleEvent


def _moment_of(day: datetime.date) -> datetime.datetime:
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _customer_for(order: VehicleOrder, customer: Customer | None) -> Customer:
    if order.kind == OrderKind.CUSTOMER:
        if customer is not None and customer.pk != order.customer_id:
            raise ValidationError(
                {
                    "customer": _("This car was ordered for %(customer)s; deliver it to them.")
                    % {"customer": order.customer}
                }
            )
        assert order.customer is not None  # the database constraint
        return order.customer
    if customer is None:
        raise ValidationError(
            {"customer": _("This car was ordered for stock: name the customer it is delivered to.")}
        )
    if not customer.is_active or customer.merged_into_id:
        raise ValidationError(
            {"customer": _("This customer record is inactive (merged or closed).")}
        )
    return customer


def _check_car(item: VehicleOrderItem, vehicle: Vehicle | None) -> Vehicle:
    if item.delivered_on is not None:
        raise ValidationError(
            {"item": _("This car was already delivered on %(date)s.") % {"date": item.delivered_on}}
        )
    if item.status == ItemStatus.CANCELLED:
        raise ValidationError({"item": _("This car of the order is cancelled.")})
    if vehicle is None:
        raise ValidationError({"item": _("The OEM has not allocated a car to this line yet.")})
    if vehicle.status != VehicleStatus.AT_DEALER:
        raise ValidationError(
            {
                "item": _(
                    "The car is not at the dealer yet (%(status)s); deliver it once it has arrived."
                )
                % {"status": vehicle.get_status_display()}
            }
        )
    return vehicle


def _credited_salesperson(actor: Any, order: VehicleOrder) -> Any:
    """A customer's car is credited to the order's salesperson; a stock car to the salesperson
    who sold it from stock (the deliverer), else the order's."""
    delivering = actor if getattr(actor, "role", None) == Role.SALESPERSON else None
    if order.kind == OrderKind.CUSTOMER:
        return order.salesperson or delivering
    return delivering or order.salesperson


@transaction.atomic
def order_item_deliver(
    *,
    actor: Any,
    item: VehicleOrderItem,
    customer: Customer | None = None,
    delivered_on: datetime.date | None = None,
    price: Decimal | None = None,
    expected_version: int | None = None,
) -> VehicleOrderItem:
    """Hand the car of ``item`` over to its customer (dealer staff of the order's dealer, or
    the administrator), all in this transaction:

    - the "sold" lifecycle event; the ownership starts (the dealer as selling dealer, the
      price), which marks the customer as an owner linked to the dealer;
    - the item is closed (delivered on, to whom, at what price, the salesperson credited: the
      order's for a customer's car, the delivering salesperson for a stock car), and the order
      too when every car is delivered;
    - ``vehicle_delivered`` is sent once for the car.

    Refused with a specific message: a car not yet allocated or not yet at the dealer, one
    already delivered, a stock car without the customer, another customer than the one the
    car was ordered for, a date in the future or before the car arrived, a negative price.
    Preconditions: the caller found ``item`` and ``customer`` within the actor's scope."""
    if not permissions.may_deliver(actor):
        raise PermissionDenied
    order = (
        VehicleOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "salesperson", "dealer")
        .get(pk=item.order_id)
    )
    staff_dealer = permissions.own_dealer_id(actor)
    if staff_dealer is not None and staff_dealer != order.dealer_id:
        raise PermissionDenied
    locked = VehicleOrderItem.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError({"item": _("This order is cancelled.")})
    found = (
        Vehicle.objects.select_for_update().filter(pk=locked.vehicle_id).first()
        if locked.vehicle_id is not None
        else None
    )
    vehicle = _check_car(locked, found)
    buyer = _customer_for(order, customer)
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("This date is in the future.")})
    arrived = (
        VehicleEvent.objects.filter(vehicle=vehicle, kind=EventKind.ARRIVED)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if arrived is not None and delivered_on < timezone.localtime(arrived).date():
        raise ValidationError(
            {
                "delivered_on": _(
                    "The car arrived at the dealer on %(date)s; it cannot be delivered before."
                )
                % {"date": timezone.localtime(arrived).date()}
            }
        )
    if price is not None and Decimal(price) < 0:
        raise ValidationError({"price": _("A price cannot be negative.")})
    price = order.unit_price if price is None else Decimal(price)

    before = audit.snapshot(locked)
    locked.delivered_on = delivered_on
    locked.customer = buyer
    locked.price = price
    locked.salesperson = _credited_salesperson(actor, order)
    locked.delivered_by = actor if getattr(actor, "pk", None) else None
    locked.status = ItemStatus.DELIVERED
    locked.version += 1
    # Closed before the event goes in, so the status refresh the event triggers leaves it.
    locked.save()
    ownership = vehicle_services.ownership_start(
        actor=actor,
        vehicle=vehicle,
        customer=buyer,
        started_on=delivered_on,
        selling_dealer=order.dealer,
        price=price,
    )
    vehicle.refresh_from_db()
    insert_events(
        actor=actor,
        events=[
            VehicleEvent(
                vehicle=vehicle,
                kind=EventKind.SOLD,
                occurred_at=_moment_of(delivered_on),
                dealer=order.dealer,
                source=vehicle_services.VEHICLE_EVENT_SOURCE,
                details={"order": order.number, "customer": buyer.number},
            )
        ],
    )
    locked.ownership = ownership
    locked.save(update_fields=["ownership"])
    audit.record_change(locked, before, actor=actor)
    tracing.refresh_orders([order.pk])
    order.refresh_from_db()
    vehicle_delivered.send(
        sender=VehicleOrderItem,
        vehicle=vehicle,
        customer=buyer,
        ownership=ownership,
        dealer=order.dealer,
        salesperson=locked.salesperson,
        delivered_on=delivered_on,
        order=order,
    )
    return locked
