"""Network endpoints: regions and dealers (read for every role, within scope; write for
administrators)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.network import services
from autocrm.network.filters import DealerFilterSet, RegionFilterSet
from autocrm.network.models import Dealer, DealerGroup, Region
from autocrm.network.schemas import DealerIn, DealerOut, DealerPatch, RegionIn, RegionOut

router = Router(tags=["network"])


def _dealer_data(user: Any, payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload)
    if "region_id" in data:
        data["region"] = resolve_reference(user, Region, "region_id", data.pop("region_id"))
    if "group_id" in data:
        data["group"] = resolve_reference(user, DealerGroup, "group_id", data.pop("group_id"))
    return data


@router.get(
    "/regions", response=answers({200: PageOut[RegionOut]}, 400, 422), summary="Regions, by code"
)
def region_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    queryset = filtered(RegionFilterSet, request.GET, Region.objects.visible_to(request.user))
    result = keyset_page(queryset, ordering=("code",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/regions/{region_id}", response=answers({200: RegionOut}, 404, 422))
def region_detail(request: HttpRequest, region_id: int) -> Region:
    return access_object(request.user, Region.objects.all(), pk=region_id)


@router.post("/regions", response=answers({201: RegionOut}, 400, 403, 422))
def region_create(request: HttpRequest, payload: RegionIn) -> Status:
    data = payload.dict()
    data["parent"] = resolve_reference(request.user, Region, "parent_id", data.pop("parent_id"))
    return Status(201, services.region_create(actor=request.user, data=data))


@router.get(
    "/dealers",
    response=answers({200: PageOut[DealerOut]}, 400, 422),
    summary="Dealers and service stations",
)
def dealer_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    queryset = filtered(
        DealerFilterSet,
        request.GET,
        Dealer.objects.visible_to(request.user).select_related("region"),
    )
    result = keyset_page(queryset, ordering=("code",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/dealers/{dealer_id}", response=answers({200: DealerOut}, 404, 422))
def dealer_detail(request: HttpRequest, dealer_id: int) -> Dealer:
    return access_object(request.user, Dealer.objects.select_related("region"), pk=dealer_id)


@router.post("/dealers", response=answers({201: DealerOut}, 400, 403, 422))
def dealer_create(request: HttpRequest, payload: DealerIn) -> Status:
    data = _dealer_data(request.user, payload.dict())
    return Status(201, services.dealer_create(actor=request.user, data=data))


@router.patch("/dealers/{dealer_id}", response=answers({200: DealerOut}, 400, 403, 404, 409, 422))
def dealer_update(request: HttpRequest, dealer_id: int, payload: DealerPatch) -> Dealer:
    dealer = access_object(request.user, Dealer.objects.all(), pk=dealer_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    return services.dealer_update(
        actor=request.user,
        dealer=dealer,
        data=_dealer_data(request.user, sent),
        expected_version=expected_version,
    )
