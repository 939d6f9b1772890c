"""Opportunity, forecast and quote endpoints, all within the caller's scope (a salesperson:
their own opportunities and their quotes). Mounted under the sales router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from autocrm.accounts.models import User
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.sales import services
from autocrm.sales.filters import OpportunityFilterSet, QuoteFilterSet
from autocrm.sales.models import Opportunity, Quote
from autocrm.sales.pipeline import forecast
from autocrm.sales.quote_pdf import quote_pdf
from autocrm.sales.schemas_opportunities import (
    ForecastOut,
    ForecastParams,
    LeadConvertIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    QuoteIn,
    QuoteOut,
    QuoteReviseIn,
    StageChangeIn,
    StageChangeOut,
)
from autocrm.sales.selectors import (
    OPPORTUNITY_ORDERING,
    QUOTE_ORDERING,
    leads_visible,
    opportunities_visible,
    quotes_visible,
    stage_history,
)
from autocrm.vehicles.models import Vehicle, VehicleModel

router = Router(tags=["opportunities"])


def _references(user: Any, sent: dict[str, Any]) -> dict[str, Any]:
    data = dict(sent)
    if "vehicle_model_id" in data:
        data["vehicle_model"] = resolve_reference(
            user, VehicleModel, "vehicle_model_id", data.pop("vehicle_model_id")
        )
    if "trade_in_vehicle_id" in data:
        data["trade_in_vehicle"] = resolve_reference(
            user, Vehicle, "trade_in_vehicle_id", data.pop("trade_in_vehicle_id")
        )
    return data


def _opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return access_object(request.user, opportunities_visible(request.user), pk=opportunity_id)


def _quote(request: HttpRequest, quote_id: int) -> Quote:
    return access_object(
        request.user, quotes_visible(request.user).prefetch_related("lines"), pk=quote_id
    )


@router.get(
    "/opportunities",
    response=answers({200: PageOut[OpportunityOut]}, 400, 422),
    summary="Opportunities",
)
def opportunity_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Newest first; filters: stage, dealer_id, salesperson_id, vehicle_model_id,
    customer_id."""
    queryset = filtered(OpportunityFilterSet, request.GET, opportunities_visible(request.user))
    result = keyset_page(
        queryset, ordering=OPPORTUNITY_ORDERING, cursor=page.cursor, limit=page.limit
    )
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/opportunities/{opportunity_id}", response=answers({200: OpportunityOut}, 404, 422))
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return _opportunity(request, opportunity_id)


@router.get(
    "/opportunities/{opportunity_id}/stages",
    response=answers({200: list[StageChangeOut]}, 404, 422),
    summary="An opportunity's stage history, newest first",
)
def opportunity_stages(request: HttpRequest, opportunity_id: int) -> list[Any]:
    return stage_history(_opportunity(request, opportunity_id))


@router.post("/opportunities", response=answers({201: OpportunityOut}, 400, 403, 422))
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status:
    user = request.user
    data = payload.dict()
    customer = resolve_reference(user, Customer, "customer_id", data.pop("customer_id"))
    dealer = resolve_reference(user, Dealer, "dealer_id", data.pop("dealer_id"))
    salesperson = resolve_reference(user, User, "salesperson_id", data.pop("salesperson_id"))
    if data["probability"] is None:
        del data["probability"]
    opportunity = services.opportunity_create(
        actor=user,
        customer=customer,
        dealer=dealer,
        salesperson=salesperson,
        data=_references(user, data),
    )
    return Status(201, opportunity)


