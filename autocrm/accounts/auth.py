"""API authentication: personal bearer tokens, and the browser session for pages calling the API."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from autocrm.accounts.models import ApiToken, User, hash_token
from autocrm.core.prepared import prepared_cursor


@functools.cache
def _token_statement() -> tuple[str, list[str]]:
    columns = [field.column for field in User._meta.concrete_fields]
    selected = ", ".join(f"u.{column}" for column in columns)
    sql = (
        f"SELECT {selected}, t.id AS api_token_id, t.last_used_at AS api_token_last_used_at "
        f"FROM {User._meta.db_table} u "
        f"JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL"
    )
    return sql, [field.attname for field in User._meta.concrete_fields]


def _token_user(key_hash: str) -> Any:
    """The user of the unrevoked token with this hash, carrying the token's id and last use
    (``api_token_id``, ``api_token_last_used_at``); ``None`` for no such token. Every API call
    asks, so on PostgreSQL this is one prepared statement (``core.prepared``)."""
    sql, names = _token_statement()
    if connection.vendor != "postgresql":
        # raw() converts SQLite's stored text and integers into the fields' Python values.
        return next(iter(User.objects.raw(sql, [key_hash])), None)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    user: Any = User.from_db(connection.alias, names, row[: len(names)])
    user.api_token_id, user.api_token_last_used_at = row[len(names) :]
    return user


class BearerTokenAuth(HttpBearer):
    openapi_description = "A personal API token: `Authorization: Bearer acrm_...`"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(ApiToken.PREFIX):
            return None
        user = _token_user(hash_token(token))
        if user is None or not user.is_active:
            return None
        now = timezone.now()
        last_used = user.api_token_last_used_at
        if isinstance(last_used, str):  # SQLite hands extra columns back as text
            last_used = datetime.datetime.fromisoformat(last_used)
        if last_used is not None and timezone.is_naive(last_used):
            last_used = last_used.replace(tzinfo=datetime.UTC)
        # Write the last-use time at most once a minute, not on every call.
        if last_used is None or (now - last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=user.api_token_id).update(last_used_at=now)
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The logged-in browser session (CSRF-checked for writes)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
