from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from autocrm.accounts.choices import Role
from tests.factories import CustomerFactory, OwnershipFactory, VehicleFactory


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> Iterator[None]:
    """Pages, answers and service messages in English, so assertions can quote the source
    strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin(user_in: Any) -> Any:
    return user_in(Role.ADMINISTRATOR)


@pytest.fixture
def fleet(network: dict[str, Any]) -> dict[str, Any]:
    """Vehicles placed for the scoping matrix:
    - ``held_east``: at the east dealer, no owner;
    - ``owned_east``: no dealer, owned by a customer of the east dealer;
    - ``west``: at the west dealer, owned by a west customer.
    """
    east_customer = CustomerFactory(dealers=[network["east_dealer"]])
    west_customer = CustomerFactory(dealers=[network["west_dealer"]])
    held_east = VehicleFactory(dealer=network["east_dealer"], status="at_dealer")
    owned_east = VehicleFactory()
    OwnershipFactory(vehicle=owned_east, customer=east_customer)
    west = VehicleFactory(dealer=network["west_dealer"])
    OwnershipFactory(vehicle=west, customer=west_customer)
    return {
        "held_east": held_east,
        "owned_east": owned_east,
        "west": west,
        "east_customer": east_customer,
        "west_customer": west_customer,
    }


# Who sees which of the fleet's vehicles (placed in the east unless named).
SCOPE_MATRIX = [
    (Role.ADMINISTRATOR, "east", {"held_east", "owned_east", "west"}),
    (Role.CALL_CENTER_AGENT, "east", {"held_east", "owned_east", "west"}),
    (Role.REGION_MANAGER, "east", {"held_east", "owned_east"}),
    (Role.REGION_MANAGER, "west", {"west"}),
    (Role.DEALER_MANAGER, "east", {"held_east", "owned_east"}),
    (Role.SALESPERSON, "east", {"held_east", "owned_east"}),
    (Role.SERVICE_ADVISOR, "west", {"west"}),
]
