"""An ordered car's road from the production line to its customer, read from its vehicle's
lifecycle events at read time (nothing is copied), and the status caches of items and orders
that the lists filter by, refreshed when events arrive (``refresh_for_vehicles``) and by the
services.

The road: on the line (built) → paint (painted) → warehouse (stored) → in transit (shipped) →
at the dealer (arrived) → delivered (sold).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from autocrm.orders.choices import (
    ITEM_ROAD,
    ITEM_STATUS_OF_VEHICLE,
    ORDER_STATUS_OF_ITEM,
    ItemStatus,
    OrderStatus,
)
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.vehicles.choices import EventKind, VehicleStatus
from autocrm.vehicles.models import VehicleEvent

# The steps a timeline shows: (item status reached, the event kind that marks it, label).
ROAD_STEPS: tuple[tuple[str, str, Any], ...] = (
    (ItemStatus.ON_THE_LINE, EventKind.BUILT, _("On the line")),
    (ItemStatus.PAINTED, EventKind.PAINTED, _("Paint")),
    (ItemStatus.IN_WAREHOUSE, EventKind.STORED, _("Warehouse")),
    (ItemStatus.IN_TRANSIT, EventKind.SHIPPED, _("In transit")),
    (ItemStatus.AT_DEALER, EventKind.ARRIVED, _("At the dealer")),
    (ItemStatus.DELIVERED, EventKind.SOLD, _("Delivered")),
)
_ROAD_EVENT_KINDS = [kind for _status, kind, _label in ROAD_STEPS]


@dataclass
class Step:
    label: Any
    reached: bool = False
    current: bool = False
    occurred_at: datetime.datetime | None = None
    location: str = ""


@dataclass
class Timeline:
    """One car's road: each step reached or not, the current one, the expected delivery."""

    item: VehicleOrderItem
    steps: list[Step] = field(default_factory=list)
    events: list[VehicleEvent] = field(default_factory=list)

    @property
    def expected_delivery(self) -> datetime.date | None:
        return self.item.expected_delivery or self.item.order.expected_delivery


def item_status_of(vehicle_status: str | None, newest_kind: str | None) -> str:
    """An allocated, undelivered car's status from its vehicle's status and newest event."""
    if vehicle_status == VehicleStatus.IN_PRODUCTION and newest_kind == EventKind.PAINTED:
        return ItemStatus.PAINTED
    # A car sold outside the order (no delivery recorded) is still waiting at the dealer.
    statuses: dict[str, str] = {
        str(key): str(value) for key, value in ITEM_STATUS_OF_VEHICLE.items()
    }
    return statuses.get(vehicle_status or "", ItemStatus.AT_DEALER)


def order_status_of(statuses: Iterable[str], *, confirmed: bool) -> str | None:
    """The order's status from its items': the least advanced open car decides; ``None`` for
    an order whose items are all cancelled."""
    road = [status for status in statuses if status != ItemStatus.CANCELLED]
    if not road:
        return None
    slowest = min(road, key=lambda status: ITEM_ROAD.index(ItemStatus(status)))
    if slowest == ItemStatus.PENDING:
        return OrderStatus.CONFIRMED if confirmed else OrderStatus.SUBMITTED
    return str(ORDER_STATUS_OF_ITEM[ItemStatus(slowest)])


def refresh_orders(order_ids: Iterable[int]) -> None:
    """Recompute the status (and the delivery date) of the given open orders, set-based: one
    query reads their items, one update per new status."""
    ids = set(order_ids)
    if not ids:
        return
    statuses: dict[int, list[str]] = defaultdict(list)
    for order_id, status in VehicleOrderItem.objects.filter(order_id__in=ids).values_list(
        "order_id", "status"
    ):
        statuses[order_id].append(status)
    orders = VehicleOrder.objects.filter(pk__in=ids).exclude(status=OrderStatus.CANCELLED)
    moves: dict[str, list[int]] = defaultdict(list)
    for order_id, current, confirmed_at in orders.values_list("pk", "status", "confirmed_at"):
        new_status = order_status_of(statuses[order_id], confirmed=confirmed_at is not None)
        if new_status is not None and new_status != current:
            moves[new_status].append(order_id)
    for new_status, pks in moves.items():
        changes: dict[str, Any] = {"status": new_status}
        if new_status == OrderStatus.DELIVERED:
            # Only delivery closes orders, one at a time: the date of its last car.
            changes["delivered_on"] = Subquery(
                VehicleOrderItem.objects.filter(order_id=OuterRef("pk"), delivered_on__isnull=False)
                .order_by("-delivered_on")
                .values("delivered_on")[:1]
            )
        VehicleOrder.objects.filter(pk__in=pks).update(**changes)


def refresh_for_vehicles(vehicle_ids: Iterable[int]) -> None:
    """Vehicles got new lifecycle events: move their undelivered order items (and their
    orders) to where the cars now are. A few queries whatever the number of vehicles."""
    ids = list(vehicle_ids)
    if not ids:
        return
    newest_kind = (
        VehicleEvent.objects.filter(vehicle_id=OuterRef("vehicle_id"))
        .order_by("-occurred_at", "-id")
        .values("kind")[:1]
    )
    rows = (
        VehicleOrderItem.objects.filter(vehicle_id__in=ids, delivered_on__isnull=True)
        .exclude(status=ItemStatus.CANCELLED)
        .annotate(newest_kind=Subquery(newest_kind))
        .values_list("pk", "order_id", "status", "vehicle__status", "newest_kind")
    )
    moves: dict[str, list[int]] = defaultdict(list)
    touched: set[int] = set()
    for pk, order_id, status, vehicle_status, kind in rows:
        new_status = item_status_of(vehicle_status, kind)
        if new_status != status:
            moves[new_status].append(pk)
            touched.add(order_id)
    for status, pks in moves.items():
        VehicleOrderItem.objects.filter(pk__in=pks).update(status=status)
    refresh_orders(touched)


def timelines(items: list[VehicleOrderItem]) -> list[Timeline]:
    """The road of each item, from one query over their vehicles' events."""
    vehicle_ids = [item.vehicle_id for item in items if item.vehicle_id]
    events: dict[int, list[VehicleEvent]] = defaultdict(list)
    if vehicle_ids:
        for event in VehicleEvent.objects.filter(vehicle_id__in=vehicle_ids).order_by(
            "occurred_at", "id"
        ):
            events[event.vehicle_id].append(event)
    return [_timeline(item, events.get(item.vehicle_id or 0, [])) for item in items]


def _timeline(item: VehicleOrderItem, events: list[VehicleEvent]) -> Timeline:
    first: dict[str, VehicleEvent] = {}
    for event in events:
        first.setdefault(event.kind, event)
    reached_index = ITEM_ROAD.index(ItemStatus(item.status)) if item.status in ITEM_ROAD else 0
    timeline = Timeline(item=item, events=events)
    for status, kind, label in ROAD_STEPS:
        marker = first.get(kind)
        step = Step(label=label)
        step.reached = marker is not None or ITEM_ROAD.index(ItemStatus(status)) <= reached_index
        if marker is not None:
            step.occurred_at, step.location = marker.occurred_at, marker.location
        step.current = status == item.status
        timeline.steps.append(step)
    return timeline
