from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class RegionIn(Schema):
    code: str = Field(max_length=20)
    name: str = Field(max_length=100)
    level: str
    parent_id: int | None = None


class DealerOut(Schema):
    id: int
    code: str
    name: str
    dealer_type: str
    sells_vehicles: bool
    services_vehicles: bool
    sells_parts: bool
    region_id: int
    region_name: str = Field(alias="region.name")
    group_id: int | None
    address: str
    phone: str
    is_active: bool
    opened_on: datetime.date | None
    version: int


class DealerIn(Schema):
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    dealer_type: str
    sells_vehicles: bool = True
    services_vehicles: bool = True
    sells_parts: bool = True
    region_id: int
    group_id: int | None = None
    address: str = ""
    phone: str = ""
    is_active: bool = True
    opened_on: datetime.date | None = None


class DealerPatch(Schema):
    """Only the fields sent are changed. Send ``version`` to be told when someone else saved
    the dealer after you read it."""

    version: int | None = None
    code: str | None = Field(default=None, max_length=20)
    name: str | None = Field(default=None, max_length=200)
    dealer_type: str | None = None
    sells_vehicles: bool | None = None
    services_vehicles: bool | None = None
    sells_parts: bool | None = None
    region_id: int | None = None
    group_id: int | None = None
    address: str | None = None
    phone: str | None = None
    is_active: bool | None = None
    opened_on: datetime.date | None = None
