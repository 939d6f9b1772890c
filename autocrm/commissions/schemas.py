"""Input and output schemas of the commissions API. Amounts and percentages are checked by the
services (specific, translated messages), not by the schema."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text


class RateIn(Schema):
    vehicle_model_id: int | None = Field(default=None, description="a catalogue model, or")
    series: Text = Field(default="", max_length=50, description="a series, or neither: any model")
    amount: Decimal = Field(description="CNY per car delivered")


class RateOut(Schema):
    id: int
    basis: str
    vehicle_model_id: int | None
    series: str
    amount: Decimal


class TierIn(Schema):
    min_cars: int = Field(description="cars delivered in the month, at least")
    bonus: Decimal


class TierOut(Schema):
    id: int
    min_cars: int
    bonus: Decimal


class PlanIn(Schema):
    dealer_id: int
    name: Text = Field(max_length=100)
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    margin_percent: Decimal = Field(default=Decimal("0"), description="0 to 100")
    notes: Text = ""
    rates: list[RateIn] = []
    bonus_tiers: list[TierIn] = []


class PlanPatch(Schema):
    version: int = Field(description="the version you read; a newer one on the server is a 409")
    name: Text | None = Field(default=None, max_length=100)
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    margin_percent: Decimal | None = None
    notes: Text | None = None
    rates: list[RateIn] | None = Field(default=None, description="replaces the plan's rates")
    bonus_tiers: list[TierIn] | None = Field(default=None, description="replaces the tiers")


class PlanOut(Schema):
    id: int
    dealer_id: int
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    margin_percent: Decimal
    notes: str
    version: int
    rates: list[RateOut]
    bonus_tiers: list[TierOut]

    @staticmethod
    def resolve_rates(plan: object) -> list[object]:
        return list(plan.rates.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_bonus_tiers(plan: object) -> list[object]:
        return list(plan.bonus_tiers.all())  # type: ignore[attr-defined]


class StatementRowOut(Schema):
    salesperson_id: int
    salesperson_name: str
    cars: int
    per_car_total: Decimal
    margin_total: Decimal
    margin_share_total: Decimal
    bonus: Decimal
    bonus_tier_cars: int | None
    total: Decimal


class StatementOut(Schema):
    dealer_id: int
    month: str = Field(description="YYYY-MM")
    status: str = Field(description="open (computed live) or closed (stored)")
    rows: list[StatementRowOut]
    total: Decimal


class LineOut(Schema):
    order_item_id: int | None
    salesperson_id: int
    delivered_on: datetime.date
    order_number: str
    vin: str
    vehicle_model: str
    price: Decimal
    dealer_cost: Decimal
    margin: Decimal
    plan_id: int | None
    plan_name: str
    per_car_amount: Decimal
    margin_share: Decimal
    total: Decimal


class MonthIn(Schema):
    dealer_id: int
    month: Text = Field(description="YYYY-MM")


class ReopenIn(MonthIn):
    reason: Text = Field(default="", max_length=255)


class MonthOut(Schema):
    dealer_id: int
    month: str
    status: str
    version: int
