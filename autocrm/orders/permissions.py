"""Who may do what with vehicle orders. Which orders is decided by ``core.scoping`` (by dealer;
salespeople see all of their dealer's orders); these rules decide the action, for the pages, the
API and the services alike."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import Membership, Role

# Dealer sales staff order cars and deliver them; the HQ administrator may do it for any dealer.
ROLES_ORDERING = frozenset({Role.ADMINISTRATOR, Role.DEALER_MANAGER, Role.SALESPERSON})
ROLES_DELIVERING = ROLES_ORDERING
# The OEM side: confirming orders and allocating production numbers and VINs creates vehicles,
# which only the administrator (and the OEM's system accounts, which have that role) may do.
ROLES_ALLOCATING = frozenset({Role.ADMINISTRATOR})


def _has_role(user: Any, roles: frozenset[str]) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or getattr(user, "role", None) in roles)


def may_order(user: Any) -> bool:
    """Create a vehicle order (dealer staff for their own dealer) and cancel one."""
    return _has_role(user, ROLES_ORDERING)


def may_deliver(user: Any) -> bool:
    """Hand an ordered car that is at the dealer over to its customer."""
    return _has_role(user, ROLES_DELIVERING)


def may_allocate(user: Any) -> bool:
    """Confirm orders and allocate production numbers and VINs (the OEM)."""
    return _has_role(user, ROLES_ALLOCATING)


def own_dealer_id(user: Any) -> int | None:
    """The dealer a dealer's staff member works at; ``None`` for everyone else."""
    if user is None or user.is_superuser or not getattr(user, "role", ""):
        return None
    return user.dealer_id if user.membership == Membership.DEALER else None
