"""Who may read the reports. Which figures is decided by ``core.scoping``: the report counts
only the leads the user sees (a salesperson: their own)."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import Role

# Roles that follow sales: headquarters' sales-facing roles, the managers, the salespeople.
ROLES_READING_FUNNEL = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.ANALYST,
        Role.MARKETING,
        Role.CALL_CENTER_AGENT,
        Role.REGION_MANAGER,
        Role.DEALER_MANAGER,
        Role.SALESPERSON,
    }
)


def may_read_funnel(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in ROLES_READING_FUNNEL)
