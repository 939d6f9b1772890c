from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from tests.factories import DealerFactory, UserFactory, region_tree


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> None:
    """Tests run tasks immediately, hash passwords fast and keep files in a temporary folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def network(db: Any) -> dict[str, Any]:
    """Two areas, each with a province, a city and a dealer; the east has a second dealer."""
    east = region_tree("华东")
    west = region_tree("西南")
    east_dealer = DealerFactory(region=east["city"], name="上海浦东4S店")
    east_other_dealer = DealerFactory(region=east["city"], name="上海徐汇4S店")
    west_dealer = DealerFactory(region=west["city"], name="成都武侯4S店")
    return {
        "east": east,
        "west": west,
        "east_dealer": east_dealer,
        "east_other_dealer": east_other_dealer,
        "west_dealer": west_dealer,
    }


def make_user(role: str, *, network: dict[str, Any], where: str = "east", **extra: Any) -> User:
    """A user of ``role`` placed in the east (or west) part of the test network."""
    placement: dict[str, Any] = {}
    if role == Role.REGION_MANAGER:
        placement["region"] = network[where]["area"]
    elif role in {Role.DEALER_MANAGER, Role.SALESPERSON, Role.SERVICE_ADVISOR}:
        placement["dealer"] = network[f"{where}_dealer"]
    user: User = UserFactory(role=role, **placement, **extra)
    return user


@pytest.fixture
def user_in(network: dict[str, Any]) -> Any:
    def build(role: str, where: str = "east", **extra: Any) -> User:
        return make_user(role, network=network, where=where, **extra)

    return build


@pytest.fixture
def client_as(client: Client) -> Any:
    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login
