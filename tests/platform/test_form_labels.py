"""Form selects offer a readable empty choice, not Django's dashes."""

from __future__ import annotations

from typing import Any

import pytest

from autocrm.accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/network/dealers/new/", "/network/regions/new/", "/accounts/users/new/"]
)
def test_create_forms_offer_choose_instead_of_dashes(
    url: str, client: Any, user_in: Any, network: dict
) -> None:
    client.force_login(user_in(Role.ADMINISTRATOR))
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "---------" not in page
    assert "请选择…" in page
