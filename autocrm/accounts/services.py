"""Writes to users and API tokens."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from autocrm.accounts.models import ApiToken, User, hash_token
from autocrm.core import audit


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the token row and the raw token, which is shown
    once and never stored."""
    raw = ApiToken.generate_raw()
    token = ApiToken(user=user, name=name.strip(), key_hash=hash_token(raw), key_hint=raw[:10])
    token.full_clean()
    token.save()
    audit.record_creation(token, actor=user)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    if token.revoked_at is None:
        before = audit.snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record_change(token, before, actor=actor)
    return token
