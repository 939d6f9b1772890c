"""Input and output schemas of the opportunity, forecast and quote endpoints."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text
from autocrm.sales.choices import ForecastGrouping, OpportunityStage, QuoteLineKind


class OpportunityOut(Schema):
    id: int
    number: str | None
    customer_id: int
    lead_id: int | None
    dealer_id: int
    salesperson_id: int | None
    vehicle_model_id: int | None
    stage: str
    amount: Decimal
    probability: int
    expected_close: datetime.date | None
    competitor: str
    trade_in_vehicle_id: int | None
    trade_in_description: str
    trade_in_value: Decimal | None
    lost_reason: str
    notes: str
    stage_changed_at: datetime.datetime
    last_activity_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int


class _OpportunityDetails(Schema):
    vehicle_model_id: int | None = None
    amount: Decimal = Field(default=Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    expected_close: datetime.date | None = None
    competitor: Text = Field(default="", max_length=200)
    trade_in_vehicle_id: int | None = None
    trade_in_description: Text = Field(default="", max_length=200)
    trade_in_value: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    notes: Text = ""


class OpportunityIn(_OpportunityDetails):
    customer_id: int
    dealer_id: int | None = Field(
        default=None, description="Required for headquarters; dealer staff: their own dealer."
    )
    salesperson_id: int | None = None
    probability: int | None = Field(default=None, ge=0, le=100)


class OpportunityPatch(Schema):
    vehicle_model_id: int | None = None
    amount: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    probability: int | None = Field(default=None, ge=0, le=100)
    expected_close: datetime.date | None = None
    competitor: Text | None = Field(default=None, max_length=200)
    trade_in_vehicle_id: int | None = None
    trade_in_description: Text | None = Field(default=None, max_length=200)
    trade_in_value: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    notes: Text | None = None
    version: int | None = Field(
        default=None, description="The version read; a stale one answers 409."
    )


class StageChangeIn(Schema):
    stage: OpportunityStage
    lost_reason: Text = Field(default="", max_length=255)
    version: int | None = None


class LeadConvertIn(Schema):
    version: int | None = None
    amount: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    expected_close: datetime.date | None = None


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    changed_at: datetime.datetime
    changed_by_id: int | None
    time_in_previous_stage: datetime.timedelta | None


class ForecastParams(Schema):
    group_by: ForecastGrouping = ForecastGrouping.SALESPERSON
    start: datetime.date | None = None
    months: int = Field(default=12, ge=1, le=24)


class ForecastRowOut(Schema):
    month: datetime.date
    key: int | None
    label: str
    count: int
    amount: Decimal
    expected: Decimal


class ForecastOut(Schema):
    group_by: str
    total: Decimal
    rows: list[ForecastRowOut]


class QuoteLineIn(Schema):
    kind: QuoteLineKind
    description: Text = Field(max_length=200)
    quantity: int = 1
    unit_price: Decimal = Field(max_digits=12, decimal_places=2)
    tax_rate: Decimal | None = Field(default=None, ge=0, le=1, max_digits=5, decimal_places=4)


class QuoteLineOut(Schema):
    position: int
    kind: str
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


class QuoteOut(Schema):
    id: int
    number: str | None
    revision: int
    opportunity_id: int
    customer_id: int
    dealer_id: int
    status: str
    valid_until: datetime.date
    notes: str
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    vehicle_order_id: int | None
    sent_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    created_at: datetime.datetime
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.all())  # type: ignore[attr-defined]


class QuoteIn(Schema):
    opportunity_id: int
    valid_until: datetime.date | None = None
    notes: Text = ""
    lines: list[QuoteLineIn] = Field(min_length=1)


class QuoteReviseIn(Schema):
    valid_until: datetime.date | None = None
    notes: Text | None = None
    lines: list[QuoteLineIn] | None = None
