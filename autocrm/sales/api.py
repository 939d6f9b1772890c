"""Lead endpoints: list, read, create, change, reassign and the loss approval, all within the
caller's scope (a salesperson: their own leads); and the public website form."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from autocrm.accounts.models import User
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer, Region
from autocrm.sales import services
from autocrm.sales.choices import LeadSource
from autocrm.sales.filters import LeadFilterSet
from autocrm.sales.models import Lead, LeadLossRequest
from autocrm.sales.schemas import (
    LeadIn,
    LeadOut,
    LeadPatch,
    LeadReassignIn,
    LossDecisionIn,
    LossRequestIn,
    LossRequestOut,
    PublicLeadIn,
    PublicLeadOut,
)
from autocrm.sales.selectors import LEAD_ORDERING, leads_visible
from autocrm.sales.services.website import website_lead_submit
from autocrm.sales.throttling import limit_requests
from autocrm.vehicles.models import VehicleModel

router = Router(tags=["leads"])
public_router = Router(tags=["public"])

# The public form: requests per client address and window.
PUBLIC_LEAD_LIMIT = 20
PUBLIC_LEAD_WINDOW_SECONDS = 600


def _references(user: Any, sent: dict[str, Any]) -> dict[str, Any]:
    data = dict(sent)
    if "city_id" in data:
        data["city"] = resolve_reference(user, Region, "city_id", data.pop("city_id"))
    if "vehicle_model_id" in data:
        data["vehicle_model"] = resolve_reference(
            user, VehicleModel, "vehicle_model_id", data.pop("vehicle_model_id")
        )
    return data


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    return access_object(request.user, leads_visible(request.user), pk=lead_id)


@router.get("/leads", response=answers({200: PageOut[LeadOut]}, 400, 422), summary="Leads")
def lead_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Newest first; filters: status, grade, timeframe, source, dealer_id, salesperson_id,
    customer_id."""
    queryset = filtered(LeadFilterSet, request.GET, leads_visible(request.user))
    result = keyset_page(queryset, ordering=LEAD_ORDERING, cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/leads/{lead_id}", response=answers({200: LeadOut}, 404, 422))
def lead_detail(request: HttpRequest, lead_id: int) -> Lead:
    return _lead(request, lead_id)


@router.post("/leads", response=answers({201: LeadOut}, 400, 403, 422))
def lead_create(request: HttpRequest, payload: LeadIn) -> Status:
    user = request.user
    data = payload.dict()
    customer = resolve_reference(user, Customer, "customer_id", data.pop("customer_id"))
    dealer = resolve_reference(user, Dealer, "dealer_id", data.pop("dealer_id"))
    salesperson = resolve_reference(user, User, "salesperson_id", data.pop("salesperson_id"))
    if data["grade"] is None:
        del data["grade"]
    lead = services.lead_create(
        actor=user,
        data=_references(user, data),
        customer=customer,
        dealer=dealer,
        salesperson=salesperson,
    )
    return Status(201, lead)


@router.patch("/leads/{lead_id}", response=answers({200: LeadOut}, 400, 403, 404, 409, 422))
def lead_update(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Lead:
    lead = _lead(request, lead_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    return services.lead_update(
        actor=request.user,
        lead=lead,
        data=_references(request.user, sent),
        expected_version=expected_version,
    )


@router.post("/leads/{lead_id}/reassign", response=answers({200: LeadOut}, 400, 403, 404, 409, 422))
def lead_reassign(request: HttpRequest, lead_id: int, payload: LeadReassignIn) -> Lead:
    user = request.user
    lead = _lead(request, lead_id)
    return services.lead_reassign(
        actor=user,
        lead=lead,
        dealer=resolve_reference(user, Dealer, "dealer_id", payload.dealer_id),
        salesperson=resolve_reference(user, User, "salesperson_id", payload.salesperson_id),
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/leads/{lead_id}/loss-requests",
    response=answers({201: LossRequestOut}, 400, 403, 404, 422),
    summary="Ask to close a lead as lost",
)
def lead_loss_request(request: HttpRequest, lead_id: int, payload: LossRequestIn) -> Status:
    lead = _lead(request, lead_id)
    loss = services.lead_loss_request(actor=request.user, lead=lead, reason=payload.reason)
    return Status(201, loss)


@router.post(
    "/leads/{lead_id}/loss-requests/{request_id}/decision",
    response=answers({200: LossRequestOut}, 400, 403, 404, 422),
    summary="Approve or reject a loss request",
)
def lead_loss_decide(
    request: HttpRequest, lead_id: int, request_id: int, payload: LossDecisionIn
) -> LeadLossRequest:
    lead = _lead(request, lead_id)
    loss = LeadLossRequest.objects.filter(lead=lead).get(pk=request_id)
    return services.lead_loss_decide(
        actor=request.user, request=loss, approve=payload.approve, note=payload.note
    )


# --- the public website form -------------------------------------------------------------------


def _public_references(payload: PublicLeadIn) -> dict[str, Any]:
    errors: dict[str, str] = {}
    city = model = None
    if payload.city_code:
        city = Region.objects.filter(code=payload.city_code).first()
        if city is None:
            errors["city_code"] = _("Unknown city code.")
    if payload.model_code:
        model = VehicleModel.objects.filter(code=payload.model_code, is_active=True).first()
        if model is None:
            errors["model_code"] = _("Unknown model code.")
    if errors:
        raise ValidationError(errors)
    return {"city": city, "vehicle_model": model}


@public_router.post(
    "/leads",
    auth=None,
    response=answers({200: PublicLeadOut, 201: PublicLeadOut}, 400, 422, 429),
    summary="The website's lead form (no credentials; limited per client address)",
)
def public_lead_create(request: HttpRequest, payload: PublicLeadIn) -> Status:
    limit_requests(
        request,
        name="public-lead",
        limit=PUBLIC_LEAD_LIMIT,
        window_seconds=PUBLIC_LEAD_WINDOW_SECONDS,
    )
    data = {
        "source": LeadSource.WEBSITE,
        "name": payload.name,
        "phone": payload.phone,
        "email": payload.email,
        "postcode": payload.postcode,
        "timeframe": payload.timeframe,
        "notes": payload.message,
        **_public_references(payload),
    }
    answer = website_lead_submit(
        data=data, submission_id=payload.submission_id, honeypot=payload.website
    )
    return Status(201 if answer.created else 200, {"reference": answer.reference})


def _mount_opportunities() -> None:
    from autocrm.sales.api_opportunities import router as opportunity_router

    router.add_router("/", opportunity_router)


_mount_opportunities()
