"""The caller's card for the screen pop: customer, primary contacts, current vehicles, customer
manager and last three interactions.

The telephony integration asks on every ringing call, so this path is lean on purpose. The
customers are found through ``customers.lookup`` (which starts from ``visible_to``), or, for a
phone asked by a user whose scope is everyone (the HQ call center), by one fixed statement.
Everything hanging off them is read by their ids with three fixed SQL statements, each one index
probe per customer, written once instead of being compiled by the ORM on every call (the
compilation cost more than the queries).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings

from autocrm.core.prepared import prepared_cursor
from autocrm.core.scoping import scope_for
from autocrm.customers.lookup import (
    CUSTOMER_FIELDS,
    CUSTOMER_KINDS,
    VEHICLE_KINDS,
    Term,
    TermKind,
    find_customers,
    find_vehicles,
)
from autocrm.customers.models import Customer

PHONE = TermKind.PHONE
CARD_LIMIT = 10
LAST_INTERACTIONS = 3
CARD_CUSTOMER_FIELDS = (*CUSTOMER_FIELDS, "manager__display_name", "manager__username")


@cache
def _statements() -> dict[str, str]:
    """The three statements, with ``{ids}`` left for the placeholders of the customer ids."""
    from autocrm.accounts.models import User
    from autocrm.activities.models import Interaction
    from autocrm.customers.models import ContactPoint
    from autocrm.vehicles.models import Ownership, Vehicle, VehicleModel

    contact, customer = ContactPoint._meta.db_table, Customer._meta.db_table
    user = User._meta.db_table
    ownership, vehicle = Ownership._meta.db_table, Vehicle._meta.db_table
    model, interaction = VehicleModel._meta.db_table, Interaction._meta.db_table
    return {
        "contacts": (
            f"SELECT customer_id, kind, value, normalised FROM {contact} "
            "WHERE customer_id IN ({ids}) AND is_primary AND kind IN ('phone', 'email', 'address')"
        ),
        # ownership_customer_idx (customer, ended_on) finds the current ownerships.
        "vehicles": (
            "SELECT o.customer_id, o.role, o.started_on, v.id, v.vin, v.plate, v.status, "
            f"m.brand, m.name FROM {ownership} o JOIN {vehicle} v ON v.id = o.vehicle_id "
            f"LEFT JOIN {model} m ON m.id = v.model_id "
            "WHERE o.customer_id IN ({ids}) AND o.ended_on IS NULL "
            "ORDER BY o.started_on DESC, o.id DESC"
        ),
        # interaction_timeline_idx (customer, -occurred_at, -id): the newest few per customer.
        "interactions": (
            "SELECT customer_id, occurred_at, channel, subject, outcome FROM ("
            "SELECT customer_id, occurred_at, channel, subject, outcome, ROW_NUMBER() OVER ("
            "PARTITION BY customer_id ORDER BY occurred_at DESC, id DESC) AS newest_rank "
            f"FROM {interaction} WHERE customer_id IN ({{ids}})) newest "
            f"WHERE newest_rank <= {LAST_INTERACTIONS} ORDER BY customer_id, occurred_at DESC"
        ),
        # The screen pop's own question: who has this phone (for a user who sees everyone).
        "by_phone": (
            "SELECT c.id, c.number, c.name, c.kind, c.status, c.manager_id, u.display_name, "
            f"u.username FROM {customer} c LEFT JOIN {user} u ON u.id = c.manager_id "
            "WHERE c.merged_into_id IS NULL AND c.id IN (SELECT customer_id FROM "
            f"{contact} WHERE kind = 'phone' AND normalised = %s) LIMIT {CARD_LIMIT}"
        ),
        "one_customer_interactions": (
            f"SELECT customer_id, occurred_at, channel, subject, outcome FROM {interaction} "
            "WHERE customer_id = %s ORDER BY occurred_at DESC, id DESC "
            f"LIMIT {LAST_INTERACTIONS}"
        ),
    }


def _rows(name: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
    sql = _statements()[name].replace("{ids}", ", ".join(["%s"] * len(values)))
    with prepared_cursor() as cursor:
        cursor.execute(sql, list(values))
        return cursor.fetchall()


def _aware(moment: datetime.datetime) -> datetime.datetime:
    # SQLite hands back naive UTC datetimes where the ORM would have made them aware.
    if settings.USE_TZ and moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment


def _date(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _children(ids: list[int]) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    contacts: dict[int, dict[str, dict[str, str]]] = {}
    for customer_id, kind, value, normalised in _rows("contacts", ids):
        contacts.setdefault(customer_id, {})[kind] = {"value": value, "normalised": normalised}
    vehicles: dict[int, list[dict[str, Any]]] = {}
    for customer_id, role, since, pk, vin, plate, status, brand, name in _rows("vehicles", ids):
        vehicles.setdefault(customer_id, []).append(
            {
                "id": pk,
                "vin": vin,
                "plate": plate,
                "status": status,
                "model": f"{brand} {name}" if brand else "",
                "role": role,
                "since": _date(since),
            }
        )
    statement = "one_customer_interactions" if len(ids) == 1 else "interactions"
    interactions: dict[int, list[dict[str, Any]]] = {}
    for customer_id, occurred_at, channel, subject, outcome in _rows(statement, ids):
        interactions.setdefault(customer_id, []).append(
            {
                "occurred_at": _aware(occurred_at),
                "channel": channel,
                "subject": subject,
                "outcome": outcome,
            }
        )
    return contacts, vehicles, interactions


def _customers(user: Any, terms: list[Term], limit: int) -> list[dict[str, Any]]:
    """Customers found by the customer terms, then the current owners of the vehicles the
    vehicle terms find."""
    scope = scope_for(user)
    if scope is not None and scope.sees_everything and [t.kind for t in terms] == [PHONE]:
        # The call center's ringing phone: no scope condition to add, one fixed statement.
        rows = _rows("by_phone", [terms[0].value])[:limit]
        return [dict(zip(CARD_CUSTOMER_FIELDS, row, strict=True)) for row in rows]
    customers = find_customers(
        user,
        [t for t in terms if t.kind in CUSTOMER_KINDS],
        limit=limit,
        fields=CARD_CUSTOMER_FIELDS,
    )
    vehicle_terms = [t for t in terms if t.kind in VEHICLE_KINDS]
    if vehicle_terms and len(customers) < limit:
        owner_ids = {
            owner["id"]
            for vehicle in find_vehicles(user, vehicle_terms, limit=limit)
            for owner in vehicle["owners"]
        } - {customer["id"] for customer in customers}
        if owner_ids:
            customers += list(
                Customer.objects.filter(pk__in=sorted(owner_ids)[: limit - len(customers)])
                .order_by("pk")
                .values(*CARD_CUSTOMER_FIELDS)
            )
    return customers


def customer_cards(
    user: Any, terms: list[Term], *, limit: int = CARD_LIMIT
) -> list[dict[str, Any]]:
    """The callers' cards, at most ``limit``: four queries for a phone (customers, then their
    contacts, vehicles and interactions), whatever the number of cards or vehicles."""
    customers = _customers(user, terms, limit)
    ids = [customer["id"] for customer in customers]
    if not ids:
        return []
    contacts, vehicles, interactions = _children(ids)
    cards = []
    for customer in customers:
        manager_id = customer.pop("manager_id")
        # As User.__str__ names them: the display name, else the user name.
        display_name = customer.pop("manager__display_name")
        username = customer.pop("manager__username")
        own_contacts = contacts.get(customer["id"], {})
        cards.append(
            {
                "customer": customer,
                "phone": own_contacts.get("phone"),
                "email": own_contacts.get("email"),
                "address": own_contacts.get("address"),
                "vehicles": vehicles.get(customer["id"], []),
                "manager": (
                    {"id": manager_id, "name": display_name or username} if manager_id else None
                ),
                "last_interactions": interactions.get(customer["id"], []),
            }
        )
    return cards
