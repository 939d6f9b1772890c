"""The navbar's search box says what the global search finds: customers and vehicles by name,
phone, VIN, plate or number (not only dealers, regions and users, as it once did)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from autocrm.accounts.choices import Role


@pytest.mark.parametrize(
    ("language", "placeholder"),
    [("zh-hans", "姓名、电话、VIN、车牌号或编号"), ("en", "Name, phone, VIN, plate or number")],
)
def test_the_search_box_invites_names_phones_vins_plates_and_numbers(
    user_in: Any, client_as: Any, settings: Any, language: str, placeholder: str
) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get("/").content.decode()

    box = re.search(r'<form class="navbar-search.*?</form>', page, re.S)
    assert box is not None
    assert re.findall(r'placeholder="([^"]+)"', box.group(0)) == [placeholder]
