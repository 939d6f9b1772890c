from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text
from autocrm.customers.choices import CustomerKind
from autocrm.sales.choices import (
    LeadGrade,
    LeadSource,
    LeadStatus,
    PurchaseTimeframe,
    Qualification,
)


class LeadOut(Schema):
    id: int
    number: str | None
    source: str
    kind: str
    name: str
    phone: str
    email: str
    city_id: int | None
    postcode: str
    vehicle_model_id: int | None
    configuration: str
    budget: Decimal | None
    timeframe: str
    money: str
    money_note: str
    authority: str
    authority_note: str
    need: str
    need_note: str
    grade: str
    status: str
    lost_reason: str
    notes: str
    dealer_id: int | None
    salesperson_id: int | None
    customer_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    last_activity_at: datetime.datetime | None
    version: int


class _LeadDetails(Schema):
    kind: CustomerKind = CustomerKind.INDIVIDUAL
    phone: Text = Field(default="", max_length=32)
    email: Text = Field(default="", max_length=254)
    city_id: int | None = None
    postcode: Text = Field(default="", max_length=10)
    vehicle_model_id: int | None = None
    configuration: Text = Field(default="", max_length=200)
    budget: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    money: Qualification = Qualification.UNKNOWN
    money_note: Text = Field(default="", max_length=200)
    authority: Qualification = Qualification.UNKNOWN
    authority_note: Text = Field(default="", max_length=200)
    need: Qualification = Qualification.UNKNOWN
    need_note: Text = Field(default="", max_length=200)
    grade: LeadGrade | None = None
    notes: Text = ""


class LeadIn(_LeadDetails):
    """A phone or an e-mail is required. ``customer_id`` attaches the lead to that customer;
    without it a known customer (same mobile and name, or same e-mail) is found, or a prospect
    created. Without ``dealer_id`` headquarters' leads are routed by the city; dealer staff's
    stay at their dealer. ``grade`` defaults from the timeframe."""

    source: LeadSource
    name: Text = Field(min_length=1, max_length=200)
    timeframe: PurchaseTimeframe
    customer_id: int | None = None
    dealer_id: int | None = None
    salesperson_id: int | None = None


class LeadPatch(Schema):
    """Only the fields sent change. ``status`` moves one step (new, contacted, qualified,
    converted); losing a lead is a loss request. Send the ``version`` you read to have a change
    refused (409) when someone else saved in between."""

    kind: CustomerKind | None = None
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    phone: Text | None = Field(default=None, max_length=32)
    email: Text | None = Field(default=None, max_length=254)
    city_id: int | None = None
    postcode: Text | None = Field(default=None, max_length=10)
    vehicle_model_id: int | None = None
    configuration: Text | None = Field(default=None, max_length=200)
    budget: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    timeframe: PurchaseTimeframe | None = None
    money: Qualification | None = None
    money_note: Text | None = Field(default=None, max_length=200)
    authority: Qualification | None = None
    authority_note: Text | None = Field(default=None, max_length=200)
    need: Qualification | None = None
    need_note: Text | None = Field(default=None, max_length=200)
    grade: LeadGrade | None = None
    status: LeadStatus | None = None
    notes: Text | None = None
    version: int | None = Field(default=None, ge=1)


class LeadReassignIn(Schema):
    """Without ``salesperson_id`` the dealer's rule picks one (or none, under the manual rule)."""

    dealer_id: int
    salesperson_id: int | None = None
    reason: Text = Field(min_length=1, max_length=255)
    version: int | None = Field(default=None, ge=1)


class LossRequestIn(Schema):
    reason: Text = Field(min_length=1, max_length=255)


class LossDecisionIn(Schema):
    approve: bool
    note: Text = Field(default="", max_length=255)


class LossRequestOut(Schema):
    id: int
    lead_id: int
    reason: str
    requested_by_id: int | None
    requested_at: datetime.datetime
    decision: str
    decided_by_id: int | None
    decided_at: datetime.datetime | None
    decision_note: str


class PublicLeadIn(Schema):
    """The website's lead form. ``submission_id`` is the form's own id of this submission:
    sending it again gives the same answer and stores nothing new. ``website`` must stay empty
    (a field people do not see)."""

    submission_id: Text = Field(min_length=8, max_length=64)
    name: Text = Field(min_length=1, max_length=200)
    phone: Text = Field(default="", max_length=32)
    email: Text = Field(default="", max_length=254)
    city_code: Text = Field(default="", max_length=20)
    postcode: Text = Field(default="", max_length=10)
    model_code: Text = Field(default="", max_length=30)
    timeframe: PurchaseTimeframe
    message: Text = Field(default="", max_length=2000)
    website: Text = Field(default="", max_length=200)


class PublicLeadOut(Schema):
    reference: str
