"""API authentication: personal bearer tokens, and the browser session for pages calling the API."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from autocrm.accounts.models import ApiToken, User, hash_token


def _token_user(key_hash: str) -> Any:
    """The active user of the unrevoked token with this hash, carrying the token's id and last
    use; ``None`` for no such token. Every API call asks, so this is one fixed statement rather
    than an ORM query compiled per call."""
    user_table, token_table = User._meta.db_table, ApiToken._meta.db_table
    users = User.objects.raw(
        f"SELECT u.*, t.id AS api_token_id, t.last_used_at AS api_token_last_used_at "
        f"FROM {user_table} u JOIN {token_table} t ON t.user_id = u.id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL",
        [key_hash],
    )
    return next(iter(users), None)


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
