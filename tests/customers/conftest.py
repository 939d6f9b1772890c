from __future__ import annotations

from typing import Any

import pytest
from stdnum.cn import ric, uscc


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> None:
    """Pages and messages in English, so assertions can quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.LANGUAGE_CODE = "en"


def resident_id(area: str = "110105", birth: str = "19900307", sequence: str = "123") -> str:
    """A valid 18-character resident ID number (odd sequence digit: a man)."""
    body = f"{area}{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(body: str = "91310000MA1FL8XQ3") -> str:
    """A valid unified social credit code."""
    return body + uscc.calc_check_digit(body)


def full_width(text: str) -> str:
    """ASCII digits and letters as their full-width forms (as typed with a Chinese IME)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
