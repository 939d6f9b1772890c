"""Who may do what with commissions. Which dealers and statements is decided by
``core.scoping`` (a salesperson sees only their own statements); these rules decide the action,
for the pages, the API and the services alike."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import Role

# The dealer manager sets their dealer's plans and closes its months; the HQ administrator may
# do it for any dealer (corrections). Region managers and the rest of HQ only read.
ROLES_MANAGING_COMMISSIONS = frozenset({Role.ADMINISTRATOR, Role.DEALER_MANAGER})
# Roles that read commission plans and statements at all (within their scope).
ROLES_READING_COMMISSIONS = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.ANALYST,
        Role.REGION_MANAGER,
        Role.DEALER_MANAGER,
        Role.SALESPERSON,
    }
)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_read_commissions(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in ROLES_READING_COMMISSIONS)


def may_manage_commissions(user: Any, dealer: Any = None) -> bool:
    """Edit plans and close/reopen months: the administrator for any dealer, a dealer manager
    for their own dealer only."""
    if not _active(user):
        return False
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    if user.role != Role.DEALER_MANAGER:
        return False
    return dealer is None or user.dealer_id == dealer.pk
