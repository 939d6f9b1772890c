"""Who may import and who may decide identity reviews and merges. Imports consolidate the whole
customer base, so they are a headquarters task; the call center also cleans up duplicates."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import Role

ROLES_IMPORTING = frozenset({Role.ADMINISTRATOR})
ROLES_REVIEWING = frozenset({Role.ADMINISTRATOR, Role.CALL_CENTER_AGENT})


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_import(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in ROLES_IMPORTING)


def may_review(user: Any) -> bool:
    """Decide identity reviews and merge customers (within the customers the user sees)."""
    return _active(user) and bool(user.is_superuser or user.role in ROLES_REVIEWING)
