from __future__ import annotations

import re
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> None:
    """Pages in English, so assertions can quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def row_codes(page: str, kind: str = "dealer") -> list[str]:
    """The codes of the rows of a list table, in order."""
    return re.findall(rf'data-testid="{kind}-row" data-code="([^"]+)"', page)


def field_errors(page: str, name: str) -> list[str]:
    """The inline errors shown under form field ``name``."""
    block = re.search(rf'<div class="mb-3" id="field-{name}">(.*?)\n</div>', page, re.S)
    assert block is not None, f"field {name} is not on the page"
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', block.group(1))
