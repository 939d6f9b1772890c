"""Inputs schemathesis found that crashed the API or broke its own schema, one test each."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from autocrm.accounts.choices import Role
from autocrm.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_administrator(client: Any, user_in: Any) -> Any:
    _token, raw = api_token_create(user=user_in(Role.ADMINISTRATOR), name="regressions")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def send(method: str, path: str, body: Any = None, *, raw_body: bytes | None = None) -> Any:
        data = raw_body if raw_body is not None else json.dumps(body)
        call = getattr(client, method)
        if body is None and raw_body is None:
            return call(path, **headers)
        return call(path, data, content_type="application/json", **headers)

    return send


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _is_envelope(body: dict[str, Any]) -> bool:
    return set(body) == {"code", "message", "details"}


def test_every_operation_documents_its_error_answers(client: Any) -> None:
    """Undocumented status codes: 401 everywhere, 422 wherever there is input, and the
    operation's own refusals, all in the error envelope."""
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    documented = {
        (method, path): set(operation["responses"])
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    assert documented[("get", "/api/v1/me")] == {"200", "401"}
    assert documented[("get", "/api/v1/users")] >= {"200", "400", "401", "422"}
    assert documented[("post", "/api/v1/network/dealers")] >= {"201", "400", "401", "403", "422"}
    assert documented[("patch", "/api/v1/network/dealers/{dealer_id}")] >= {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "422",
    }
    assert documented[("post", "/api/v1/jobs/{job_id}/retry")] >= {"200", "400", "404", "422"}
    error = paths["/api/v1/network/regions"]["post"]["responses"]["403"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_a_body_that_is_not_json_is_refused_with_a_translated_message(
    as_administrator: Any,
) -> None:
    response = as_administrator("post", "/api/v1/network/dealers", raw_body=b"\x00\xff")
    assert response.status_code == 400
    body = response.json()
    assert _is_envelope(body)
    assert body["code"] == "validation_error"
    assert body["message"] == "请求正文不是有效的 JSON。"


def test_a_region_of_an_unknown_level_is_a_field_error_not_a_crash(as_administrator: Any) -> None:
    response = as_administrator(
        "post", "/api/v1/network/regions", {"code": "X1", "name": "x", "level": "error_dict"}
    )
    assert response.status_code == 422
    body = response.json()
    assert _is_envelope(body)
    assert [detail["field"] for detail in body["details"]] == ["level"]


def test_a_salesperson_creating_a_region_is_refused_before_the_input_is_judged(
    client: Any, user_in: Any
) -> None:
    _token, raw = api_token_create(user=user_in(Role.SALESPERSON), name="regressions")
    response = client.post(
        "/api/v1/network/regions",
        json.dumps({"code": "X1", "name": "x", "level": "error_dict"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("patch", "/api/v1/network/dealers/{dealer}", {"name": "上海\x00"}, "name"),
        ("post", "/api/v1/network/dealers", {"phone": "\x00"}, "phone"),
        ("patch", "/api/v1/users/{user}", {"display_name": "\x00"}, "display_name"),
    ],
)
def test_null_characters_in_text_are_a_field_error(
    as_administrator: Any,
    network: dict[str, Any],
    user_in: Any,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    """PostgreSQL cannot store NUL in text; SQLite stored it silently."""
    if method == "post":
        body = {
            "code": "NUL1",
            "name": "n",
            "dealer_type": "4s",
            "region_id": network["east"]["city"].pk,
            **body,
        }
    path = path.format(dealer=network["east_dealer"].pk, user=user_in(Role.ANALYST).pk)
    response = as_administrator(method, path, body)
    assert response.status_code == 422
    body = response.json()
    assert _is_envelope(body)
    # The message is Django's own, from Django's catalogue.
    assert body["details"] == [{"field": field, "message": "不允许是用空字符串。"}]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/network/dealers?cursor=" + _cursor(["\x00"]),
        "/api/v1/network/dealers?group=99999999999999999999999",
        "/api/v1/network/regions?parent=99999999999999999999999",
        "/api/v1/users?dealer=99999999999999999999999",
    ],
)
def test_values_the_database_cannot_compare_are_refused_not_a_crash(
    as_administrator: Any, network: dict[str, Any], path: str
) -> None:
    """NUL in a cursor (PostgreSQL) and integers beyond 64 bits in filters (SQLite)."""
    response = as_administrator("get", path)
    assert _is_envelope(response.json())
    if "cursor=" in path:
        assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")
    else:
        assert (response.status_code, response.json()["code"]) == (422, "validation_error")
