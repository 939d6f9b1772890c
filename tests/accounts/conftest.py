from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def english(client: Any, settings: Any) -> None:
    """Pages in English, so assertions can quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