@router.patch(
    "/opportunities/{opportunity_id}",
    response=answers({200: OpportunityOut}, 400, 403, 404, 409, 422),
)
def opportunity_update(
    request: HttpRequest, opportunity_id: int, payload: OpportunityPatch
) -> Opportunity:
    opportunity = _opportunity(request, opportunity_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    return services.opportunity_update(
        actor=request.user,
        opportunity=opportunity,
        data=_references(request.user, sent),
        expected_version=expected_version,
    )


@router.post(
    "/opportunities/{opportunity_id}/stage",
    response=answers({200: OpportunityOut}, 400, 403, 404, 409, 422),
    summary="Move an opportunity to another stage",
)
def opportunity_change_stage(
    request: HttpRequest, opportunity_id: int, payload: StageChangeIn
) -> Opportunity:
    return services.opportunity_change_stage(
        actor=request.user,
        opportunity=_opportunity(request, opportunity_id),
        stage=payload.stage,
        lost_reason=payload.lost_reason,
        expected_version=payload.version,
    )


@router.post(
    "/leads/{lead_id}/convert",
    response=answers({201: OpportunityOut}, 400, 403, 404, 409, 422),
    summary="Convert a qualified lead into an opportunity",
)
def lead_convert(request: HttpRequest, lead_id: int, payload: LeadConvertIn) -> Status:
    lead = access_object(request.user, leads_visible(request.user), pk=lead_id)
    data = {
        name: value
        for name, value in payload.dict(exclude={"version"}).items()
        if value is not None
    }
    opportunity = services.lead_convert(
        actor=request.user, lead=lead, data=data, expected_version=payload.version
    )
    return Status(201, opportunity)


@router.get(
    "/forecast",
    response=answers({200: ForecastOut}, 422),
    summary="Expected amount of open opportunities by expected-close month",
)
def opportunity_forecast(request: HttpRequest, params: Query[ForecastParams]) -> dict[str, Any]:
    result = forecast(
        request.user, grouping=params.group_by, start=params.start, months=params.months
    )
    return {"group_by": result.grouping, "total": result.total, "rows": result.flat}


# --- quotes -------------------------------------------------------------------------------------

quotes = Router(tags=["quotes"])
router.add_router("/", quotes)


@quotes.get("/quotes", response=answers({200: PageOut[QuoteOut]}, 400, 422), summary="Quotes")
def quote_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Newest first; filters: status, opportunity_id, customer_id."""
    queryset = filtered(
        QuoteFilterSet, request.GET, quotes_visible(request.user).prefetch_related("lines")
    )
    result = keyset_page(queryset, ordering=QUOTE_ORDERING, cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@quotes.get("/quotes/{quote_id}", response=answers({200: QuoteOut}, 404, 422))
def quote_detail(request: HttpRequest, quote_id: int) -> Quote:
    return _quote(request, quote_id)


@quotes.post("/quotes", response=answers({201: QuoteOut}, 400, 403, 404, 422))
def quote_create(request: HttpRequest, payload: QuoteIn) -> Status:
    opportunity = resolve_reference(
        request.user, Opportunity, "opportunity_id", payload.opportunity_id
    )
    # A salesperson quotes only their own opportunities.
    opportunity = _opportunity(request, opportunity.pk)
    quote = services.quote_create(
        actor=request.user,
        opportunity=opportunity,
        lines=[line.dict() for line in payload.lines],
        valid_until=payload.valid_until,
        notes=payload.notes,
    )
    return Status(201, quote)


@quotes.post(
    "/quotes/{quote_id}/revise",
    response=answers({201: QuoteOut}, 400, 403, 404, 422),
    summary="Copy a quote to a new version; the old one is superseded",
)
def quote_revise(request: HttpRequest, quote_id: int, payload: QuoteReviseIn) -> Status:
    revision = services.quote_revise(
        actor=request.user,
        quote=_quote(request, quote_id),
        lines=[line.dict() for line in payload.lines] if payload.lines is not None else None,
        valid_until=payload.valid_until,
        notes=payload.notes,
    )
    return Status(201, revision)


@quotes.post("/quotes/{quote_id}/send", response=answers({200: QuoteOut}, 400, 403, 404, 422))
def quote_send(request: HttpRequest, quote_id: int) -> Quote:
    return services.quote_send(actor=request.user, quote=_quote(request, quote_id))


@quotes.post(
    "/quotes/{quote_id}/accept",
    response=answers({200: QuoteOut}, 400, 403, 404, 422),
    summary="The customer accepted: the vehicle order is created",
)
def quote_accept(request: HttpRequest, quote_id: int) -> Quote:
    return services.quote_accept(actor=request.user, quote=_quote(request, quote_id))


@quotes.post("/quotes/{quote_id}/reject", response=answers({200: QuoteOut}, 400, 403, 404, 422))
def quote_reject(request: HttpRequest, quote_id: int) -> Quote:
    return services.quote_reject(actor=request.user, quote=_quote(request, quote_id))


@quotes.get(
    "/quotes/{quote_id}/pdf",
    response={200: None, **answers({}, 404, 422)},
    summary="The printable quote (PDF)",
)
def quote_download(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote}.pdf"'
    return response
