"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

Every operation of ``/api/v1/openapi.json`` gets generated requests, sent in-process through the
WSGI application with a bearer token, as an administrator (who may write) and as a dealer
salesperson (who sees one dealer and may write nothing). Each answer must not be a server error,
must have a status code and a content type the schema documents, and must match the documented
shape. Each generated request runs in a savepoint that is rolled back, so what one example creates
cannot change what the next one meets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.accounts.services import api_token_create
from autocrm.core.models import Job
from autocrm.network.models import Dealer, DealerGroup, Region
from autocrm.wsgi import application
from tests.factories import DealerGroupFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Modest by default so the file runs in well under a minute; raise it to search harder, e.g.
# AUTOCRM_FUZZ_EXAMPLES=500 pytest tests/api
MAX_EXAMPLES = int(os.environ.get("AUTOCRM_FUZZ_EXAMPLES", "30"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

fuzz_settings = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def in_process_app(transactional_db: Any = None) -> Iterator[None]:
    """Requests run in this thread, on the test's database connection and inside its
    transaction; Django's handler must not close that connection between requests (its test
    client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _records(network: dict[str, Any]) -> None:
    """The test network, and a dealer group for dealers to join."""
    DealerGroupFactory()


def _token_of(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def administrator_headers(user_in: Any) -> dict[str, str]:
    return _token_of(user_in(Role.ADMINISTRATOR))


@pytest.fixture
def salesperson_headers(user_in: Any) -> dict[str, str]:
    return _token_of(user_in(Role.SALESPERSON))


# Small generated ids are mapped onto records that exist, so writes reach the services and the
# database instead of stopping at "not found"; other ids (0, negative, huge) are sent as they are.
_REFERENCES = {
    "region_id": Region,
    "parent_id": Region,
    "dealer_id": Dealer,
    "group_id": DealerGroup,
    "user_id": User,
    "job_id": Job,
}


def _existing(name: str, value: Any) -> Any:
    model = _REFERENCES.get(name)
    if model is None or type(value) is not int or not 1 <= value <= 10:
        return value
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True)[:10])
    return ids[(value - 1) % len(ids)] if ids else value


def _use_existing_records(case: Any) -> None:
    if case.path_parameters:
        for name, value in case.path_parameters.items():
            case.path_parameters[name] = _existing(name, value)
    if isinstance(case.body, dict):
        for name, value in case.body.items():
            case.body[name] = _existing(name, value)


def _call_and_check(case: Any, headers: dict[str, str]) -> None:
    """One generated request in a savepoint that is always rolled back."""
    _use_existing_records(case)
    with transaction.atomic():
        try:
            response = case.call(headers=headers)
            # A token that failed would make every answer a (documented) 401 and prove nothing.
            assert response.status_code != 401, "the test user's token did not authenticate"
            case.validate_response(response, checks=CHECKS, headers=headers)
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_app")
@schema.parametrize()
@fuzz_settings
def test_api_as_administrator(case: Any, administrator_headers: dict[str, str]) -> None:
    _call_and_check(case, administrator_headers)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_app")
@schema.parametrize()
@fuzz_settings
def test_api_as_dealer_salesperson(case: Any, salesperson_headers: dict[str, str]) -> None:
    _call_and_check(case, salesperson_headers)
