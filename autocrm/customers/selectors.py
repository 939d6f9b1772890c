"""Reads for the customer pages, each starting from the user's scope and each a bounded number
of queries whatever the customer's size."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from autocrm.core.scoping import access_object
from autocrm.customers.choices import ContactKind
from autocrm.customers.models import (
    ContactPoint,
    Customer,
    CustomerDealer,
    CustomerRelationship,
)

# Related rows a panel shows at most (contact points, relationships, dealer links).
PANEL_LIMIT = 100


def customer_for_page(user: Any, customer_id: int) -> Customer:
    """The customer with what its page header shows; out of scope is a 404."""
    rows = Customer.objects.select_related("manager", "merged_into", "city").prefetch_related(
        "tags"
    )
    return access_object(user, rows, pk=customer_id)


def contact_points_of(customer: Customer) -> list[ContactPoint]:
    return list(ContactPoint.objects.filter(customer=customer)[:PANEL_LIMIT])


def primary_contacts(points: list[ContactPoint]) -> dict[str, ContactPoint]:
    """The primary (else first) contact point of each kind."""
    found: dict[str, ContactPoint] = {}
    for point in points:
        if point.kind not in found or (point.is_primary and not found[point.kind].is_primary):
            found[point.kind] = point
    return found


def primary_phone_and_email(customer: Customer) -> dict[str, ContactPoint]:
    points = ContactPoint.objects.filter(
        customer=customer, kind__in=[ContactKind.PHONE, ContactKind.EMAIL]
    ).order_by("kind", "-is_primary", "id")
    return primary_contacts(list(points[:PANEL_LIMIT]))


def dealer_links_of(customer: Customer) -> list[CustomerDealer]:
    links = CustomerDealer.objects.filter(customer=customer).select_related("dealer")
    return list(links.order_by("dealer__code", "relation")[:PANEL_LIMIT])


def relationships_of(user: Any, customer: Customer) -> dict[str, list[CustomerRelationship]]:
    """Both directions ("outgoing": customer -> other, "incoming": other -> customer), limited
    to related customers the user may see."""
    visible = Customer.objects.visible_to(user).values("pk")
    outgoing: QuerySet[CustomerRelationship] = CustomerRelationship.objects.filter(
        customer=customer, other__in=visible
    ).select_related("other")
    incoming: QuerySet[CustomerRelationship] = CustomerRelationship.objects.filter(
        other=customer, customer__in=visible
    ).select_related("customer")
    return {
        "outgoing": list(outgoing.order_by("kind", "id")[:PANEL_LIMIT]),
        "incoming": list(incoming.order_by("kind", "id")[:PANEL_LIMIT]),
    }
