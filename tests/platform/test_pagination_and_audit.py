"""Keyset pagination walks every row exactly once; the audit trail records real changes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autocrm.core import audit
from autocrm.core.channels import Channel, working_through
from autocrm.core.errors import InvalidCursor
from autocrm.core.models import AuditAction
from autocrm.core.pagination import keyset_page
from autocrm.network.models import Dealer
from tests.factories import DealerFactory, UserFactory, region_tree

pytestmark = pytest.mark.django_db


def walk(ordering: tuple[str, ...], limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(Dealer.objects.all(), ordering=ordering, cursor=cursor, limit=limit)
        seen += [dealer.pk for dealer in page.items]
        if not page.has_next:
            return seen
        cursor = page.next_cursor


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(st.sampled_from(["甲", "乙", "丙", "A", "b"]), min_size=0, max_size=12),
    limit=st.integers(min_value=1, max_value=5),
    descending=st.booleans(),
)
def test_keyset_pages_cover_every_row_once_in_order(
    names: list[str], limit: int, descending: bool, django_db_blocker: Any
) -> None:
    Dealer.objects.all().delete()
    city = region_tree()["city"]
    for name in names:
        DealerFactory(name=name, region=city)
    ordering = ("-name", "-pk") if descending else ("name", "pk")
    expected = list(Dealer.objects.order_by(*ordering).values_list("pk", flat=True))
    assert walk(ordering, limit) == expected


@pytest.mark.parametrize("cursor", ["%%%", "WzFd", "bm90IGpzb24"])
def test_a_tampered_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        keyset_page(Dealer.objects.all(), ordering=("name", "pk"), cursor=cursor, limit=5)


def test_audit_records_only_changed_fields_with_channel_and_actor() -> None:
    actor = UserFactory()
    dealer = DealerFactory(phone="")
    before = audit.snapshot(dealer)
    dealer.phone = "010-12345678"
    dealer.save()
    with working_through(Channel.IMPORT):
        entry = audit.record_change(dealer, before, actor=actor)
    assert entry is not None
    assert entry.changes == {"phone": ["", "010-12345678"]}
    assert entry.channel == Channel.IMPORT
    assert entry.actor == actor
    assert audit.record_change(dealer, audit.snapshot(dealer), actor=actor) is None


def test_identifier_views_are_logged() -> None:
    actor = UserFactory()
    dealer = DealerFactory()
    audit.record_identifier_view(dealer, "id_number", actor=actor)
    entry = audit.history_of(dealer).get()
    assert entry.action == AuditAction.VIEW_IDENTIFIER
    assert entry.changes == {"field": "id_number"}


@pytest.mark.parametrize("values", [["a\x00b"], [2**70], [True], [{"x": 1}]])
def test_a_cursor_holding_values_the_database_cannot_compare_is_refused(values: list) -> None:
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    with pytest.raises(InvalidCursor):
        keyset_page(Dealer.objects.all(), ordering=("code",), cursor=cursor, limit=5)
