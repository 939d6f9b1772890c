from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from autocrm.activities.choices import InteractionChannel, InteractionOutcome
from autocrm.core.api_schemas import Text


class InteractionOut(Schema):
    id: int
    customer_id: int
    vehicle_id: int | None
    user_id: int | None
    dealer_id: int | None
    channel: str
    occurred_at: datetime.datetime
    subject: str
    notes: str
    outcome: str
    duration_seconds: int | None
    created_at: datetime.datetime
    version: int


class InteractionIn(Schema):
    """``occurred_at`` defaults to now; ``dealer_id`` to your dealer. A ``vehicle_id`` must be a
    vehicle the customer owns or has owned."""

    customer_id: int
    channel: InteractionChannel
    occurred_at: datetime.datetime | None = None
    subject: Text = Field(max_length=200)
    notes: Text = ""
    outcome: InteractionOutcome | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=2_147_483_647)
    vehicle_id: int | None = None
    dealer_id: int | None = None


class InteractionPatch(Schema):
    """Only the fields sent are changed; the customer and the author never change. Send the
    ``version`` you read to have a change refused (409) when someone else saved in between."""

    channel: InteractionChannel | None = None
    occurred_at: datetime.datetime | None = None
    subject: Text | None = Field(default=None, max_length=200)
    notes: Text | None = None
    outcome: InteractionOutcome | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=2_147_483_647)
    vehicle_id: int | None = None
    dealer_id: int | None = None
    version: int | None = Field(default=None, ge=1)
