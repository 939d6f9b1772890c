"""Orders in given states, built through the services (the rules are what the tests check)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from autocrm.orders import services
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.vehicles.lifecycle import EventItem, events_record_bulk
from tests.factories import oem_vin

_serials = itertools.count(700_000)


def allocate_all(order: VehicleOrder, *, admin: Any) -> list[VehicleOrderItem]:
    """Give every car of ``order`` a production number and an OEM VIN."""
    items = []
    for _line in range(order.quantity):
        serial = next(_serials)
        items.append(
            services.order_item_allocate(
                actor=admin, order=order, vin=oem_vin(serial), production_number=f"P{serial}"
            )
        )
    return items


def post_events(
    items: list[VehicleOrderItem], kinds: list[str], *, admin: Any, dealer_code: str = ""
) -> None:
    """Post the events ``kinds`` for the cars, as the factory and logistics systems would,
    an hour apart, ending a few hours ago."""
    start = timezone.now() - datetime.timedelta(hours=len(kinds) + 2)
    batch = []
    for item in items:
        for step, kind in enumerate(kinds):
            batch.append(
                EventItem(
                    kind=kind,
                    occurred_at=start + datetime.timedelta(hours=step),
                    external_id=f"{item.production_number}-{kind}",
                    production_number=item.production_number or "",
                    dealer_code=dealer_code if kind == "arrived" else "",
                )
            )
    events_record_bulk(actor=admin, source="mes", items=batch)


ROAD_TO_DEALER = ["built", "painted", "stored", "shipped", "arrived"]


def order_at_dealer(
    *, actor: Any, admin: Any, dealer: Any, vehicle_model: Any, **kwargs: Any
) -> VehicleOrder:
    order = services.vehicle_order_create(
        actor=actor, dealer=dealer, vehicle_model=vehicle_model, **kwargs
    )
    items = allocate_all(order, admin=admin)
    post_events(items, ROAD_TO_DEALER, admin=admin, dealer_code=dealer.code)
    order.refresh_from_db()
    return order
