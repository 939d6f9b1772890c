from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from autocrm.accounts.choices import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> Iterator[None]:
    """Pages in English, so assertions can quote the source strings; a fresh rate limit."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def salespeople(network: dict[str, Any]) -> list[Any]:
    """Three salespeople of the east dealer, in id order."""
    return [
        UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"], username=f"sales{n}")
        for n in range(3)
    ]
