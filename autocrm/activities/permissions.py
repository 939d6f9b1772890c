"""Who may log and edit interactions."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import Role

# Every role with a customer scope logs touchpoints, except the analyst, who only reads.
ROLES_LOGGING_INTERACTIONS = frozenset(set(Role) - {Role.ANALYST})
# Managers correct the entries of their staff; everyone else only their own.
ROLES_EDITING_ANY_INTERACTION = frozenset(
    {Role.ADMINISTRATOR, Role.REGION_MANAGER, Role.DEALER_MANAGER}
)


def may_log_interactions(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in ROLES_LOGGING_INTERACTIONS)


def may_edit_interaction(user: Any, interaction: Any) -> bool:
    """The author, or a manager (the caller has already fetched it within the user's scope)."""
    if not may_log_interactions(user):
        return False
    if user.is_superuser or user.role in ROLES_EDITING_ANY_INTERACTION:
        return True
    return interaction.user_id is not None and interaction.user_id == user.pk
