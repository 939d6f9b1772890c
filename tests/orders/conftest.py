from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from autocrm.accounts.choices import Role
from tests.factories import CustomerFactory, VehicleModelFactory


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> Iterator[None]:
    """Pages, answers and service messages in English, so assertions quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin(user_in: Any) -> Any:
    return user_in(Role.ADMINISTRATOR)


@pytest.fixture
def salesperson(user_in: Any) -> Any:
    return user_in(Role.SALESPERSON)


@pytest.fixture
def catalogue(db: Any) -> Any:
    return VehicleModelFactory(price=200000)


@pytest.fixture
def buyer(network: dict[str, Any]) -> Any:
    return CustomerFactory(name="张三丰", dealers=[network["east_dealer"]])
