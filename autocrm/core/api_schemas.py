"""Shared API schema pieces: keyset pages and their query parameters."""

from __future__ import annotations

from typing import Generic, TypeVar

from django.conf import settings
from ninja import Schema
from pydantic import Field

ItemT = TypeVar("ItemT")


class PageParams(Schema):
    limit: int = Field(
        default=settings.AUTOCRM_API_PAGE_SIZE, ge=1, le=settings.AUTOCRM_API_MAX_PAGE_SIZE
    )
    cursor: str | None = Field(default=None, description="next_cursor of the previous page")


class PageOut(Schema, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = Field(
        description="pass as cursor to get the next page; null at the end"
    )


class ErrorDetail(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    details: list[ErrorDetail] | dict | None = None
