from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class RegionIn(Schema):
    code: Text = Field(max_length=20)
    name: Text = Field(max_length=100)
    level: Text
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
    code: Text = Field(max_length=20)
    name: Text = Field(max_length=200)
    dealer_type: Text
    sells_vehicles: bool = True
    services_vehicles: bool = True
    sells_parts: bool = True
    region_id: int
    group_id: int | None = None
    address: Text = Field(default="", max_length=255)
    phone: Text = Field(default="", max_length=32)
    is_active: bool = True
    opened_on: datetime.date | None = None


class DealerPatch(Schema):
    """Only the fields sent are changed. Send ``version`` to be told when someone else saved
    the dealer after you read it."""

    version: int | None = None
    code: Text | None = Field(default=None, max_length=20)
    name: Text | None = Field(default=None, max_length=200)
    dealer_type: Text | None = None
    sells_vehicles: bool | None = None
    services_vehicles: bool | None = None
    sells_parts: bool | None = None
    region_id: int | None = None
    group_id: int | None = None
    address: Text | None = Field(default=None, max_length=255)
    phone: Text | None = Field(default=None, max_length=32)
    is_active: bool | None = None
    opened_on: datetime.date | None = None
