from __future__ import annotations

from typing import Any

import pytest

from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> None:
    """Pages in English, so assertions can quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def east_customer(network: dict[str, Any]) -> Any:
    """A customer of the east dealer (seen by its staff, by the east region and by HQ)."""
    return CustomerFactory(name="张三丰", dealers=[network["east_dealer"]])


@pytest.fixture
def west_customer(network: dict[str, Any]) -> Any:
    return CustomerFactory(name="李四", dealers=[network["west_dealer"]])
