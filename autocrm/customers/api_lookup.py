"""Screen pop: ``GET /api/v1/lookup`` answers a caller's card(s) by phone, VIN, plate or text.

Built for the call center's telephony integration, which asks on every ringing call: a handful
of lean, index-backed queries returning plain values (``customers.cards.customer_cards``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from autocrm.core.api_schemas import Text, answers
from autocrm.core.errors import ApplicationError
from autocrm.customers.cards import customer_cards
from autocrm.customers.identifiers import mask_resident_id, normalise_phone
from autocrm.customers.lookup import Term, TermKind, classify
from autocrm.vehicles.vin import clean_vin, normalise_plate, validate_vin

router = Router(tags=["lookup"])


class LookupParams(Schema):
    phone: Text | None = Field(default=None, max_length=40, description="in any format")
    vin: Text | None = Field(
        default=None, max_length=40, description="17 characters, or the last 6-8"
    )
    plate: Text | None = Field(default=None, max_length=20)
    q: Text | None = Field(
        default=None,
        max_length=100,
        description="anything the search box takes: phone, VIN, plate, customer number, "
        "ID number, credit code, name, pinyin initials",
    )


class LookupCustomer(Schema):
    id: int
    number: str | None
    name: str
    kind: str
    status: str
    url: str


class LookupContact(Schema):
    value: str = Field(description="as entered")
    normalised: str


class LookupVehicle(Schema):
    id: int
    vin: str
    plate: str
    model: str
    status: str
    role: str = Field(description="the customer's role: owner, driver or fleet")
    since: datetime.date


class LookupManager(Schema):
    id: int
    name: str


class LookupInteraction(Schema):
    occurred_at: datetime.datetime
    channel: str
    subject: str
    outcome: str


class LookupCard(Schema):
    customer: LookupCustomer
    phone: LookupContact | None
    email: LookupContact | None
    address: LookupContact | None
    vehicles: list[LookupVehicle]
    manager: LookupManager | None
    last_interactions: list[LookupInteraction]


class LookupTerm(Schema):
    kind: str
    value: str


class LookupOut(Schema):
    terms: list[LookupTerm] = Field(description="how the query was understood")
    cards: list[LookupCard]


def _refuse(field: str, message: Any) -> ApplicationError:
    return ApplicationError(
        _("Some fields are not valid."), details=[{"field": field, "message": str(message)}]
    )


def _terms(params: LookupParams) -> list[Term]:
    """The query as lookup terms; a value that cannot be what its parameter says is a 400."""
    if params.phone is not None and params.phone.strip():
        try:
            return [Term(TermKind.PHONE, normalise_phone(params.phone))]
        except ValidationError as error:
            raise _refuse("phone", error.messages[0]) from error
    if params.vin is not None and params.vin.strip():
        vin = clean_vin(params.vin)
        if 6 <= len(vin) <= 8:
            return [Term(TermKind.VIN_TAIL, vin)]
        try:
            # A VIN on file may carry a wrong check digit (foreign makers): search it anyway.
            return [Term(TermKind.VIN, validate_vin(vin, oem_wmis=[]).value)]
        except ValidationError as error:
            raise _refuse("vin", error.messages[0]) from error
    if params.plate is not None and params.plate.strip():
        return [Term(TermKind.PLATE, normalise_plate(params.plate))]
    if params.q is not None and params.q.strip():
        terms = classify(params.q)
        if not terms:
            raise _refuse(
                "q", _("Nothing in “%(query)s” can be searched for.") % {"query": params.q}
            )
        return terms
    raise _refuse("q", _("Give a phone number, a VIN, a plate or a search text (q)."))


def _shown(term: Term) -> str:
    # An ID number is never sent back in full, not even to the one who typed it.
    return mask_resident_id(term.value) if term.kind == TermKind.ID_NUMBER else term.value


@router.get(
    "/lookup",
    response=answers({200: LookupOut}, 400, 422),
    summary="Screen pop: the caller's card(s) by phone, VIN, plate or search text",
)
def lookup(request: HttpRequest, params: Query[LookupParams]) -> dict[str, Any]:
    terms = _terms(params)
    cards = customer_cards(request.user, terms)
    for card in cards:
        card["customer"]["url"] = reverse(
            "customers:customer_detail", args=[card["customer"]["id"]]
        )
    return {
        "terms": [{"kind": str(term.kind), "value": _shown(term)} for term in terms],
        "cards": cards,
    }
