"""The API shell: auth, error envelope, keyset pagination, network endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autocrm.accounts.choices import Role
from autocrm.accounts.services import api_token_create
from autocrm.core.audit import history_of
from autocrm.network.models import Dealer
from tests.factories import DealerFactory

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_schema_and_docs_are_published(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "autocrm API"
    assert "/api/v1/network/dealers" in schema["paths"]
    assert "/api/v1/network/regions" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_token_authenticates_and_wrong_token_gets_401(client: Any, user_in: Any) -> None:
    user = user_in(Role.DEALER_MANAGER)
    response = client.get("/api/v1/me", **bearer(user))
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["role"] == "dealer_manager"

    wrong = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer acrm_not-a-real-token")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "not_authenticated"


def test_token_of_a_deactivated_user_stops_working(client: Any, user_in: Any) -> None:
    user = user_in(Role.ANALYST)
    headers = bearer(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_dealer_list_pages_by_keyset(client: Any, user_in: Any, network: dict) -> None:
    for number in range(5):
        DealerFactory(code=f"ZZ{number:02d}", region=network["east"]["city"])
    headers = bearer(user_in(Role.ADMINISTRATOR))

    codes: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, "q": "ZZ"}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/network/dealers", params, **headers).json()
        codes += [item["code"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert codes == ["ZZ00", "ZZ01", "ZZ02", "ZZ03", "ZZ04"]
    assert pages == 2


def test_bad_cursor_and_limit_get_clear_errors(client: Any, user_in: Any, network: dict) -> None:
    headers = bearer(user_in(Role.ADMINISTRATOR))
    bad_cursor = client.get("/api/v1/network/dealers", {"cursor": "garbage!"}, **headers)
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["code"] == "invalid_cursor"
    too_many = client.get("/api/v1/network/dealers", {"limit": 100000}, **headers)
    assert too_many.status_code == 422
    assert too_many.json()["code"] == "validation_error"
    assert too_many.json()["details"][0]["field"].endswith("limit")


def test_dealer_create_validates_each_field_in_the_users_language(
    client: Any, user_in: Any, network: dict
) -> None:
    headers = bearer(user_in(Role.ADMINISTRATOR))
    payload = {"code": "bad code!", "name": "新店", "dealer_type": "4s", "region_id": 999999}
    response = client.post(
        "/api/v1/network/dealers",
        json.dumps(payload),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {detail["field"] for detail in body["details"]} == {"region_id"}
    assert Dealer.objects.filter(name="新店").count() == 0

    payload["region_id"] = network["east"]["city"].pk
    response = client.post(
        "/api/v1/network/dealers", json.dumps(payload), content_type="application/json", **headers
    )
    assert response.status_code == 422
    assert [detail["field"] for detail in response.json()["details"]] == ["code"]
    assert Dealer.objects.filter(name="新店").count() == 0


def test_dealer_create_and_update_are_audited_with_the_api_channel(
    client: Any, user_in: Any, network: dict
) -> None:
    admin = user_in(Role.ADMINISTRATOR)
    headers = bearer(admin)
    payload = {
        "code": "SH900",
        "name": "上海新开4S店",
        "dealer_type": "4s",
        "region_id": network["east"]["city"].pk,
    }
    created = client.post(
        "/api/v1/network/dealers", json.dumps(payload), content_type="application/json", **headers
    )
    assert created.status_code == 201
    dealer_id = created.json()["id"]
    assert created.json()["version"] == 1

    updated = client.patch(
        f"/api/v1/network/dealers/{dealer_id}",
        json.dumps({"version": 1, "phone": "021-55556666"}),
        content_type="application/json",
        **headers,
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == 2

    history = list(history_of(Dealer.objects.get(pk=dealer_id)))
    assert [(entry.action, entry.channel, entry.actor) for entry in history] == [
        ("update", "api", admin),
        ("create", "api", admin),
    ]
    assert history[0].changes == {"phone": ["", "021-55556666"]}


def test_stale_update_is_refused_and_overwrites_nothing(
    client: Any, user_in: Any, network: dict
) -> None:
    headers = bearer(user_in(Role.ADMINISTRATOR))
    dealer = network["east_dealer"]
    first = client.patch(
        f"/api/v1/network/dealers/{dealer.pk}",
        json.dumps({"version": 1, "name": "第一次保存"}),
        content_type="application/json",
        **headers,
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/v1/network/dealers/{dealer.pk}",
        json.dumps({"version": 1, "name": "第二次保存"}),
        content_type="application/json",
        **headers,
    )
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    dealer.refresh_from_db()
    assert dealer.name == "第一次保存"


def test_dealer_staff_may_not_write_and_out_of_scope_is_404(
    client: Any, user_in: Any, network: dict
) -> None:
    headers = bearer(user_in(Role.DEALER_MANAGER))
    own = client.patch(
        f"/api/v1/network/dealers/{network['east_dealer'].pk}",
        json.dumps({"name": "改名"}),
        content_type="application/json",
        **headers,
    )
    assert own.status_code == 403
    assert own.json()["code"] == "permission_denied"
    other = client.patch(
        f"/api/v1/network/dealers/{network['west_dealer'].pk}",
        json.dumps({"name": "改名"}),
        content_type="application/json",
        **headers,
    )
    assert other.status_code == 404
    assert Dealer.objects.filter(name="改名").count() == 0


def test_error_messages_follow_the_users_language(client: Any, network: dict) -> None:
    chinese = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["message"]
    english = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert english == "Log in or send a valid API token (Authorization: Bearer ...)."
    assert chinese != english


def test_session_auth_requires_csrf_for_writes(user_in: Any, network: dict) -> None:
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user_in(Role.ADMINISTRATOR))
    assert csrf_client.get("/api/v1/me").status_code == 200
    response = csrf_client.patch(
        f"/api/v1/network/dealers/{network['east_dealer'].pk}",
        json.dumps({"name": "无令牌"}),
        content_type="application/json",
    )
    assert response.status_code in {401, 403}
    assert Dealer.objects.filter(name="无令牌").count() == 0


def test_region_create_through_the_api_sets_the_subtree_path(
    client: Any, user_in: Any, network: dict
) -> None:
    headers = bearer(user_in(Role.ADMINISTRATOR))
    province = network["east"]["province"]
    response = client.post(
        "/api/v1/network/regions",
        json.dumps({"code": "320500", "name": "苏州市", "level": "city", "parent_id": province.pk}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201
    from autocrm.network.models import Region

    city = Region.objects.get(code="320500")
    assert city.path == f"{province.path}{city.pk}/"

    wrong_level = client.post(
        "/api/v1/network/regions",
        json.dumps({"code": "X1", "name": "错层级", "level": "city", "parent_id": None}),
        content_type="application/json",
        **headers,
    )
    assert wrong_level.status_code == 422
    assert wrong_level.json()["details"][0]["field"] == "parent"


def test_an_unexpected_error_gets_the_envelope_not_a_traceback(
    client: Any, user_in: Any, network: dict, monkeypatch: Any
) -> None:
    from autocrm.network import api as network_api

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(network_api, "keyset_page", explode)
    client.raise_request_exception = False
    response = client.get("/api/v1/network/dealers", **bearer(user_in(Role.ADMINISTRATOR)))
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "database on fire" not in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/network/dealers", "/network/dealers/"])
def test_an_id_filter_past_64_bits_is_a_field_error(
    url: str, client: Any, user_in: Any, network: dict
) -> None:
    client.force_login(user_in(Role.ADMINISTRATOR))
    response = client.get(url, {"group": str(2**70)})
    if url.startswith("/api/"):
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "group"
    else:
        assert response.status_code == 200
        assert network["east_dealer"].name not in response.content.decode()
