"""Vehicle order endpoints: list, read, create, cancel; the OEM's confirmation and allocation
(one car, or many in bulk from the OEM's systems); delivery; and ordered cars traced by VIN,
production number or order number. All within the caller's scope (out of scope is 404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from autocrm.accounts.models import User
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.orders import services, tracing
from autocrm.orders.filters import VehicleOrderFilterSet
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.orders.permissions import own_dealer_id
from autocrm.orders.schemas import (
    AllocateIn,
    BulkAllocationsIn,
    BulkAllocationsOut,
    CancelIn,
    ConfirmIn,
    DeliverIn,
    OrderItemOut,
    TracedItemOut,
    VehicleOrderDetailOut,
    VehicleOrderIn,
    VehicleOrderOut,
)
from autocrm.orders.selectors import (
    ORDER_ORDERING,
    items_by_reference,
    items_visible,
    order_for,
    order_items,
    orders_visible,
)
from autocrm.vehicles.models import VehicleModel

router = Router(tags=["vehicle orders"])


def _traced(items: list[VehicleOrderItem]) -> list[dict[str, Any]]:
    answer = []
    for timeline in tracing.timelines(items):
        row = OrderItemOut.from_orm(timeline.item).dict()
        row["timeline"] = [
            {
                "label": str(step.label),
                "reached": step.reached,
                "current": step.current,
                "occurred_at": step.occurred_at,
                "location": step.location,
            }
            for step in timeline.steps
        ]
        row["expected"] = timeline.expected_delivery
        answer.append(row)
    return answer


def _detail(order: VehicleOrder) -> dict[str, Any]:
    data = VehicleOrderOut.from_orm(order).dict()
    data["items"] = _traced(order_items(order))
    return data


@router.get(
    "/vehicle-orders",
    response=answers({200: PageOut[VehicleOrderOut]}, 400, 422),
    summary="Vehicle orders",
)
def order_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Newest first; filters: status, kind, dealer_id, vehicle_model_id, customer_id,
    salesperson_id."""
    queryset = filtered(VehicleOrderFilterSet, request.GET, orders_visible(request.user))
    result = keyset_page(queryset, ordering=ORDER_ORDERING, cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get(
    "/vehicle-orders/{order_id}",
    response=answers({200: VehicleOrderDetailOut}, 404, 422),
    summary="A vehicle order with its cars and their road",
)
def order_detail(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _detail(order_for(request.user, order_id))


@router.post("/vehicle-orders", response=answers({201: VehicleOrderOut}, 400, 403, 422))
def order_create(request: HttpRequest, payload: VehicleOrderIn) -> Status:
    user = request.user
    dealer_id = payload.dealer_id or own_dealer_id(user)
    order = services.vehicle_order_create(
        actor=user,
        dealer=resolve_reference(user, Dealer, "dealer_id", dealer_id),
        vehicle_model=resolve_reference(
            user, VehicleModel, "vehicle_model_id", payload.vehicle_model_id
        ),
        quantity=payload.quantity,
        colour=payload.colour,
        customer=resolve_reference(user, Customer, "customer_id", payload.customer_id),
        salesperson=resolve_reference(user, User, "salesperson_id", payload.salesperson_id),
        unit_price=payload.unit_price,
        requested_delivery=payload.requested_delivery,
        notes=payload.notes,
        kind=payload.kind,
    )
    return Status(201, order)


@router.post(
    "/vehicle-orders/{order_id}/cancel",
    response=answers({200: VehicleOrderOut}, 400, 403, 404, 409, 422),
)
def order_cancel(request: HttpRequest, order_id: int, payload: CancelIn) -> VehicleOrder:
    return services.vehicle_order_cancel(
        actor=request.user,
        order=order_for(request.user, order_id),
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/vehicle-orders/{order_id}/confirm",
    response=answers({200: VehicleOrderOut}, 400, 403, 404, 409, 422),
    summary="The OEM confirms the order",
)
def order_confirm(request: HttpRequest, order_id: int, payload: ConfirmIn) -> VehicleOrder:
    return services.vehicle_order_confirm(
        actor=request.user,
        order=order_for(request.user, order_id),
        expected_delivery=payload.expected_delivery,
        expected_version=payload.version,
    )


@router.post(
    "/vehicle-orders/{order_id}/allocations",
    response=answers({201: OrderItemOut}, 400, 403, 404, 422),
    summary="The OEM allocates one car a production number and VIN",
)
def order_allocate(request: HttpRequest, order_id: int, payload: AllocateIn) -> Status:
    item = services.order_item_allocate(
        actor=request.user,
        order=order_for(request.user, order_id),
        **payload.dict(),
    )
    return Status(201, item)


@router.post(
    "/vehicle-order-allocations/bulk",
    response=answers({200: BulkAllocationsOut}, 400, 403, 422),
    summary="The OEM allocates many cars (an answer per item)",
)
def allocations_bulk(request: HttpRequest, payload: BulkAllocationsIn) -> dict[str, Any]:
    results = services.allocations_record_bulk(
        actor=request.user,
        items=[services.AllocationItem(**item.dict()) for item in payload.items],
    )
    allocated = sum(1 for result in results if result.outcome == "allocated")
    return {"allocated": allocated, "errors": len(results) - allocated, "results": results}


@router.post(
    "/vehicle-order-items/{item_id}/deliver",
    response=answers({200: OrderItemOut}, 400, 403, 404, 409, 422),
    summary="Deliver an ordered car that is at the dealer",
)
def item_deliver(request: HttpRequest, item_id: int, payload: DeliverIn) -> VehicleOrderItem:
    user = request.user
    item = access_object(user, items_visible(user), pk=item_id)
    return services.order_item_deliver(
        actor=user,
        item=item,
        customer=resolve_reference(user, Customer, "customer_id", payload.customer_id),
        delivered_on=payload.delivered_on,
        price=payload.price,
        expected_version=payload.version,
    )


@router.get(
    "/vehicle-order-items",
    response=answers({200: list[TracedItemOut]}, 422),
    summary="Ordered cars by VIN, production number or order number, with their road",
)
def items_lookup(request: HttpRequest, reference: str) -> list[dict[str, Any]]:
    return _traced(list(items_by_reference(request.user, reference)[:100]))
