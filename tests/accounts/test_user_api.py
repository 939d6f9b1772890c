"""User administration over the API: scoped reads, writes through the same services as the
pages, the validation envelope, and answers that never carry a password or a token hash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from autocrm.accounts.choices import Role
from autocrm.accounts.models import ApiToken, User
from autocrm.accounts.services import api_token_create
from autocrm.core.audit import history_of
from autocrm.core.models import AuditAction

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Plum-orchard-42-kites"
USER_FIELDS = {
    "id",
    "username",
    "display_name",
    "email",
    "phone",
    "role",
    "role_label",
    "hq_department_id",
    "region_id",
    "dealer_id",
    "is_active",
    "last_login",
    "date_joined",
}


class Api:
    """An API client authenticated with a fresh bearer token of ``user``, asking for English."""

    def __init__(self, user: User) -> None:
        _token, raw = api_token_create(user=user, name="test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(url, params)

    def post(self, url: str, body: dict[str, Any]) -> Any:
        return self.client.post(url, json.dumps(body), content_type="application/json")

    def patch(self, url: str, body: dict[str, Any]) -> Any:
        return self.client.patch(url, json.dumps(body), content_type="application/json")


def new_user(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "zhang.wei",
        "password": STRONG_PASSWORD,
        "display_name": "张伟",
        "role": Role.SERVICE_ADVISOR,
    }
    body.update(overrides)
    return body


def test_the_list_is_scoped_filtered_and_keyset_paged(
    user_in: Any, network: dict[str, Any]
) -> None:
    # given a region manager in the east, and staff in both regions
    manager = user_in(Role.REGION_MANAGER, "east", username="east.rm")
    user_in(Role.SALESPERSON, "east", username="east.a")
    user_in(Role.SERVICE_ADVISOR, "east", username="east.b")
    user_in(Role.SALESPERSON, "west", username="west.a")
    api = Api(manager)

    # when they page through the users two at a time
    first = api.get("/api/v1/users", limit=2).json()
    second = api.get("/api/v1/users", limit=2, cursor=first["next_cursor"]).json()

    # then they see their region's dealer staff and themselves, by user name
    assert [item["username"] for item in first["items"]] == ["east.a", "east.b"]
    assert [item["username"] for item in second["items"]] == ["east.rm"]
    assert second["next_cursor"] is None
    assert set(first["items"][0]) == USER_FIELDS
    filtered = api.get("/api/v1/users", role=Role.SALESPERSON).json()
    assert [item["username"] for item in filtered["items"]] == ["east.a"]


def test_a_user_in_another_dealer_is_not_found(user_in: Any, network: dict[str, Any]) -> None:
    api = Api(user_in(Role.DEALER_MANAGER, "east"))
    other = user_in(Role.SALESPERSON, "west")

    response = api.get(f"/api/v1/users/{other.pk}")
    patched = api.patch(f"/api/v1/users/{other.pk}", {"display_name": "x"})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert patched.status_code == 404
    other.refresh_from_db()
    assert other.display_name != "x"


def test_an_administrator_creates_a_user_and_the_answer_holds_no_secret(
    user_in: Any, network: dict[str, Any]
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    dealer = network["west_dealer"]

    response = Api(admin).post("/api/v1/users", new_user(dealer_id=dealer.pk))

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(username="zhang.wei")
    assert set(body) == USER_FIELDS
    assert (body["id"], body["role"], body["role_label"], body["dealer_id"], body["is_active"]) == (
        user.pk,
        "service_advisor",
        "Service advisor",
        dealer.pk,
        True,
    )
    assert user.check_password(STRONG_PASSWORD)
    assert STRONG_PASSWORD not in response.content.decode()
    assert user.password not in response.content.decode()
    entry = history_of(user).get()
    assert (entry.action, entry.actor, entry.channel) == (AuditAction.CREATE, admin, "api")
    assert "password" not in entry.changes


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            new_user(),
            [{"field": "dealer_id", "message": "Dealer staff must belong to a dealer."}],
        ),
        (
            new_user(role=Role.REGION_MANAGER, dealer_id="east_dealer"),
            [
                {"field": "region_id", "message": "A region manager must belong to a region."},
                {"field": "dealer_id", "message": "Only dealer staff belong to a dealer."},
            ],
        ),
        (
            new_user(dealer_id="east_dealer", password="12345678"),
            [
                {"field": "password", "message": "This password is too common."},
                {"field": "password", "message": "This password is entirely numeric."},
            ],
        ),
        (
            new_user(role="chief", dealer_id="east_dealer"),
            [{"field": "role", "message": "Value 'chief' is not a valid choice."}],
        ),
        (
            new_user(dealer_id=999999),
            [{"field": "dealer_id", "message": "No such record: 999999."}],
        ),
        (
            {"username": "zhang.wei", "role": Role.SALESPERSON},
            [{"field": "password", "message": "This field is required."}],
        ),
    ],
)
def test_invalid_input_answers_with_the_validation_envelope_and_creates_nothing(
    user_in: Any, network: dict[str, Any], body: dict[str, Any], details: list[dict[str, str]]
) -> None:
    api = Api(user_in(Role.ADMINISTRATOR))
    if isinstance(body.get("dealer_id"), str):
        body = {**body, "dealer_id": network[body["dealer_id"]].pk}
    before = User.objects.count()

    response = api.post("/api/v1/users", body)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert sorted(response.json()["details"], key=str) == sorted(details, key=str)
    assert User.objects.count() == before


def test_a_dealer_manager_may_add_only_their_own_dealers_sales_staff(
    user_in: Any, network: dict[str, Any]
) -> None:
    manager = user_in(Role.DEALER_MANAGER, "east")
    api = Api(manager)

    created = api.post("/api/v1/users", new_user(dealer_id=network["east_dealer"].pk))
    administrator = api.post(
        "/api/v1/users",
        new_user(username="boss", role=Role.ADMINISTRATOR, dealer_id=network["east_dealer"].pk),
    )
    elsewhere = api.post(
        "/api/v1/users",
        new_user(username="far", dealer_id=network["east_other_dealer"].pk),
    )

    assert created.status_code == 201
    assert created.json()["dealer_id"] == network["east_dealer"].pk
    assert administrator.status_code == 422
    assert {
        "field": "role",
        "message": "A dealer manager may only add salespeople and service advisors.",
    } in administrator.json()["details"]
    # another dealer is outside their scope: no such record, as for any unknown id
    assert elsewhere.status_code == 422
    assert elsewhere.json()["details"] == [
        {"field": "dealer_id", "message": f"No such record: {network['east_other_dealer'].pk}."}
    ]
    assert not User.objects.filter(username__in=["boss", "far"]).exists()


def test_a_salesperson_may_not_create_users(user_in: Any, network: dict[str, Any]) -> None:
    api = Api(user_in(Role.SALESPERSON, "east"))

    response = api.post("/api/v1/users", new_user(dealer_id=network["east_dealer"].pk))

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not User.objects.filter(username="zhang.wei").exists()


def test_patch_changes_only_the_fields_sent(user_in: Any, network: dict[str, Any]) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    user = user_in(Role.SALESPERSON, "east", display_name="旧名", phone="021-1")
    area = network["west"]["area"]

    response = Api(admin).patch(
        f"/api/v1/users/{user.pk}",
        {
            "display_name": "新名",
            "role": Role.REGION_MANAGER,
            "region_id": area.pk,
            "dealer_id": None,
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (
        body["display_name"],
        body["role"],
        body["region_id"],
        body["dealer_id"],
        body["phone"],
    ) == (
        "新名",
        "region_manager",
        area.pk,
        None,
        "021-1",
    )
    change = history_of(user).get(action=AuditAction.UPDATE)
    assert change.changes == {
        "display_name": ["旧名", "新名"],
        "role": ["salesperson", "region_manager"],
        "region": [None, area.pk],
        "dealer": [network["east_dealer"].pk, None],
    }


def test_patch_with_an_invalid_membership_changes_nothing(
    user_in: Any, network: dict[str, Any]
) -> None:
    user = user_in(Role.SALESPERSON, "east")

    response = Api(user_in(Role.ADMINISTRATOR)).patch(
        f"/api/v1/users/{user.pk}", {"role": Role.REGION_MANAGER, "display_name": "x"}
    )

    assert response.status_code == 422
    assert response.json()["details"] == [
        {"field": "region_id", "message": "A region manager must belong to a region."},
        {"field": "dealer_id", "message": "Only dealer staff belong to a dealer."},
    ]
    user.refresh_from_db()
    assert (user.role, user.dealer) == (Role.SALESPERSON, network["east_dealer"])
    assert user.display_name != "x"
    assert not history_of(user).exists()


def test_patch_deactivates_revoking_tokens_but_not_oneself(
    user_in: Any, network: dict[str, Any]
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    api = Api(admin)
    user = user_in(Role.SALESPERSON, "east")
    _token, raw = api_token_create(user=user, name="DMS")

    deactivated = api.patch(f"/api/v1/users/{user.pk}", {"is_active": False})
    own = api.patch(f"/api/v1/users/{admin.pk}", {"is_active": False})

    assert (deactivated.status_code, deactivated.json()["is_active"]) == (200, False)
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert own.status_code == 422
    assert own.json()["details"] == [
        {"field": "is_active", "message": "You cannot deactivate your own account."}
    ]
    admin.refresh_from_db()
    assert admin.is_active


def test_the_openapi_schema_lists_the_user_endpoints_without_secrets(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()

    assert set(schema["paths"]["/api/v1/users"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/users/{user_id}"]) == {"get", "patch"}
    user_out = schema["components"]["schemas"]["UserOut"]["properties"]
    assert "password" not in user_out and "key_hash" not in json.dumps(schema)
