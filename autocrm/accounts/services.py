"""Writes to users and API tokens.

User administration: administrators (and superusers) manage every user; a dealer manager manages
the salespeople and service advisors of their own dealer and may give only those two roles. The
rule lives here once, for the pages and the API alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.choices import ROLES_A_DEALER_MANAGER_ASSIGNS
from autocrm.accounts.models import ApiToken, User, hash_token
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied
from autocrm.core.scoping import forget_scope

# The fields user_create and user_update accept; the rest (password, superuser and staff flags,
# active flag) have their own services or stay with Django's admin.
USER_FIELDS = frozenset(
    {
        "username",
        "display_name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "role",
        "hq_department",
        "region",
        "dealer",
    }
)


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


# --- user administration -------------------------------------------------------------------


def may_manage_user(actor: Any, user: User) -> bool:
    """Whether ``actor`` may edit, deactivate and reactivate ``user`` as the user is now.
    Only a superuser manages a superuser."""
    if not getattr(actor, "may_manage_users", False):
        return False
    if user.is_superuser and not actor.is_superuser:
        return False
    if actor.may_manage_every_user:
        return True
    return user.role in ROLES_A_DEALER_MANAGER_ASSIGNS and user.dealer_id == actor.dealer_id


def _require_authority_over(actor: Any, user: User) -> None:
    if not may_manage_user(actor, user):
        raise PermissionDenied(_("Your role may not manage this user."))


def _check_assignment(actor: Any, user: User) -> None:
    """A dealer manager may give only the roles they assign, at their own dealer; the offending
    fields get the error."""
    if actor.may_manage_every_user:
        return
    errors = {}
    if user.role and user.role not in ROLES_A_DEALER_MANAGER_ASSIGNS:
        errors["role"] = _("A dealer manager may only add salespeople and service advisors.")
    if user.dealer_id != actor.dealer_id:
        errors["dealer"] = _("A dealer manager may only place users at their own dealer.")
    if errors:
        raise ValidationError(errors)


def _assign(user: User, data: dict[str, Any]) -> None:
    unknown = set(data) - USER_FIELDS
    if unknown:
        raise TypeError(f"user fields that cannot be set here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(user, name, value)


def _validate(user: User, *, password: str | None = None) -> None:
    """Validate the record (``User.clean`` checks role against membership) and, for a new
    user, the password with the configured password validators; all errors at once, per field."""
    errors: dict[str, Any] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors.setdefault("password", []).extend(error.error_list)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(*, actor: Any, data: dict[str, Any], password: str) -> User:
    """Create an active user with ``password`` (checked by the password validators; only its
    hash is stored, and the audit entry never holds it). ``data`` holds fields of
    ``USER_FIELDS``. Refused with ``PermissionDenied`` unless ``actor.may_manage_users``; a
    dealer manager's assignments outside their authority are field errors."""
    if not getattr(actor, "may_manage_users", False):
        raise PermissionDenied(_("Your role may not manage users."))
    user = User(is_active=True)
    _assign(user, data)
    _check_assignment(actor, user)
    _validate(user, password=password)
    user.set_password(password)
    user.save()
    audit.record_creation(user, actor=actor)
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, data: dict[str, Any]) -> User:
    """Change ``user``'s profile, role and membership (fields of ``USER_FIELDS``; only those
    given). The actor needs authority over the user as they are and as they will be."""
    _require_authority_over(actor, user)
    before = audit.snapshot(user)
    _assign(user, data)
    _check_assignment(actor, user)
    _validate(user)
    user.save()
    audit.record_change(user, before, actor=actor)
    # A changed membership changes what they may see; drop the scope cached on this object.
    forget_scope(user)
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Deactivate or reactivate ``user``. A deactivated user can no longer log in, their
    sessions and scope are void at once (inactive users see nothing) and every API token of
    theirs is revoked; reactivating does not bring the tokens back. Nobody deactivates
    themselves."""
    _require_authority_over(actor, user)
    if not active and user.pk == getattr(actor, "pk", None):
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    if user.is_active == active:
        return user
    before = audit.snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record_change(user, before, actor=actor)
    if not active:
        for token in user.api_tokens.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, actor=actor)
    forget_scope(user)
    return user
