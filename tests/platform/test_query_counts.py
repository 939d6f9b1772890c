"""List and detail pages cost a fixed number of queries, however many rows they show."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.core import audit
from tests.factories import DealerFactory, DealerGroupFactory

pytestmark = pytest.mark.django_db


def queries_for(client: Any, url: str) -> int:
    client.get(url)  # warm the process-wide caches (content types) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/network/dealers/",
        "/network/service-stations/",
        "/network/regions/",
        "/network/groups/",
        "/api/v1/network/dealers",
        "/api/v1/network/regions",
    ],
)
@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REGION_MANAGER, Role.DEALER_MANAGER])
def test_list_queries_do_not_grow_with_rows(
    url: str, role: str, user_in: Any, network: dict, client: Any
) -> None:
    client.force_login(user_in(role))
    few = queries_for(client, url)
    group = DealerGroupFactory()
    for _ in range(15):
        DealerFactory(region=network["east"]["city"], group=group)
    many = queries_for(client, url)
    assert many == few


def test_dealer_detail_queries_do_not_grow_with_staff_or_history(
    user_in: Any, network: dict, client: Any
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    client.force_login(admin)
    dealer = network["east_dealer"]
    url = f"/network/dealers/{dealer.pk}/"
    few = queries_for(client, url)
    for _ in range(5):
        user_in(Role.SALESPERSON)
        before = audit.snapshot(dealer)
        dealer.phone = f"021-{dealer.phone[-4:] or '0000'}1"
        dealer.save()
        audit.record_change(dealer, before, actor=admin)
    assert queries_for(client, url) == few
