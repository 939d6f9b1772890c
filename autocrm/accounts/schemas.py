"""API schemas of user administration: what comes in and what goes out, kept apart so neither
the password nor any token hash is ever part of an answer."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from autocrm.core.api_schemas import Text


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    phone: str
    role: str
    role_label: str = Field(alias="get_role_display")
    hq_department_id: int | None
    region_id: int | None
    dealer_id: int | None
    is_active: bool
    last_login: datetime.datetime | None
    date_joined: datetime.datetime


class UserIn(Schema):
    username: Text = Field(max_length=150)
    password: str = Field(max_length=128)
    display_name: Text = Field(default="", max_length=100)
    email: Text = Field(default="", max_length=254)
    phone: Text = Field(default="", max_length=32)
    role: Text
    hq_department_id: int | None = None
    region_id: int | None = None
    dealer_id: int | None = None


class UserPatch(Schema):
    """Only the fields sent are changed. ``is_active: false`` deactivates the user (and revokes
    their API tokens); ``true`` reactivates them."""

    username: Text | None = Field(default=None, max_length=150)
    display_name: Text | None = Field(default=None, max_length=100)
    email: Text | None = Field(default=None, max_length=254)
    phone: Text | None = Field(default=None, max_length=32)
    role: Text | None = None
    hq_department_id: int | None = None
    region_id: int | None = None
    dealer_id: int | None = None
    is_active: bool | None = None
