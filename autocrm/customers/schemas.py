"""API schemas for customers, contact points, consents and relationships (input and output
kept apart). Choice values are checked by the services, which name the field at fault."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text

ChannelName = Literal["phone", "sms", "email", "post", "wechat"]
PurposeName = Literal["marketing", "service", "safety"]


class CustomerFilters(Schema):
    kind: Literal["individual", "company"] | None = None
    status: Literal["prospect", "owner", "former_owner"] | None = None
    interest_level: Literal["hot", "warm", "cold", "none"] | None = None
    manager_id: int | None = Field(default=None, ge=1)
    dealer_id: int | None = Field(default=None, ge=1)
    tag: Text | None = Field(default=None, max_length=50)
    q: Text | None = Field(default=None, max_length=100, description="name, number or initials")


class CustomerOut(Schema):
    id: int
    number: str | None
    kind: str
    name: str
    status: str
    purchase_type: str
    interest_level: str
    owner_club_member: bool
    owner_club_since: datetime.date | None
    tags: list[str]
    manager_id: int | None
    city_id: int | None
    gender: str
    birth_date: datetime.date | None
    marital_status: str
    household_size: int | None
    family_notes: str
    occupation: str
    nationality: str
    education: str
    income_band: str
    hobbies: str
    lifestyle: str
    id_number_masked: str = Field(description="the ID number, masked; see /id-number")
    credit_code: str | None
    industry: str
    company_size: str
    preferred_channel: str
    preferred_time: str
    max_contacts_per_month: int | None
    notes: str
    is_active: bool
    merged_into_id: int | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_tags(customer: object) -> list[str]:
        return sorted(tag.name for tag in customer.tags.all())  # type: ignore[attr-defined]


class ContactPointIn(Schema):
    kind: Text = Field(max_length=16, description="phone, email, address, wechat or other")
    value: Text = Field(max_length=255)
    label: Text = Field(default="", max_length=16)
    is_primary: bool | None = None


class ContactPointPatch(Schema):
    value: Text | None = Field(default=None, max_length=255)
    label: Text | None = Field(default=None, max_length=16)
    is_primary: bool | None = None


class ContactPointOut(Schema):
    id: int
    customer_id: int
    kind: str
    label: str
    value: str
    normalised: str
    is_primary: bool
    is_mobile: bool


class _CustomerFields(Schema):
    status: Text | None = Field(default=None, max_length=16)
    purchase_type: Text | None = Field(default=None, max_length=16)
    interest_level: Text | None = Field(default=None, max_length=8)
    owner_club_member: bool | None = None
    owner_club_since: datetime.date | None = None
    manager_id: int | None = None
    city_id: int | None = None
    gender: Text | None = Field(default=None, max_length=8)
    birth_date: datetime.date | None = None
    marital_status: Text | None = Field(default=None, max_length=16)
    household_size: int | None = Field(default=None, ge=0, le=100)
    family_notes: Text | None = Field(default=None, max_length=255)
    occupation: Text | None = Field(default=None, max_length=100)
    nationality: Text | None = Field(default=None, max_length=50)
    education: Text | None = Field(default=None, max_length=16)
    income_band: Text | None = Field(default=None, max_length=16)
    hobbies: Text | None = Field(default=None, max_length=255)
    lifestyle: Text | None = Field(default=None, max_length=255)
    credit_code: Text | None = Field(default=None, max_length=40)
    industry: Text | None = Field(default=None, max_length=100)
    company_size: Text | None = Field(default=None, max_length=16)
    preferred_channel: Text | None = Field(default=None, max_length=16)
    preferred_time: Text | None = Field(default=None, max_length=16)
    max_contacts_per_month: int | None = Field(default=None, ge=0, le=1000)
    notes: Text | None = Field(default=None, max_length=5000)
    id_number: Text | None = Field(
        default=None, max_length=40, description='resident ID number; "" removes it'
    )
    tags: list[Text] | None = Field(default=None, max_length=50)


class CustomerIn(_CustomerFields):
    """A new customer. Fields left out keep their defaults. Dealer staff's customers are
    assigned to their dealer; others may name ``dealer_id``."""

    kind: Literal["individual", "company"] = "individual"
    name: Text = Field(min_length=1, max_length=200)
    contact_points: list[ContactPointIn] = Field(default_factory=list, max_length=20)
    dealer_id: int | None = None


class CustomerPatch(_CustomerFields):
    """Only the fields sent are changed. Send ``version`` to be told (409) when someone else
    saved the customer after you read it."""

    version: int | None = None
    kind: Literal["individual", "company"] | None = None
    name: Text | None = Field(default=None, min_length=1, max_length=200)


class IdNumberOut(Schema):
    id_number: str


class ConsentOut(Schema):
    channel: str
    purpose: str
    granted: bool
    changed_at: datetime.datetime
    source: str


class ConsentIn(Schema):
    channel: ChannelName
    purpose: PurposeName
    granted: bool
    source: Text = Field(min_length=1, max_length=100)
    changed_at: datetime.datetime | None = Field(default=None, description="default: now")


class ContactabilityOut(Schema):
    channel: str
    purpose: str
    allowed: bool
    code: str = Field(description="stable reason code, e.g. withdrawn, no_opt_in, monthly_cap")
    reason: str


class RelationshipIn(Schema):
    other_id: int
    kind: Literal["household_member", "company_contact", "referred_by"]
    role: Text = Field(default="", max_length=100)
    department: Text = Field(default="", max_length=100)
    note: Text = Field(default="", max_length=255)


class RelationshipOut(Schema):
    id: int
    customer_id: int
    other_id: int
    other_number: str | None = Field(alias="other.number")
    other_name: str = Field(alias="other.name")
    kind: str
    role: str
    department: str
    note: str
