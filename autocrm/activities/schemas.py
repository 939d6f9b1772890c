from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from autocrm.activities.choices import (
    AppointmentKind,
    InteractionChannel,
    InteractionOutcome,
    TaskKind,
    TaskPriority,
)
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


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    kind: str
    priority: int
    due_on: datetime.date
    status: str
    assignee_id: int
    created_by_id: int | None
    dealer_id: int | None
    customer_id: int | None
    vehicle_id: int | None
    source: str
    source_key: str
    outcome: str
    completed_at: datetime.datetime | None
    completed_by_id: int | None
    created_at: datetime.datetime
    version: int


class TaskIn(Schema):
    """``assignee_id`` defaults to you; a manager (or the call center) may give the task to
    someone in their scope."""

    title: Text = Field(max_length=200)
    notes: Text = ""
    kind: TaskKind = TaskKind.FOLLOW_UP
    priority: TaskPriority = TaskPriority.NORMAL
    due_on: datetime.date
    assignee_id: int | None = None
    customer_id: int | None = None
    vehicle_id: int | None = None


class TaskPatch(Schema):
    """Only the fields sent change. Send the ``version`` you read to have the change refused
    (409) when someone else saved in between."""

    title: Text | None = Field(default=None, max_length=200)
    notes: Text | None = None
    kind: TaskKind | None = None
    priority: TaskPriority | None = None
    due_on: datetime.date | None = None
    assignee_id: int | None = None
    customer_id: int | None = None
    vehicle_id: int | None = None
    version: int | None = Field(default=None, ge=1)


class TaskCompleteIn(Schema):
    outcome: Text = Field(default="", max_length=2000)
    version: int | None = Field(default=None, ge=1)


class AppointmentOut(Schema):
    id: int
    kind: str
    title: str
    owner_id: int
    created_by_id: int | None
    dealer_id: int | None
    customer_id: int | None
    vehicle_id: int | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str
    notes: str
    status: str
    version: int


class AppointmentIn(Schema):
    """``owner_id`` defaults to you. A booking that overlaps the owner's or the vehicle's other
    planned bookings is refused (409, the conflicts in ``details``) unless ``allow_overlap``."""

    kind: AppointmentKind = AppointmentKind.APPOINTMENT
    title: Text = Field(max_length=200)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    owner_id: int | None = None
    customer_id: int | None = None
    vehicle_id: int | None = None
    location: Text = Field(default="", max_length=200)
    notes: Text = ""
    allow_overlap: bool = False


class AppointmentPatch(Schema):
    """Only the fields sent change; a move is checked like a new booking. Send ``version``."""

    kind: AppointmentKind | None = None
    title: Text | None = Field(default=None, max_length=200)
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    vehicle_id: int | None = None
    location: Text | None = Field(default=None, max_length=200)
    notes: Text | None = None
    version: int | None = Field(default=None, ge=1)
    allow_overlap: bool = False


class VersionIn(Schema):
    version: int | None = Field(default=None, ge=1)
