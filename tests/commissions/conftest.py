from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from autocrm.accounts.choices import Role
from tests.factories import UserFactory, VehicleModelFactory

# A month safely in the past, so it may be closed.
MONTH = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> Iterator[None]:
    """Pages, answers and service messages in English, so assertions quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def manager(user_in: Any) -> Any:
    return user_in(Role.DEALER_MANAGER, display_name="王经理")


@pytest.fixture
def seller(user_in: Any) -> Any:
    return user_in(Role.SALESPERSON, display_name="李销售")


@pytest.fixture
def other_seller(network: dict[str, Any]) -> Any:
    return UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"], display_name="赵销售")


@pytest.fixture
def regal(db: Any) -> Any:
    return VehicleModelFactory(series="君威", name="君威 2.0T", price=200000)


@pytest.fixture
def lacrosse(db: Any) -> Any:
    return VehicleModelFactory(series="君越", name="君越 2.0T", price=280000)


@pytest.fixture
def lacrosse_top(db: Any) -> Any:
    return VehicleModelFactory(series="君越", name="君越 艾维亚", price=330000)


@pytest.fixture
def envision(db: Any) -> Any:
    return VehicleModelFactory(series="昂科威", name="昂科威 1.5T", price=230000)
