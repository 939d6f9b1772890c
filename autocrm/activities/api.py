"""Interaction endpoints: the timeline of every customer the caller may see, and logging."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from autocrm.activities import services
from autocrm.activities.filters import InteractionFilterSet
from autocrm.activities.models import Interaction
from autocrm.activities.schemas import InteractionIn, InteractionOut, InteractionPatch
from autocrm.activities.selectors import TIMELINE_ORDERING
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.vehicles.models import Vehicle

router = Router(tags=["interactions"])


def _references(user: Any, sent: dict[str, Any]) -> dict[str, Any]:
    data = dict(sent)
    if "vehicle_id" in data:
        data["vehicle"] = resolve_reference(user, Vehicle, "vehicle_id", data.pop("vehicle_id"))
    if "dealer_id" in data:
        data["dealer"] = resolve_reference(user, Dealer, "dealer_id", data.pop("dealer_id"))
    return data


@router.get(
    "/interactions",
    response=answers({200: PageOut[InteractionOut]}, 400, 422),
    summary="Interactions, newest first",
)
def interaction_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    queryset = filtered(
        InteractionFilterSet, request.GET, Interaction.objects.visible_to(request.user)
    )
    result = keyset_page(queryset, ordering=TIMELINE_ORDERING, cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/interactions/{interaction_id}", response=answers({200: InteractionOut}, 404, 422))
def interaction_detail(request: HttpRequest, interaction_id: int) -> Interaction:
    return access_object(request.user, Interaction.objects.all(), pk=interaction_id)


@router.post("/interactions", response=answers({201: InteractionOut}, 400, 403, 422))
def interaction_create(request: HttpRequest, payload: InteractionIn) -> Status:
    data = payload.dict()
    customer = resolve_reference(request.user, Customer, "customer_id", data.pop("customer_id"))
    interaction = services.interaction_log(
        actor=request.user, customer=customer, data=_references(request.user, data)
    )
    return Status(201, interaction)


@router.patch(
    "/interactions/{interaction_id}",
    response=answers({200: InteractionOut}, 400, 403, 404, 409, 422),
)
def interaction_update(
    request: HttpRequest, interaction_id: int, payload: InteractionPatch
) -> Interaction:
    interaction = access_object(request.user, Interaction.objects.all(), pk=interaction_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    return services.interaction_update(
        actor=request.user,
        interaction=interaction,
        data=_references(request.user, sent),
        expected_version=expected_version,
    )
