"""The customer's audit trail: what it never holds (an ID number's ciphertext and hash), changes
written for values snapshots cannot see (tags), what owning a vehicle changes, and the history
panel of the 360 page."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.core import audit
from autocrm.core.audit import history_of
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.customers import services
from autocrm.customers.choices import CustomerStatus, DealerRelation
from autocrm.customers.merging import merge_customers
from autocrm.customers.models import Customer, CustomerDealer, CustomerMerge
from tests.customers.conftest import resident_id
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SECRET_COLUMNS = {"id_number_encrypted", "id_number_hash"}


def _everything_audited() -> str:
    return json.dumps(
        [entry.changes for entry in AuditEntry.objects.all()]
        + [merge.snapshots for merge in CustomerMerge.objects.all()],
        ensure_ascii=False,
    )


def test_the_audit_trail_never_holds_an_id_numbers_ciphertext_or_hash(user_in: Any) -> None:
    # given a customer created with an ID number, whose number is then replaced
    administrator = user_in(Role.ADMINISTRATOR)
    customer = services.customer_create(
        actor=administrator, data={"name": "张三丰"}, id_number=resident_id(sequence="123")
    )
    first = Customer.objects.get(pk=customer.pk)
    services.customer_update(
        actor=administrator, customer=first, data={}, id_number=resident_id(sequence="135")
    )
    second = Customer.objects.get(pk=customer.pk)

    # when we read every audit entry written for it
    entries = list(history_of(customer).order_by("occurred_at", "id"))

    # then neither entry names the secret columns, and no stored ciphertext or hash shows up
    assert [entry.action for entry in entries] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert all(not SECRET_COLUMNS & set(entry.changes) for entry in entries)
    audited = _everything_audited()
    for row in (first, second):
        assert row.id_number_encrypted not in audited
        assert row.id_number_hash not in audited
    # and the change is shown by its masked form
    assert entries[1].changes["id_number_masked"] == [
        first.id_number_masked,
        second.id_number_masked,
    ]


def test_a_merge_snapshot_holds_no_ciphertext_either(user_in: Any) -> None:
    administrator = user_in(Role.ADMINISTRATOR)
    survivor = CustomerFactory(name="张三丰")
    duplicate = services.customer_create(
        actor=administrator, data={"name": "张三丰"}, id_number=resident_id()
    )
    stored = Customer.objects.get(pk=duplicate.pk)

    merge_customers(actor=administrator, survivor=survivor, others=[stored], reason="同一人")

    snapshot = CustomerMerge.objects.get().snapshots[0]
    assert not SECRET_COLUMNS & set(snapshot)
    assert snapshot["id_number_masked"] == stored.id_number_masked
    assert stored.id_number_encrypted not in _everything_audited()


def test_record_changes_writes_only_what_changed(user_in: Any) -> None:
    customer = CustomerFactory()
    actor = user_in(Role.ADMINISTRATOR)

    unchanged = audit.record_changes(customer, {"tags": (["VIP"], ["VIP"])}, actor=actor)
    entry = audit.record_changes(
        customer,
        {"tags": (["VIP"], ["VIP", "车主俱乐部"]), "segment": ("a", "a")},
        actor=actor,
    )

    assert unchanged is None
    assert entry is not None
    assert (entry.action, entry.actor, entry.changes) == (
        AuditAction.UPDATE,
        actor,
        {"tags": [["VIP"], ["VIP", "车主俱乐部"]]},
    )


def test_setting_the_same_tags_again_writes_no_history(user_in: Any) -> None:
    agent = user_in(Role.MARKETING)
    customer = CustomerFactory()
    services.tags_set(actor=agent, customer=customer, names=["VIP"])

    services.tags_set(actor=agent, customer=customer, names=[" VIP "])

    assert [entry.changes for entry in history_of(customer)] == [{"tags": [[], ["VIP"]]}]


def test_marking_an_owner_sets_the_status_and_the_selling_dealers_link_once(
    user_in: Any, network: dict[str, Any]
) -> None:
    # given a prospect someone has opened for editing (version 1), and a salesperson
    customer = CustomerFactory(status=CustomerStatus.PROSPECT)
    salesperson = user_in(Role.SALESPERSON)
    dealer = network["east_dealer"]
    since = datetime.date(2026, 1, 5)

    # when the customer buys a car from the east dealer, recorded twice (a retried request)
    for _attempt in range(2):
        services.customer_mark_owner(
            actor=salesperson, customer=customer, sold_by=dealer, since=since
        )

    # then they are an owner, linked once to the selling dealer, and the editor's version is old
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.status, stored.version) == (CustomerStatus.OWNER, 2)
    links = CustomerDealer.objects.filter(customer=customer, relation=DealerRelation.SOLD_BY)
    assert [(link.dealer, link.since) for link in links] == [(dealer, since)]
    assert [entry.action for entry in history_of(customer)] == [AuditAction.UPDATE]
    assert history_of(customer).get().changes == {
        "status": [CustomerStatus.PROSPECT, CustomerStatus.OWNER]
    }


def test_marking_a_former_owner_moves_the_status_only(user_in: Any) -> None:
    customer = CustomerFactory(status=CustomerStatus.OWNER)

    services.customer_mark_former_owner(actor=user_in(Role.SALESPERSON), customer=customer)

    stored = Customer.objects.get(pk=customer.pk)
    assert stored.status == CustomerStatus.FORMER_OWNER
    assert not CustomerDealer.objects.filter(customer=customer).exists()


def _history_panel(page: str) -> str:
    """The history panel's card, up to the side column (it is the main column's last panel)."""
    start = page.index('data-testid="panel-history"')
    return page[start : page.index('data-testid="side-column"', start)]


def test_the_history_panel_lists_changes_inside_the_panels_own_card(
    user_in: Any, client_as: Any, network: dict[str, Any]
) -> None:
    # given a customer whose name an administrator changed
    administrator = user_in(Role.ADMINISTRATOR)
    customer = services.customer_create(
        actor=administrator, data={"name": "张三"}, dealer=network["east_dealer"]
    )
    services.customer_update(
        actor=administrator, customer=customer, data={"name": "张三丰"}, expected_version=1
    )

    # when the customer page is opened
    page = client_as(administrator).get(reverse("customers:customer_detail", args=[customer.pk]))
    panel = _history_panel(page.content.decode())

    # then the panel shows both entries, newest first, under the panel's one heading
    assert panel.count('data-testid="history-entry"') == 2
    assert re.findall(r'data-testid="history-action">([^<]+)<', panel) == ["Changed", "Created"]
    change = re.search(r'<li data-testid="history-change">(.*?)</li>', panel, re.S)
    assert change is not None
    assert re.sub(r"<[^>]+>|\s+", " ", change.group(1)).split() == ["Name:", "张三", "→", "张三丰"]
    assert re.findall(r'<h3 class="card-title">([^<]+)</h3>', panel) == ["History"]
    assert 'class="card"' not in panel
