"""Finding customers and vehicles from what a caller or an agent types: one query is classified
(phone, VIN, VIN tail, plate, customer number, ID number, credit code, name, pinyin initials) and
answered from exact or prefix lookups on indexed columns only, never ``LIKE '%x%'``.

The search box (``customers.search``) and the screen-pop API (``customers.api_lookup``) share it.
Every read starts from ``visible_to``; rows hanging off a customer (contacts, ownerships,
interactions) are then read by the ids that came out of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from autocrm.core.scoping import scope_for
from autocrm.customers.identifiers import (
    fold_name,
    fold_width,
    identifier_hash,
    normalise_phone,
    validate_credit_code,
    validate_resident_id,
)
from autocrm.customers.models import ContactPoint, Customer, customer_ids_in_scope
from autocrm.vehicles.models import Ownership, Vehicle
from autocrm.vehicles.vin import normalise_plate

# Separators people type inside numbers and codes: spaces, dashes, dots, brackets, slashes.
_SEPARATORS = re.compile(r"[\s\-_.·•・()/]+")
_VIN_CHARACTERS = "[A-HJ-NPR-Z0-9]"
_VIN = re.compile(f"{_VIN_CHARACTERS}{{17}}")
_VIN_TAIL = re.compile(f"(?=.*[0-9]){_VIN_CHARACTERS}{{6,8}}")
_PHONE = re.compile(r"\+?[0-9]{7,16}")
_CUSTOMER_NUMBER = re.compile(r"C([0-9]{1,9})")
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_CREDIT_CODE = re.compile(r"[0-9A-Z]{18}")
# A province character, the issuing authority's letter, 5 (petrol) or 6 (new energy) characters,
# and possibly a suffix character (挂, 学, 警, 港, 澳).
_PLATE = re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fff]?")
_INITIALS = re.compile(r"[A-Za-z]{2,8}")

CUSTOMER_KINDS = frozenset(
    {"phone", "customer_number", "id_number", "credit_code", "name", "initials"}
)
VEHICLE_KINDS = frozenset({"vin", "vin_tail", "plate"})


class TermKind(StrEnum):
    PHONE = "phone"
    VIN = "vin"
    VIN_TAIL = "vin_tail"
    PLATE = "plate"
    CUSTOMER_NUMBER = "customer_number"
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    NAME = "name"
    INITIALS = "initials"


@dataclass(frozen=True)
class Term:
    """One reading of the query: what kind of value it is, normalised for its column."""

    kind: TermKind
    value: str


def _valid(validate: Any, value: str) -> str | None:
    try:
        return str(validate(value))
    except ValidationError:
        return None


def classify(raw: str) -> list[Term]:
    """Every way ``raw`` can be read, most specific first (``[]`` for nothing searchable)."""
    text = fold_width(raw or "").strip()
    if not text or "\x00" in text:
        return []
    compact = _SEPARATORS.sub("", text)
    upper = compact.upper()
    terms: list[Term] = []
    if match := _CUSTOMER_NUMBER.fullmatch(upper):
        terms.append(Term(TermKind.CUSTOMER_NUMBER, f"C{int(match.group(1)):09d}"))
    if _RESIDENT_ID.fullmatch(upper) and (number := _valid(validate_resident_id, upper)):
        return [Term(TermKind.ID_NUMBER, number)]
    if _CREDIT_CODE.fullmatch(upper) and (code := _valid(validate_credit_code, upper)):
        return [Term(TermKind.CREDIT_CODE, code)]
    if _VIN.fullmatch(upper):
        return [Term(TermKind.VIN, upper)]
    if _PHONE.fullmatch(compact) and len(compact.lstrip("+")) >= 9:
        phone = _valid(normalise_phone, text)
        if phone:
            terms.append(Term(TermKind.PHONE, phone))
    if _VIN_TAIL.fullmatch(upper):
        terms.append(Term(TermKind.VIN_TAIL, upper))
    if _PLATE.fullmatch(plate := normalise_plate(text)):
        terms.append(Term(TermKind.PLATE, plate))
    elif _INITIALS.fullmatch(compact):
        terms.append(Term(TermKind.INITIALS, compact.lower()))
    elif not terms and re.search(r"[^\W\d_]", text):
        terms.append(Term(TermKind.NAME, fold_name(text)))
    return terms


# --- customers -----------------------------------------------------------------------------


def _customer_conditions(term: Term) -> list[Q]:
    """Conditions to try one after the other (exact before prefix), each on one index."""
    if term.kind == TermKind.PHONE:
        owners = ContactPoint.objects.filter(kind="phone", normalised=term.value)
        return [Q(pk__in=owners.values("customer_id"))]
    if term.kind == TermKind.CUSTOMER_NUMBER:
        return [Q(number=term.value)]
    if term.kind == TermKind.ID_NUMBER:
        return [Q(id_number_hash=identifier_hash(term.value))]
    if term.kind == TermKind.CREDIT_CODE:
        return [Q(credit_code=term.value)]
    if term.kind == TermKind.NAME:
        return [Q(name_folded=term.value), Q(name_folded__startswith=term.value)]
    if term.kind == TermKind.INITIALS:
        return [
            Q(name_initials=term.value),
            Q(name_folded=term.value),
            Q(name_initials__startswith=term.value),
            Q(name_folded__startswith=term.value),
        ]
    return []


CUSTOMER_FIELDS = ("id", "number", "name", "kind", "status", "manager_id")


def find_customers(
    user: Any, terms: list[Term], *, limit: int, fields: tuple[str, ...] = CUSTOMER_FIELDS
) -> list[dict[str, Any]]:
    """Customers matching any customer term, as dicts of ``fields``, at most ``limit``.

    Exact matches come first; a prefix condition only runs when the exact ones left room.
    No ORDER BY: the index the condition uses decides, so a one-character name prefix among a
    million names stays one short index range scan."""
    found: dict[int, dict[str, Any]] = {}
    visible = Customer.objects.visible_to(user).filter(merged_into__isnull=True).order_by()
    for term in terms:
        for condition in _customer_conditions(term):
            if len(found) >= limit:
                return list(found.values())
            rows = visible.filter(condition)
            if found:
                rows = rows.exclude(pk__in=list(found))
            for row in rows.values(*fields)[: limit - len(found)]:
                found[row["id"]] = row
    return list(found.values())


def customers_in_scope(user: Any, field: str) -> Q:
    """``field`` (a customer id column) within the user's scope: the condition ``visible_to``
    puts on customers, for rows read by customer id; nothing at all without a scope."""
    scope = scope_for(user)
    if scope is None:
        return Q(pk__in=[])
    if scope.sees_everything:
        return Q()
    return Q(**{f"{field}__in": customer_ids_in_scope(scope)})


# --- vehicles --------------------------------------------------------------------------------


def _vehicle_condition(term: Term) -> Q | None:
    if term.kind == TermKind.VIN:
        return Q(vin=term.value)
    if term.kind == TermKind.VIN_TAIL:
        # vin_tail (the last six) is indexed; the full tail of 7-8 characters is then checked
        # on those few rows.
        return Q(vin_tail=term.value[-6:], vin__endswith=term.value)
    if term.kind == TermKind.PLATE:
        return Q(plate=term.value)
    return None


VEHICLE_FIELDS = (
    "id",
    "vin",
    "plate",
    "status",
    "vin_check_digit_ok",
    "model__brand",
    "model__name",
)


def find_vehicles(user: Any, terms: list[Term], *, limit: int) -> list[dict[str, Any]]:
    """Vehicles matching any vehicle term, with their current owners the user may see
    (``owners``: list of dicts id, number, name); two queries whatever the number of rows."""
    conditions = [c for c in (_vehicle_condition(term) for term in terms) if c is not None]
    if not conditions:
        return []
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    vehicles = list(
        Vehicle.objects.visible_to(user)
        .filter(combined)
        .order_by("vin")
        .values(*VEHICLE_FIELDS)[:limit]
    )
    owners = current_owners(user, [vehicle["id"] for vehicle in vehicles])
    for vehicle in vehicles:
        vehicle["owners"] = owners.get(vehicle["id"], [])
    return vehicles


def current_owners(user: Any, vehicle_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The current owners, drivers and fleet holders of the vehicles, among the customers the
    user may see (a vehicle may be visible through its dealer while its owner is not)."""
    if not vehicle_ids:
        return {}
    rows = (
        Ownership.objects.filter(vehicle_id__in=vehicle_ids, ended_on__isnull=True)
        .filter(customers_in_scope(user, "customer_id"))
        .order_by("vehicle_id", "-started_on", "-id")
        .values("vehicle_id", "role", "customer_id", "customer__number", "customer__name")
    )
    owners: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        owners.setdefault(row["vehicle_id"], []).append(
            {
                "id": row["customer_id"],
                "number": row["customer__number"],
                "name": row["customer__name"],
                "role": row["role"],
            }
        )
    return owners
