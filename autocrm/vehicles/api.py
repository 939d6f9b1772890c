"""Vehicles endpoints: the model catalogue (public to every role), vehicles, ownership, mileage
and lifecycle events (within the caller's scope; out of scope is 404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.vehicles import services
from autocrm.vehicles.filters import VehicleFilterSet, VehicleModelFilterSet
from autocrm.vehicles.lifecycle import EventItem, Outcome
from autocrm.vehicles.models import OdometerReading, Ownership, Vehicle, VehicleEvent, VehicleModel
from autocrm.vehicles.schemas import (
    BulkEventsIn,
    BulkEventsOut,
    OdometerReadingIn,
    OdometerReadingOut,
    OwnershipIn,
    OwnershipOut,
    TransferIn,
    VehicleEventOut,
    VehicleIn,
    VehicleModelIn,
    VehicleModelOut,
    VehicleModelPatch,
    VehicleOut,
    VehiclePatch,
)

router = Router(tags=["vehicles"])

# Related rows a vehicle's sub-lists answer with; a vehicle's history stays far below this.
RELATED_LIMIT = 500


def _vehicle_data(user: Any, sent: dict[str, Any]) -> dict[str, Any]:
    data = dict(sent)
    if "model_id" in data:
        data["model"] = resolve_reference(user, VehicleModel, "model_id", data.pop("model_id"))
    if "dealer_id" in data:
        data["dealer"] = resolve_reference(user, Dealer, "dealer_id", data.pop("dealer_id"))
    return data


def _selling_dealer(user: Any, dealer_id: int | None) -> Dealer | None:
    return resolve_reference(user, Dealer, "selling_dealer_id", dealer_id)


def _vehicle(request: HttpRequest, vehicle_id: int) -> Vehicle:
    return access_object(request.user, Vehicle.objects.all(), pk=vehicle_id)


# --- catalogue -------------------------------------------------------------------------------


@router.get(
    "/vehicle-models",
    response=answers({200: PageOut[VehicleModelOut]}, 400, 422),
    summary="The model catalogue, by code",
)
def vehicle_model_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    queryset = filtered(
        VehicleModelFilterSet, request.GET, VehicleModel.objects.visible_to(request.user)
    )
    result = keyset_page(queryset, ordering=("code",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/vehicle-models/{model_id}", response=answers({200: VehicleModelOut}, 404, 422))
def vehicle_model_detail(request: HttpRequest, model_id: int) -> VehicleModel:
    return access_object(request.user, VehicleModel.objects.all(), pk=model_id)


@router.post("/vehicle-models", response=answers({201: VehicleModelOut}, 400, 403, 422))
def vehicle_model_create(request: HttpRequest, payload: VehicleModelIn) -> Status:
    return Status(201, services.vehicle_model_create(actor=request.user, data=payload.dict()))


@router.patch(
    "/vehicle-models/{model_id}", response=answers({200: VehicleModelOut}, 400, 403, 404, 422)
)
def vehicle_model_update(
    request: HttpRequest, model_id: int, payload: VehicleModelPatch
) -> VehicleModel:
    vehicle_model = access_object(request.user, VehicleModel.objects.all(), pk=model_id)
    return services.vehicle_model_update(
        actor=request.user, vehicle_model=vehicle_model, data=payload.dict(exclude_unset=True)
    )


# --- vehicles --------------------------------------------------------------------------------


@router.get(
    "/vehicles",
    response=answers({200: PageOut[VehicleOut]}, 400, 422),
    summary="Vehicles, by VIN",
    description="Filters: vin (full, or its last 6-16 characters), plate, status, model_id, "
    "dealer_id, check_digit_ok.",
)
def vehicle_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    queryset = filtered(VehicleFilterSet, request.GET, Vehicle.objects.visible_to(request.user))
    result = keyset_page(queryset, ordering=("vin",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/vehicles/{vehicle_id}", response=answers({200: VehicleOut}, 404, 422))
def vehicle_detail(request: HttpRequest, vehicle_id: int) -> Vehicle:
    return _vehicle(request, vehicle_id)


@router.post("/vehicles", response=answers({201: VehicleOut}, 400, 403, 422))
def vehicle_create(request: HttpRequest, payload: VehicleIn) -> Status:
    data = payload.dict()
    owner = resolve_reference(request.user, Customer, "owner_id", data.pop("owner_id"))
    vehicle = services.vehicle_create(
        actor=request.user, data=_vehicle_data(request.user, data), owner=owner
    )
    return Status(201, vehicle)


@router.patch(
    "/vehicles/{vehicle_id}", response=answers({200: VehicleOut}, 400, 403, 404, 409, 422)
)
def vehicle_update(request: HttpRequest, vehicle_id: int, payload: VehiclePatch) -> Vehicle:
    vehicle = _vehicle(request, vehicle_id)
    sent = payload.dict(exclude_unset=True)
    expected_version = sent.pop("version", None)
    return services.vehicle_update(
        actor=request.user,
        vehicle=vehicle,
        data=_vehicle_data(request.user, sent),
        expected_version=expected_version,
    )


# --- ownership -------------------------------------------------------------------------------


@router.get(
    "/vehicles/{vehicle_id}/ownerships",
    response=answers({200: list[OwnershipOut]}, 404, 422),
    summary="A vehicle's owners and drivers, newest first",
)
def ownership_list(request: HttpRequest, vehicle_id: int) -> list[Ownership]:
    vehicle = _vehicle(request, vehicle_id)
    rows = vehicle.ownerships.select_related("customer").order_by("-started_on", "-id")
    return list(rows[:RELATED_LIMIT])


@router.post("/ownerships", response=answers({201: OwnershipOut}, 400, 403, 422))
def ownership_create(request: HttpRequest, payload: OwnershipIn) -> Status:
    user = request.user
    ownership = services.ownership_start(
        actor=user,
        vehicle=resolve_reference(user, Vehicle, "vehicle_id", payload.vehicle_id),
        customer=resolve_reference(user, Customer, "customer_id", payload.customer_id),
        role=payload.role,
        started_on=payload.started_on,
        selling_dealer=resolve_reference(
            user, Dealer, "selling_dealer_id", payload.selling_dealer_id
        ),
        price=payload.price,
    )
    return Status(201, ownership)


@router.post(
    "/vehicles/{vehicle_id}/transfer",
    response=answers({201: OwnershipOut}, 400, 403, 404, 422),
    summary="Transfer the vehicle to a new owner",
    description="Closes the current owner's ownership on on_date and opens the new owner's.",
)
def ownership_transfer(request: HttpRequest, vehicle_id: int, payload: TransferIn) -> Status:
    user = request.user
    ownership = services.ownership_transfer(
        actor=user,
        vehicle=_vehicle(request, vehicle_id),
        new_customer=resolve_reference(user, Customer, "customer_id", payload.customer_id),
        on_date=payload.on_date,
        selling_dealer=resolve_reference(
            user, Dealer, "selling_dealer_id", payload.selling_dealer_id
        ),
        price=payload.price,
    )
    return Status(201, ownership)


# --- mileage and events ----------------------------------------------------------------------


@router.get(
    "/vehicles/{vehicle_id}/odometer-readings",
    response=answers({200: list[OdometerReadingOut]}, 404, 422),
    summary="A vehicle's mileage readings, newest first",
)
def odometer_list(request: HttpRequest, vehicle_id: int) -> list[OdometerReading]:
    vehicle = _vehicle(request, vehicle_id)
    return list(vehicle.odometer_readings.order_by("-read_on", "-id")[:RELATED_LIMIT])


@router.post(
    "/vehicles/{vehicle_id}/odometer-readings",
    response=answers({201: OdometerReadingOut}, 400, 403, 404, 422),
    description="A reading lower than an earlier one is stored with flagged=true and does not "
    "become the vehicle's current mileage.",
)
def odometer_create(request: HttpRequest, vehicle_id: int, payload: OdometerReadingIn) -> Status:
    reading = services.odometer_record(
        actor=request.user, vehicle=_vehicle(request, vehicle_id), **payload.dict()
    )
    return Status(201, reading)


@router.get(
    "/vehicles/{vehicle_id}/events",
    response=answers({200: list[VehicleEventOut]}, 404, 422),
    summary="A vehicle's lifecycle timeline, newest first",
)
def event_list(request: HttpRequest, vehicle_id: int) -> list[VehicleEvent]:
    vehicle = _vehicle(request, vehicle_id)
    return list(vehicle.events.order_by("-occurred_at", "-id")[:RELATED_LIMIT])


@router.post(
    "/vehicle-events/bulk",
    response=answers({200: BulkEventsOut}, 400, 403, 422),
    summary="Post lifecycle events from a factory or logistics system",
    description="Up to 1,000 events, each naming its vehicle by vin or production_number and "
    "carrying the sending system's external_id: posting the same event again records it once "
    "(outcome duplicate). Each item is answered: recorded, duplicate, or error with a message "
    "(unknown VIN, unknown dealer code, ...); errors do not stop the other items.",
)
def events_bulk(request: HttpRequest, payload: BulkEventsIn) -> dict[str, Any]:
    items = [EventItem(**event.dict()) for event in payload.events]
    results = services.events_record_bulk(actor=request.user, source=payload.source, items=items)
    return {
        "recorded": sum(result.outcome == Outcome.RECORDED for result in results),
        "duplicates": sum(result.outcome == Outcome.DUPLICATE for result in results),
        "errors": sum(result.outcome == Outcome.ERROR for result in results),
        "results": results,
    }
