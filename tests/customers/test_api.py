"""Customer API: scoping matrix, create with field errors, optimistic lock (409), contact
points, consents and contactability, relationships, the audited ID number endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from autocrm.accounts.choices import Role
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.customers.models import ContactPoint, Customer
from tests.customers.conftest import resident_id
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("role", "where", "sees_east", "sees_west"),
    [
        (Role.ADMINISTRATOR, "east", True, True),
        (Role.CALL_CENTER_AGENT, "east", True, True),
        (Role.REGION_MANAGER, "west", False, True),
        (Role.SALESPERSON, "east", True, False),
    ],
)
def test_list_and_detail_follow_the_scope(
    network: Any,
    user_in: Any,
    client_as: Any,
    role: str,
    where: str,
    sees_east: bool,
    sees_west: bool,
) -> None:
    east = CustomerFactory(dealers=[network["east_dealer"]])
    west = CustomerFactory(dealers=[network["west_dealer"]])
    client = client_as(user_in(role, where=where))

    listed = _ids(client.get("/api/v1/customers"))

    assert (east.pk in listed, west.pk in listed) == (sees_east, sees_west)
    for customer, sees in ((east, sees_east), (west, sees_west)):
        for path in ("", "/contact-points", "/consents", "/relationships"):
            response = client.get(f"/api/v1/customers/{customer.pk}{path}")
            assert response.status_code == (200 if sees else 404), path


def test_anonymous_callers_get_401(client: Any, network: Any) -> None:
    customer = CustomerFactory()

    assert client.get("/api/v1/customers").status_code == 401
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 401
    assert client.post("/api/v1/customers", {"name": "x"}, "application/json").status_code == 401


def test_list_filters_and_pages_by_keyset(network: Any, user_in: Any, client_as: Any) -> None:
    owners = [CustomerFactory(status="owner", dealers=[network["east_dealer"]]) for _ in range(3)]
    CustomerFactory(status="prospect", dealers=[network["east_dealer"]])
    client = client_as(user_in(Role.ADMINISTRATOR))

    first = client.get(
        "/api/v1/customers",
        {"status": "owner", "dealer_id": network["east_dealer"].pk, "limit": 2},
    ).json()
    second = client.get(
        "/api/v1/customers", {"status": "owner", "limit": 2, "cursor": first["next_cursor"]}
    ).json()

    assert [item["id"] for item in first["items"] + second["items"]] == [
        owners[2].pk,
        owners[1].pk,
        owners[0].pk,
    ]
    assert second["next_cursor"] is None


def test_create_with_contacts_and_a_bad_phone_names_the_field(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    payload = {
        "name": "王五",
        "id_number": resident_id(),
        "contact_points": [
            {"kind": "phone", "value": "+86 138 1234 5678"},
            {"kind": "phone", "value": "12"},
        ],
    }

    refused = client.post("/api/v1/customers", payload, "application/json")
    payload["contact_points"] = payload["contact_points"][:1]  # type: ignore[index]
    created = client.post("/api/v1/customers", payload, "application/json")

    assert refused.status_code == 422
    assert [d["field"] for d in refused.json()["details"]] == ["contact_points.1.value"]
    assert created.status_code == 201
    body = created.json()
    assert body["number"] == f"C{body['id']:09d}"
    assert body["id_number_masked"] == resident_id()[:6] + "********" + resident_id()[14:]
    assert "id_number" not in body
    customer = Customer.objects.get(pk=body["id"])
    assert customer.dealer_links.get().dealer == network["east_dealer"]


def test_a_read_only_role_cannot_create_or_change(
    network: Any, user_in: Any, client_as: Any
) -> None:
    customer = CustomerFactory()
    client = client_as(user_in(Role.ANALYST))

    created = client.post("/api/v1/customers", {"name": "王五"}, "application/json")
    patched = client.patch(
        f"/api/v1/customers/{customer.pk}", {"occupation": "x"}, "application/json"
    )

    assert (created.status_code, patched.status_code) == (403, 403)
    assert Customer.objects.count() == 1


def test_patch_with_a_stale_version_is_409_and_changes_nothing(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.pk}"

    first = client.patch(
        url, {"version": 1, "occupation": "教师", "tags": ["VIP"]}, "application/json"
    )
    stale = client.patch(url, {"version": 1, "occupation": "医生"}, "application/json")

    assert first.status_code == 200
    assert (first.json()["version"], first.json()["tags"]) == (2, ["VIP"])
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert Customer.objects.get(pk=customer.pk).occupation == "教师"


def test_contact_points_consents_and_contactability(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.CALL_CENTER_AGENT))
    customer = CustomerFactory()
    base = f"/api/v1/customers/{customer.pk}"

    added = client.post(
        f"{base}/contact-points", {"kind": "phone", "value": "13812345678"}, "application/json"
    )
    before = client.get(f"{base}/contactability", {"channel": "sms", "purpose": "marketing"})
    granted = client.put(
        f"{base}/consents",
        {"channel": "sms", "purpose": "marketing", "granted": True, "source": "官网注册"},
        "application/json",
    )
    after = client.get(f"{base}/contactability", {"channel": "sms", "purpose": "marketing"})
    point_id = added.json()["id"]
    removed = client.delete(f"/api/v1/contact-points/{point_id}")

    assert added.status_code == 201
    assert added.json()["normalised"] == "+8613812345678"
    assert (before.json()["allowed"], before.json()["code"]) == (False, "no_opt_in")
    assert granted.status_code == 200
    assert (after.json()["allowed"], after.json()["code"]) == (True, "granted")
    assert removed.status_code == 204
    assert not ContactPoint.objects.exists()


def test_relationships_resolve_the_other_customer_within_scope(
    network: Any, user_in: Any, client_as: Any
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    mine = CustomerFactory(dealers=[network["east_dealer"]])
    theirs = CustomerFactory(dealers=[network["west_dealer"]])
    client = client_as(user_in(Role.DEALER_MANAGER))
    url = f"/api/v1/customers/{customer.pk}/relationships"

    refused = client.post(url, {"other_id": theirs.pk, "kind": "referred_by"}, "application/json")
    created = client.post(url, {"other_id": mine.pk, "kind": "referred_by"}, "application/json")
    listed = client.get(url).json()
    removed = client.delete(f"/api/v1/relationships/{created.json()['id']}")

    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"] == "other_id"
    assert [(r["other_number"], r["kind"]) for r in listed] == [(mine.number, "referred_by")]
    assert removed.status_code == 204


def test_the_id_number_endpoint_is_role_bound_and_audited(
    network: Any, user_in: Any, client_as: Any
) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    created = client_as(agent).post(
        "/api/v1/customers", {"name": "王五", "id_number": resident_id()}, "application/json"
    )
    url = f"/api/v1/customers/{created.json()['id']}/id-number"

    allowed = client_as(agent).get(url)
    refused = client_as(user_in(Role.MARKETING)).get(url)

    assert allowed.json() == {"id_number": resident_id()}
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_IDENTIFIER, actor=agent).count() == 1


def test_a_created_customer_is_answered_as_stored_with_one_audit_entry_per_record(
    network: Any, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.SALESPERSON))
    payload = {
        "name": "赵六",
        "tags": ["VIP"],
        "contact_points": [
            {"kind": "phone", "value": "139 0000 1111"},
            {"kind": "email", "value": "zhao@example.com"},
        ],
    }

    body = client.post("/api/v1/customers", payload, "application/json").json()

    stored = client.get(f"/api/v1/customers/{body['id']}").json()
    assert body == stored
    assert body["tags"] == ["VIP"]
    customer = Customer.objects.get(pk=body["id"])
    created = AuditEntry.objects.filter(action=AuditAction.CREATE)
    assert sorted(entry.content_type.model for entry in created) == [
        "contactpoint",
        "contactpoint",
        "customer",
        "customerdealer",
    ]
    [entry] = [e for e in created if e.content_type.model == "customer"]
    assert (entry.object_id, entry.changes["number"]) == (str(customer.pk), [None, customer.number])
