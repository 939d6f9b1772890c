"""Who may do what with leads. Which leads is decided by ``core.scoping`` (a salesperson sees
only their own); these rules decide the action, for the pages, the API and the services alike."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import Membership, Role

# Roles that create and work leads (the analyst and the region manager only read them).
ROLES_WORKING_LEADS = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.CALL_CENTER_AGENT,
        Role.MARKETING,
        Role.DEALER_MANAGER,
        Role.SALESPERSON,
    }
)
# Roles that decide a request to close a lead as lost: the dealer manager, or above in scope.
ROLES_APPROVING_LOSSES = frozenset({Role.ADMINISTRATOR, Role.REGION_MANAGER, Role.DEALER_MANAGER})
# Headquarters and the dealer manager (within the dealer) reassign leads.
ROLES_REASSIGNING_LEADS = frozenset(
    {Role.ADMINISTRATOR, Role.CALL_CENTER_AGENT, Role.DEALER_MANAGER}
)
# The HQ administrator and the dealer manager (their own dealer) set territories and the rule.
ROLES_MANAGING_ROUTING = frozenset({Role.ADMINISTRATOR, Role.DEALER_MANAGER})


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _has_role(user: Any, roles: frozenset[str]) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in roles)


def may_work_leads(user: Any) -> bool:
    return _has_role(user, ROLES_WORKING_LEADS)


def may_approve_losses(user: Any) -> bool:
    return _has_role(user, ROLES_APPROVING_LOSSES)


def may_reassign_leads(user: Any) -> bool:
    return _has_role(user, ROLES_REASSIGNING_LEADS)


def may_manage_routing(user: Any, dealer: Any = None) -> bool:
    """The HQ administrator for any dealer; a dealer manager for their own dealer."""
    if not _has_role(user, ROLES_MANAGING_ROUTING):
        return False
    if dealer is None or user.is_superuser or user.role != Role.DEALER_MANAGER:
        return True
    return bool(user.dealer_id == dealer.pk)


def own_dealer_id(user: Any) -> int | None:
    """The dealer a dealer's staff member works at; ``None`` for everyone else."""
    if user is None or user.is_superuser or not getattr(user, "role", ""):
        return None
    return user.dealer_id if user.membership == Membership.DEALER else None


# Dealer staff who sell (and the HQ administrator) work opportunities and quotes; the region
# manager, the analyst and the call center only read them.
ROLES_WORKING_OPPORTUNITIES = frozenset({Role.ADMINISTRATOR, Role.DEALER_MANAGER, Role.SALESPERSON})
# Moving an opportunity one stage back (a deal that fell back) is a manager's correction.
ROLES_MOVING_STAGES_BACK = frozenset({Role.ADMINISTRATOR, Role.DEALER_MANAGER})


def may_work_opportunities(user: Any) -> bool:
    return _has_role(user, ROLES_WORKING_OPPORTUNITIES)


def may_move_stages_back(user: Any) -> bool:
    return _has_role(user, ROLES_MOVING_STAGES_BACK)
