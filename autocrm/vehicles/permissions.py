"""Who may change what in the vehicles app. Everyone reads vehicles within their scope, and the
model catalogue is public to every role; writes are for the roles named here."""

from __future__ import annotations

from typing import Any

from autocrm.accounts.choices import Role

# The catalogue, the vehicle master data and the factory/logistics event feed are maintained
# centrally: dealers report sales and mileage, they do not rewrite a VIN or a model.
ROLES_EDITING_VEHICLES = frozenset({Role.ADMINISTRATOR})
# Selling a car (starting an ownership) and recording a change of owner is dealer sales work.
ROLES_RECORDING_OWNERSHIP = frozenset({Role.ADMINISTRATOR, Role.DEALER_MANAGER, Role.SALESPERSON})
# Mileage is read at the workshop, at a sale and on the phone.
ROLES_RECORDING_MILEAGE = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.CALL_CENTER_AGENT,
        Role.DEALER_MANAGER,
        Role.SALESPERSON,
        Role.SERVICE_ADVISOR,
    }
)


def _has_role(user: Any, roles: frozenset[str]) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "role", None) in roles)


def may_edit_vehicles(user: Any) -> bool:
    """Create and edit vehicles and catalogue models, and post lifecycle events."""
    return _has_role(user, ROLES_EDITING_VEHICLES)


def may_record_ownership(user: Any) -> bool:
    """Start an ownership and record a transfer (for vehicles and customers in scope)."""
    return _has_role(user, ROLES_RECORDING_OWNERSHIP)


def may_record_mileage(user: Any) -> bool:
    """Add an odometer reading to a vehicle in scope."""
    return _has_role(user, ROLES_RECORDING_MILEAGE)
