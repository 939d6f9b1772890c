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


# Tasks and bookings: managers see their team's (the dealer's staff, the region's dealers'
# staff); everyone else sees their own and those they created, HQ roles included.
ROLES_SEEING_TEAM_PLANS = frozenset({Role.REGION_MANAGER, Role.DEALER_MANAGER})
# Who may give a task or a booking to someone else in their scope (a manager to their staff,
# the call center to a dealer's salesperson); the others plan only for themselves.
ROLES_PLANNING_FOR_OTHERS = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.CALL_CENTER_AGENT,
        Role.MARKETING,
        Role.QUALITY_MANAGER,
        Role.TECHNICAL_SUPPORT,
        Role.REGION_MANAGER,
        Role.DEALER_MANAGER,
    }
)


def may_plan(user: Any) -> bool:
    """Whether the user keeps tasks and a calendar (every role that logs contacts)."""
    return may_log_interactions(user)


def sees_team_plans(user: Any) -> bool:
    return may_plan(user) and user.role in ROLES_SEEING_TEAM_PLANS


def may_plan_for_others(user: Any) -> bool:
    return may_plan(user) and (user.is_superuser or user.role in ROLES_PLANNING_FOR_OTHERS)


def may_plan_for(actor: Any, person: Any) -> bool:
    """Whether ``actor`` may give ``person`` a task or a booking: themselves always; another
    active user only when their role plans for others and the person is in their scope."""
    from autocrm.accounts.models import User
    from autocrm.core.scoping import visible_to

    if not may_plan(actor):
        return False
    if person.pk == actor.pk:
        return True
    if not may_plan_for_others(actor) or not person.is_active:
        return False
    return visible_to(actor, User.objects.filter(pk=person.pk)).exists()
