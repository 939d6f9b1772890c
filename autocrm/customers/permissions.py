"""Who may do what with customers. Scope (which customers) is decided by ``core.scoping``; these
rules decide the action, for the pages, the API and the services alike."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import ROLES_SEEING_FULL_IDENTIFIERS, Role

# Roles that create and edit customers, their contact points, consents and relationships.
# Analysts, quality managers, technical support and region managers read only.
ROLES_EDITING_CUSTOMERS = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.CALL_CENTER_AGENT,
        Role.MARKETING,
        Role.DEALER_MANAGER,
        Role.SALESPERSON,
        Role.SERVICE_ADVISOR,
    }
)


def may_edit_customers(user: Any) -> bool:
    """Whether ``user`` may create customers and change the ones they can see."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in ROLES_EDITING_CUSTOMERS)


def may_see_full_id_number(user: Any) -> bool:
    """Whether ``user`` may read a resident ID number in full (each read is audited)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in ROLES_SEEING_FULL_IDENTIFIERS)
