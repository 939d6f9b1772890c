"""Personal API tokens: created on the profile page or the command line, shown once, revocable."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.accounts.models import ApiToken, hash_token
from autocrm.accounts.services import api_token_create
from autocrm.core.models import AuditAction, AuditEntry


def _me(token: str) -> Any:
    """/api/v1/me with the token alone: a fresh client, no session."""
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def _new_token(page: str) -> str:
    found = re.search(r'data-testid="new-token">([^<]+)</code>', page)
    assert found is not None
    return found[1]


def test_the_profile_creates_a_token_shown_once_that_works_on_the_api(
    user_in: Any, client_as: Any
) -> None:
    # given a logged-in dealer manager
    user = user_in(Role.DEALER_MANAGER)
    client = client_as(user)

    # when they create a token on their profile
    response = client.post(reverse("accounts:profile"), {"name": "DMS integration"})

    # then the raw token is shown, only its hash is stored, and it authenticates API calls
    raw = _new_token(response.content.decode())
    token = ApiToken.objects.get(user=user)
    assert raw.startswith("acrm_")
    assert (token.name, token.key_hash, token.key_hint) == (
        "DMS integration",
        hash_token(raw),
        raw[:10],
    )
    me = _me(raw)
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role"], me.json()["dealer_id"]) == (
        user.username,
        "dealer_manager",
        user.dealer_id,
    )
    token.refresh_from_db()
    assert token.last_used_at is not None
    # and it is never shown again
    assert raw not in client.get(reverse("accounts:profile")).content.decode()


def test_a_token_needs_a_name(user_in: Any, client_as: Any) -> None:
    user = user_in(Role.DEALER_MANAGER)

    response = client_as(user).post(reverse("accounts:profile"), {"name": "  "})

    assert 'data-testid="new-token"' not in response.content.decode()
    assert 'id="field-name"' in response.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 0


def test_a_revoked_token_gets_401_with_the_error_envelope(user_in: Any, client_as: Any) -> None:
    # given a working token
    user = user_in(Role.DEALER_MANAGER)
    token, raw = api_token_create(user=user, name="DMS")
    assert _me(raw).status_code == 200

    # when its owner revokes it on the profile page
    response = client_as(user).post(reverse("accounts:token_revoke", args=[token.pk]))

    # then it is revoked (and audited) and the API refuses it
    assert response["Location"] == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        AuditEntry.objects.filter(
            object_id=str(token.pk), action=AuditAction.UPDATE, actor=user
        ).count()
        == 1
    )
    refused = _me(raw)
    assert refused.status_code == 401
    body = refused.json()
    assert body["code"] == "not_authenticated"
    assert body["message"]
    assert set(body) == {"code", "message", "details"}


def test_nobody_else_can_revoke_my_token(user_in: Any, client_as: Any) -> None:
    owner = user_in(Role.DEALER_MANAGER)
    token, raw = api_token_create(user=owner, name="DMS")

    response = client_as(user_in(Role.ADMINISTRATOR)).post(
        reverse("accounts:token_revoke", args=[token.pk])
    )

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _me(raw).status_code == 200


def test_a_disabled_users_token_stops_working(user_in: Any) -> None:
    user = user_in(Role.DEALER_MANAGER)
    _token, raw = api_token_create(user=user, name="DMS")
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert _me(raw).status_code == 401


@pytest.mark.parametrize("header", ["Bearer acrm_not-a-real-token", "Bearer something", "Token x"])
def test_unknown_tokens_get_401(db: None, header: str) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_command_prints_a_working_token(user_in: Any) -> None:
    # given a user
    user = user_in(Role.ANALYST)
    out = StringIO()

    # when an administrator creates a token for them on the command line
    call_command("create_api_token", user.username, "--name", "nightly report", stdout=out)

    # then the printed token works and is stored under that name
    raw = out.getvalue().strip()
    assert raw.startswith("acrm_")
    assert _me(raw).json()["username"] == user.username
    assert ApiToken.objects.get(user=user).name == "nightly report"


def test_the_command_refuses_an_unknown_user(db: None) -> None:
    out = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("create_api_token", "ghost", stdout=out)

    assert str(refused.value) == "No active user named 'ghost'."

    assert out.getvalue() == ""
    assert ApiToken.objects.count() == 0


def test_the_last_use_is_written_at_most_once_a_minute(user_in: Any) -> None:
    user = user_in(Role.DEALER_MANAGER)
    token, raw = api_token_create(user=user, name="DMS")

    assert _me(raw).status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    assert _me(raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use  # a second call within the minute writes nothing

    two_minutes_ago = first_use - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=two_minutes_ago)
    assert _me(raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first_use
