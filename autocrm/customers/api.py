"""Customer endpoints: customers, contact points, consents and contactability, relationships,
and the audited full read of an ID number. Every read is scoped (out of scope is 404); every
write goes through ``autocrm.customers.services``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Query, Router, Status

from autocrm.accounts.models import User
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.errors import PermissionDenied
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.customers import consent, services
from autocrm.customers.filters import CustomerFilterSet
from autocrm.customers.models import Consent, ContactPoint, Customer, CustomerRelationship
from autocrm.customers.permissions import may_edit_customers
from autocrm.customers.schemas import (
    ChannelName,
    ConsentIn,
    ConsentOut,
    ContactabilityOut,
    ContactPointIn,
    ContactPointOut,
    ContactPointPatch,
    CustomerFilters,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    IdNumberOut,
    PurposeName,
    RelationshipIn,
    RelationshipOut,
)
from autocrm.network.models import Dealer, Region

router = Router(tags=["customers"])


def _require_editor(request: HttpRequest) -> None:
    if not may_edit_customers(request.user):
        raise PermissionDenied


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    return access_object(request.user, Customer.objects.prefetch_related("tags"), pk=customer_id)


def _customer_data(request: HttpRequest, sent: dict[str, Any]) -> dict[str, Any]:
    """The payload as the services take it: ids resolved within scope, nulls of text fields
    as empty text."""
    user = request.user
    data = dict(sent)
    if "manager_id" in data:
        users = User.objects.filter(is_active=True)
        data["manager"] = resolve_reference(user, users, "manager_id", data.pop("manager_id"))
    if "city_id" in data:
        data["city"] = resolve_reference(user, Region, "city_id", data.pop("city_id"))
    for name, value in list(data.items()):
        if value is None:
            field = Customer._meta.get_field(name)
            if isinstance(field, models.CharField | models.TextField) and not field.null:
                data[name] = ""
            elif isinstance(field, models.BooleanField):
                data[name] = False
    return data


@router.get(
    "/customers",
    response=answers({200: PageOut[CustomerOut]}, 400, 422),
    summary="Customers, newest first",
)
def customer_list(
    request: HttpRequest, page: Query[PageParams], filters: Query[CustomerFilters]
) -> dict[str, Any]:
    queryset = filtered(
        CustomerFilterSet,
        filters.dict(exclude_none=True),
        Customer.objects.visible_to(request.user).prefetch_related("tags"),
    )
    result = keyset_page(queryset, ordering=("-id",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.post("/customers", response=answers({201: CustomerOut}, 400, 403, 422))
def customer_create(request: HttpRequest, payload: CustomerIn) -> Status:
    _require_editor(request)
    sent = payload.dict(exclude_unset=True)
    id_number = sent.pop("id_number", None) or ""
    tags = sent.pop("tags", None) or []
    contacts = [
        services.ContactInput(field=f"contact_points.{index}.value", **contact)
        for index, contact in enumerate(sent.pop("contact_points", []))
    ]
    dealer = resolve_reference(request.user, Dealer, "dealer_id", sent.pop("dealer_id", None))
    customer = services.customer_create(
        actor=request.user,
        data=_customer_data(request, sent),
        contact_points=contacts,
        id_number=id_number,
        dealer=dealer,
        tags=tags,
    )
    # What the caller just created, as created (a region manager may create a customer for no
    # dealer, which their scope then does not show).
    prefetch_related_objects([customer], "tags")
    return Status(201, customer)


@router.get("/customers/{customer_id}", response=answers({200: CustomerOut}, 404, 422))
def customer_detail(request: HttpRequest, customer_id: int) -> Customer:
    return _customer(request, customer_id)


@router.patch(
    "/customers/{customer_id}", response=answers({200: CustomerOut}, 400, 403, 404, 409, 422)
)
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    customer = _customer(request, customer_id)
    _require_editor(request)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    id_number = sent.pop("id_number", None)
    tags = sent.pop("tags", None)
    services.customer_update(
        actor=request.user,
        customer=customer,
        data=_customer_data(request, sent),
        id_number=id_number,
        expected_version=expected_version,
    )
    if tags is not None:
        services.tags_set(actor=request.user, customer=customer, names=tags)
    return _customer(request, customer_id)


@router.get(
    "/customers/{customer_id}/id-number",
    response=answers({200: IdNumberOut}, 403, 404, 422),
    summary="The ID number in full (audited; roles allowed to see identifiers only)",
)
def customer_id_number(request: HttpRequest, customer_id: int) -> dict[str, str]:
    customer = _customer(request, customer_id)
    return {"id_number": services.id_number_reveal(actor=request.user, customer=customer)}


# --- contact points ------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/contact-points",
    response=answers({200: list[ContactPointOut]}, 404, 422),
)
def contact_point_list(request: HttpRequest, customer_id: int) -> Any:
    customer = _customer(request, customer_id)
    return list(ContactPoint.objects.filter(customer=customer))


@router.post(
    "/customers/{customer_id}/contact-points",
    response=answers({201: ContactPointOut}, 400, 403, 404, 422),
)
def contact_point_add(request: HttpRequest, customer_id: int, payload: ContactPointIn) -> Status:
    customer = _customer(request, customer_id)
    _require_editor(request)
    point = services.contact_point_add(actor=request.user, customer=customer, **payload.dict())
    return Status(201, point)


@router.patch(
    "/contact-points/{contact_point_id}",
    response=answers({200: ContactPointOut}, 400, 403, 404, 422),
)
def contact_point_update(
    request: HttpRequest, contact_point_id: int, payload: ContactPointPatch
) -> ContactPoint:
    point = access_object(request.user, ContactPoint.objects.all(), pk=contact_point_id)
    _require_editor(request)
    data = payload.dict(exclude_unset=True)
    if data.get("value") is None:
        data.pop("value", None)
    if data.get("label") is None:
        data.pop("label", None)
    return services.contact_point_update(actor=request.user, contact_point=point, data=data)


@router.delete("/contact-points/{contact_point_id}", response=answers({204: None}, 403, 404, 422))
def contact_point_remove(request: HttpRequest, contact_point_id: int) -> Status:
    point = access_object(request.user, ContactPoint.objects.all(), pk=contact_point_id)
    _require_editor(request)
    services.contact_point_remove(actor=request.user, contact_point=point)
    return Status(204, None)


# --- consents ------------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/consents", response=answers({200: list[ConsentOut]}, 404, 422)
)
def consent_list(request: HttpRequest, customer_id: int) -> Any:
    customer = _customer(request, customer_id)
    return list(Consent.objects.filter(customer=customer))


@router.put(
    "/customers/{customer_id}/consents",
    response=answers({200: ConsentOut}, 400, 403, 404, 422),
    summary="Grant or withdraw consent for one channel and purpose",
)
def consent_set(request: HttpRequest, customer_id: int, payload: ConsentIn) -> Consent:
    customer = _customer(request, customer_id)
    _require_editor(request)
    return services.consent_set(
        actor=request.user,
        customer=customer,
        channel=payload.channel,
        purpose=payload.purpose,
        granted=payload.granted,
        source=payload.source,
        at=payload.changed_at,
    )


@router.get(
    "/customers/{customer_id}/contactability",
    response=answers({200: ContactabilityOut}, 404, 422),
    summary="May we contact this customer on this channel for this purpose now?",
)
def contactability(
    request: HttpRequest, customer_id: int, channel: ChannelName, purpose: PurposeName
) -> dict[str, Any]:
    customer = _customer(request, customer_id)
    decision = consent.may_contact(customer, channel, purpose)
    return {
        "channel": channel,
        "purpose": purpose,
        "allowed": decision.allowed,
        "code": decision.code,
        "reason": decision.reason,
    }


# --- relationships -------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/relationships",
    response=answers({200: list[RelationshipOut]}, 404, 422),
)
def relationship_list(request: HttpRequest, customer_id: int) -> Any:
    customer = _customer(request, customer_id)
    # The related customers are shown by name only when the user may see them.
    visible = Customer.objects.visible_to(request.user).values("pk")
    rows = CustomerRelationship.objects.filter(customer=customer, other__in=visible)
    return list(rows.select_related("other").order_by("kind", "id"))


@router.post(
    "/customers/{customer_id}/relationships",
    response=answers({201: RelationshipOut}, 400, 403, 404, 422),
)
def relationship_add(request: HttpRequest, customer_id: int, payload: RelationshipIn) -> Status:
    customer = _customer(request, customer_id)
    _require_editor(request)
    data = payload.dict()
    other = resolve_reference(request.user, Customer, "other_id", data.pop("other_id"))
    relationship = services.relationship_add(
        actor=request.user, customer=customer, other=other, **data
    )
    return Status(201, relationship)


@router.delete("/relationships/{relationship_id}", response=answers({204: None}, 403, 404, 422))
def relationship_remove(request: HttpRequest, relationship_id: int) -> Status:
    relationship = access_object(
        request.user, CustomerRelationship.objects.all(), pk=relationship_id
    )
    _require_editor(request)
    services.relationship_remove(actor=request.user, relationship=relationship)
    return Status(204, None)
