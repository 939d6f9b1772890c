"""Reads of vehicle orders, always from the user's scope (``VehicleOrder.scope_filter``: by
dealer; salespeople see all of their dealer's orders)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from autocrm.core.scoping import access_object, visible_to
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.vehicles.vin import clean_vin

# Newest first, the id breaking no ties (it is unique): keyset pages by id.
ORDER_ORDERING = ("-id",)
# Orders shown on a customer's 360 page; more are on the list filtered by the customer.
PANEL_LIMIT = 20


def orders_visible(user: Any) -> QuerySet[VehicleOrder]:
    return visible_to(user, VehicleOrder.objects.all()).select_related(
        "dealer", "customer", "salesperson", "vehicle_model"
    )


def order_for(user: Any, order_id: Any) -> VehicleOrder:
    """One order within the user's scope; missing and out of scope are both a 404."""
    return access_object(user, orders_visible(user), pk=order_id)


def order_items(order: VehicleOrder) -> list[VehicleOrderItem]:
    return list(
        VehicleOrderItem.objects.filter(order=order)
        .select_related("vehicle", "customer", "salesperson", "order")
        .order_by("line")
    )


def items_visible(user: Any) -> QuerySet[VehicleOrderItem]:
    return visible_to(user, VehicleOrderItem.objects.all()).select_related(
        "order", "order__dealer", "order__vehicle_model", "vehicle", "customer"
    )


def items_by_reference(user: Any, reference: str) -> QuerySet[VehicleOrderItem]:
    """Ordered cars by VIN, production number or order number (exact), within the scope."""
    reference = (reference or "").strip()
    if not reference:
        return VehicleOrderItem.objects.none()
    condition = Q(production_number=reference) | Q(order__number=reference.upper())
    vin = clean_vin(reference)
    if len(vin) == 17:
        condition |= Q(vehicle__vin=vin)
    return items_visible(user).filter(condition).order_by("order_id", "line")


# What an order number, a production number or a VIN looks like: letters, digits and dashes,
# with at least one digit. Other searches (names, pinyin initials) cost no query here.
_REFERENCE = re.compile(r"^(?=.*\d)[A-Za-z0-9-]{4,30}$")


def orders_by_reference(user: Any, reference: str, limit: int) -> list[VehicleOrder]:
    """Orders whose number, a car's production number or a car's VIN is ``reference``."""
    reference = (reference or "").strip()
    if not _REFERENCE.match(reference):
        return []
    number = reference.upper()
    if number.startswith("VO") and number[2:].isdigit():
        number = f"VO{int(number[2:]):09d}"
    condition = Q(number=number) | Q(items__production_number=reference)
    vin = clean_vin(reference)
    if len(vin) == 17:
        condition |= Q(items__vehicle__vin=vin)
    return list(orders_visible(user).filter(condition).distinct().order_by("-id")[:limit])


def customer_orders(user: Any, customer: Any) -> list[VehicleOrder]:
    """The customer's orders (ordered for them, or a stock car delivered to them)."""
    # The order ids of both kinds as one UNION: an OR across the items' join made PostgreSQL
    # read every order (37 ms of the customer page at 30,000 orders); this is two index probes.
    ordered = VehicleOrder.objects.filter(customer=customer).order_by().values("id")
    delivered = VehicleOrderItem.objects.filter(customer=customer).order_by().values("order_id")
    return list(
        orders_visible(user).filter(pk__in=ordered.union(delivered)).order_by("-id")[:PANEL_LIMIT]
    )
