from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text


class OrderItemOut(Schema):
    id: int
    order_id: int
    order_number: str | None = Field(None, alias="order.number")
    line: int
    status: str
    vehicle_id: int | None
    vin: str | None = Field(None, alias="vehicle.vin")
    production_number: str | None
    expected_delivery: datetime.date | None
    allocated_at: datetime.datetime | None
    delivered_on: datetime.date | None
    customer_id: int | None
    salesperson_id: int | None
    price: Decimal | None
    ownership_id: int | None
    version: int


class StepOut(Schema):
    label: str
    reached: bool
    current: bool
    occurred_at: datetime.datetime | None
    location: str


class TracedItemOut(OrderItemOut):
    """An ordered car with its road (the timeline) and the expected delivery date."""

    timeline: list[StepOut]
    expected: datetime.date | None


class VehicleOrderOut(Schema):
    id: int
    number: str | None
    dealer_id: int
    kind: str
    customer_id: int | None
    salesperson_id: int | None
    vehicle_model_id: int
    colour: str
    quantity: int
    unit_price: Decimal | None
    dealer_cost: Decimal
    requested_delivery: datetime.date | None
    expected_delivery: datetime.date | None
    status: str
    notes: str
    cancel_reason: str
    confirmed_at: datetime.datetime | None
    delivered_on: datetime.date | None
    created_by_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int


class VehicleOrderDetailOut(VehicleOrderOut):
    items: list[TracedItemOut]


class VehicleOrderIn(Schema):
    """``vehicle_model_id`` is the catalogue row (model and configuration). ``kind`` defaults to
    "customer" with a ``customer_id``, else "stock". Dealer staff order for their own dealer
    (``dealer_id`` defaults to it); ``unit_price`` defaults to the catalogue price."""

    vehicle_model_id: int
    dealer_id: int | None = None
    quantity: int = 1
    colour: Text = Field(default="", max_length=50)
    kind: str | None = None
    customer_id: int | None = None
    salesperson_id: int | None = None
    unit_price: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    requested_delivery: datetime.date | None = None
    notes: Text = ""


class CancelIn(Schema):
    reason: Text = Field(max_length=255)
    version: int | None = None


class ConfirmIn(Schema):
    expected_delivery: datetime.date | None = None
    version: int | None = None


class AllocateIn(Schema):
    """One car of the order (``line``, or the first without a VIN) gets its production number
    and VIN; the vehicle is created in production, held by the ordering dealer."""

    vin: Text = Field(max_length=30)
    production_number: Text = Field(max_length=30)
    line: int | None = None
    expected_delivery: datetime.date | None = None
    production_date: datetime.date | None = None
    plant: Text = Field(default="", max_length=50)


class BulkAllocationIn(AllocateIn):
    order_number: Text = Field(max_length=20)


class BulkAllocationsIn(Schema):
    items: list[BulkAllocationIn]


class AllocationResultOut(Schema):
    index: int
    outcome: str
    item_id: int | None
    vehicle_id: int | None
    line: int | None
    field: str
    message: str


class BulkAllocationsOut(Schema):
    allocated: int
    errors: int
    results: list[AllocationResultOut]


class DeliverIn(Schema):
    """``customer_id`` is required for a car ordered for stock; ``price`` defaults to the
    order's price per car, ``delivered_on`` to today."""

    customer_id: int | None = None
    delivered_on: datetime.date | None = None
    price: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    version: int | None = None
