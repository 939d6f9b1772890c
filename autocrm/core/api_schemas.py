"""Shared API schema pieces: keyset pages and their query parameters, text input, the error
envelope."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from ninja import Schema
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

ItemT = TypeVar("ItemT")


def _without_null_characters(value: str) -> str:
    # PostgreSQL cannot store NUL in text, so it is refused here, on the field that has it.
    if "\x00" in value:
        raise PydanticCustomError("null_characters", "Null characters are not allowed.")
    return value


# Text input that the database can store: use it for every string field of an input schema.
Text = Annotated[str, AfterValidator(_without_null_characters)]


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


def answers(success: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's documented responses: its success and, in the error envelope, 401 (every
    operation needs credentials) and the error statuses it may answer with."""
    return {**success, **dict.fromkeys((401, *errors), ErrorOut)}
