"""Input and output schemas of the vehicles API."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text
from autocrm.vehicles.lifecycle import MAX_BULK_EVENTS
from autocrm.vehicles.services import MAX_PLAUSIBLE_KM

Price = Field(default=None, ge=0, max_digits=12, decimal_places=2)


class VehicleModelOut(Schema):
    id: int
    code: str
    brand: str
    series: str
    name: str
    configuration: str
    model_year: int
    powertrain: str
    price: Decimal
    is_active: bool


class VehicleModelIn(Schema):
    code: Text = Field(max_length=30)
    brand: Text = Field(max_length=50)
    series: Text = Field(max_length=50)
    name: Text = Field(max_length=100)
    configuration: Text = Field(default="", max_length=100)
    model_year: int = Field(ge=1950, le=2100)
    powertrain: Text
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    is_active: bool = True


class VehicleModelPatch(Schema):
    code: Text | None = Field(default=None, max_length=30)
    brand: Text | None = Field(default=None, max_length=50)
    series: Text | None = Field(default=None, max_length=50)
    name: Text | None = Field(default=None, max_length=100)
    configuration: Text | None = Field(default=None, max_length=100)
    model_year: int | None = Field(default=None, ge=1950, le=2100)
    powertrain: Text | None = None
    price: Decimal | None = Price
    is_active: bool | None = None


class VehicleOut(Schema):
    id: int
    vin: str
    vin_check_digit_ok: bool = Field(
        description="false: another maker's VIN whose check digit does not match (a data-quality "
        "flag)"
    )
    model_id: int | None
    engine_number: str
    frame_number: str
    production_number: str | None
    production_date: datetime.date | None
    plant: str
    colour: str
    plate: str
    status: str
    dealer_id: int | None
    current_mileage: int | None
    mileage_read_on: datetime.date | None
    version: int


class VehicleIn(Schema):
    vin: Text = Field(max_length=40, description="17 characters; spaces and dashes are ignored")
    model_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    engine_number: Text = Field(default="", max_length=30)
    frame_number: Text = Field(default="", max_length=30)
    production_number: Text | None = Field(default=None, max_length=30)
    production_date: datetime.date | None = None
    plant: Text = Field(default="", max_length=50)
    colour: Text = Field(default="", max_length=50)
    plate: Text = Field(default="", max_length=30)
    status: Text = "sold"
    dealer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    owner_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="start this customer's ownership today"
    )


class VehiclePatch(Schema):
    """Only the fields sent change. Send ``version`` to be told (409) when someone else saved
    the vehicle after you read it."""

    version: int | None = Field(default=None, ge=1, le=2**31)
    vin: Text | None = Field(default=None, max_length=40)
    model_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    engine_number: Text | None = Field(default=None, max_length=30)
    frame_number: Text | None = Field(default=None, max_length=30)
    production_number: Text | None = Field(default=None, max_length=30)
    production_date: datetime.date | None = None
    plant: Text | None = Field(default=None, max_length=50)
    colour: Text | None = Field(default=None, max_length=50)
    plate: Text | None = Field(default=None, max_length=30)
    status: Text | None = None
    dealer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class OwnershipOut(Schema):
    id: int
    vehicle_id: int
    customer_id: int
    customer_number: str | None = Field(alias="customer.number")
    role: str
    started_on: datetime.date
    ended_on: datetime.date | None
    selling_dealer_id: int | None
    price: Decimal | None


class OwnershipIn(Schema):
    vehicle_id: int = Field(ge=1, le=2**63 - 1)
    customer_id: int = Field(ge=1, le=2**63 - 1)
    role: Text = "owner"
    started_on: datetime.date
    selling_dealer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    price: Decimal | None = Price


class TransferIn(Schema):
    customer_id: int = Field(ge=1, le=2**63 - 1, description="the new owner")
    on_date: datetime.date
    selling_dealer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    price: Decimal | None = Price


class OdometerReadingOut(Schema):
    id: int
    reading_km: int
    read_on: datetime.date
    source: str
    flagged: bool = Field(description="lower than an earlier reading; not the current mileage")


class OdometerReadingIn(Schema):
    reading_km: int = Field(ge=0, le=MAX_PLAUSIBLE_KM)
    read_on: datetime.date
    source: Text = Field(default="", max_length=50)


class VehicleEventOut(Schema):
    id: int
    kind: str
    occurred_at: datetime.datetime
    location: str
    dealer_id: int | None
    source: str
    external_id: str | None
    details: dict[str, Any]


class BulkEventIn(Schema):
    kind: Text
    occurred_at: datetime.datetime
    external_id: Text = Field(min_length=1, max_length=100)
    vin: Text = Field(default="", max_length=40)
    production_number: Text = Field(default="", max_length=30)
    location: Text = Field(default="", max_length=100)
    dealer_code: Text = Field(default="", max_length=20)
    details: dict[str, Any] = Field(default_factory=dict)


class BulkEventsIn(Schema):
    source: Text = Field(min_length=1, max_length=50, description="the sending system")
    events: list[BulkEventIn] = Field(max_length=MAX_BULK_EVENTS)


class BulkEventResultOut(Schema):
    index: int = Field(description="position of the item in the request")
    outcome: str = Field(description="recorded, duplicate or error")
    event_id: int | None
    vehicle_id: int | None
    message: str


class BulkEventsOut(Schema):
    recorded: int
    duplicates: int
    errors: int
    results: list[BulkEventResultOut]
