"""What every customers service shares: the role check, raising collected field errors, and the
dealer a dealer's staff work for."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from autocrm.accounts.choices import Membership
from autocrm.core.errors import PermissionDenied
from autocrm.customers.permissions import may_edit_customers


def require_editor(actor: Any) -> None:
    """Refuse an actor whose role may not change customers (``None``, the system, may)."""
    if actor is not None and not may_edit_customers(actor):
        raise PermissionDenied


def raise_errors(errors: dict[str, list[str]]) -> None:
    """Raise the collected per-field errors, if any."""
    if errors:
        raise ValidationError(errors)


def dealer_of_staff(actor: Any) -> Any:
    """The dealer ``actor`` works at, when they are dealer staff; else ``None``."""
    if actor is None or not actor.role or actor.membership != Membership.DEALER:
        return None
    return actor.dealer
