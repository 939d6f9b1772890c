"""Input and output schemas of the imports API."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from autocrm.core.api_schemas import Text


class SourceRecordOut(Schema):
    source: str
    key: str
    customer_id: int | None
    customer_number: str | None = Field(None, alias="customer.number")
    vehicle_id: int | None
    vin: str | None = Field(None, alias="vehicle.vin")
    first_seen_at: datetime.datetime
    last_seen_at: datetime.datetime


class IdentityReviewOut(Schema):
    id: int
    reason: str
    decision: str
    existing_id: int
    candidate_id: int | None
    incoming: dict[str, Any]
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class DecisionIn(Schema):
    same: bool = Field(description="true: one customer (merge the new into the existing)")
    reason: Text = ""


class MergeIn(Schema):
    survivor_id: int
    merged_ids: list[int] = Field(min_length=1)
    reason: Text = Field("", max_length=255)


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_customer_ids: list[int]
    moved: dict[str, int]
    merged_at: datetime.datetime


class ImportRunOut(Schema):
    id: int
    source: str
    original_name: str
    status: str
    rows_total: int
    customers_created: int
    customers_matched: int
    vehicles_created: int
    vehicles_matched: int
    rows_unchanged: int
    rows_failed: int
    rows_for_review: int
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
