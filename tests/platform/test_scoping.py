"""The scoping matrix: for each role, in scope is visible, out of scope is 404, everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from autocrm.accounts.choices import Role
from autocrm.core.scoping import access_object, scope_for, visible_to
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region
from tests.factories import DealerGroupFactory, HQDepartmentFactory, UserFactory

HQ_ROLES = [
    Role.ADMINISTRATOR,
    Role.CALL_CENTER_AGENT,
    Role.TECHNICAL_SUPPORT,
    Role.MARKETING,
    Role.QUALITY_MANAGER,
    Role.ANALYST,
]
DEALER_ROLES = [Role.DEALER_MANAGER, Role.SALESPERSON, Role.SERVICE_ADVISOR]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", HQ_ROLES)
def test_headquarters_roles_see_every_dealer(role: str, user_in: Any, network: dict) -> None:
    user = user_in(role)
    visible = set(visible_to(user, Dealer.objects.all()).values_list("name", flat=True))
    assert visible == {"上海浦东4S店", "上海徐汇4S店", "成都武侯4S店"}


def test_region_manager_sees_the_dealers_of_their_region_only(user_in: Any, network: dict) -> None:
    manager = user_in(Role.REGION_MANAGER, "east")
    visible = set(visible_to(manager, Dealer.objects.all()).values_list("name", flat=True))
    assert visible == {"上海浦东4S店", "上海徐汇4S店"}
    with pytest.raises(Http404):
        access_object(manager, Dealer.objects.all(), pk=network["west_dealer"].pk)


def test_region_manager_sees_the_regions_below_theirs(user_in: Any, network: dict) -> None:
    manager = user_in(Role.REGION_MANAGER, "east")
    visible = set(visible_to(manager, Region.objects.all()))
    assert visible == {
        network["east"]["area"],
        network["east"]["province"],
        network["east"]["city"],
    }


@pytest.mark.parametrize("role", DEALER_ROLES)
def test_dealer_staff_see_their_own_dealer_only(role: str, user_in: Any, network: dict) -> None:
    user = user_in(role, "east")
    assert list(visible_to(user, Dealer.objects.all())) == [network["east_dealer"]]
    for other in (network["east_other_dealer"], network["west_dealer"]):
        with pytest.raises(Http404):
            access_object(user, Dealer.objects.all(), pk=other.pk)


def test_dealer_staff_see_the_regions_their_dealer_sits_in(user_in: Any, network: dict) -> None:
    user = user_in(Role.SALESPERSON, "west")
    assert set(visible_to(user, Region.objects.all())) == set(network["west"].values())


def test_dealer_groups_are_listed_once_and_only_with_visible_dealers(
    user_in: Any, network: dict
) -> None:
    group = DealerGroupFactory(name="东方集团")
    other_group = DealerGroupFactory(name="西部集团")
    Dealer.objects.filter(
        pk__in=[network["east_dealer"].pk, network["east_other_dealer"].pk]
    ).update(group=group)
    Dealer.objects.filter(pk=network["west_dealer"].pk).update(group=other_group)
    manager = user_in(Role.REGION_MANAGER, "east")
    assert list(visible_to(manager, DealerGroup.objects.all())) == [group]


def test_hq_departments_are_invisible_outside_headquarters(user_in: Any, network: dict) -> None:
    department = HQDepartmentFactory()
    assert list(visible_to(user_in(Role.CALL_CENTER_AGENT), HQDepartment.objects.all())) == [
        department
    ]
    assert list(visible_to(user_in(Role.REGION_MANAGER), HQDepartment.objects.all())) == []
    assert list(visible_to(user_in(Role.DEALER_MANAGER), HQDepartment.objects.all())) == []


def test_scoping_fails_closed(network: dict) -> None:
    no_role = UserFactory(role="")
    dealer_staff_without_dealer = UserFactory(role=Role.SALESPERSON)
    inactive = UserFactory(role=Role.ADMINISTRATOR, is_active=False)
    for user in (no_role, dealer_staff_without_dealer, inactive, None):
        assert scope_for(user) is None
        assert visible_to(user, Dealer.objects.all()).count() == 0


def test_staff_of_a_closed_dealer_see_nothing(user_in: Any, network: dict) -> None:
    user = user_in(Role.DEALER_MANAGER, "east")
    Dealer.objects.filter(pk=network["east_dealer"].pk).update(is_active=False)
    user.refresh_from_db()
    assert visible_to(user, Dealer.objects.all()).count() == 0


def test_a_model_without_scope_rules_cannot_be_scoped(user_in: Any, network: dict) -> None:
    from django.contrib.contenttypes.models import ContentType

    with pytest.raises(ImproperlyConfigured):
        visible_to(user_in(Role.ADMINISTRATOR), ContentType.objects.all())


def test_salesperson_limited_to_own_records_where_asked(user_in: Any, network: dict) -> None:
    from autocrm.core.models import Job

    salesperson = user_in(Role.SALESPERSON)
    manager = user_in(Role.DEALER_MANAGER)
    own = Job.objects.create(kind="k", title="mine", created_by=salesperson)
    Job.objects.create(kind="k", title="manager's", created_by=manager)
    assert list(visible_to(salesperson, Job.objects.all(), owner_field="created_by")) == [own]


# Pages, API and search: the same matrix through each door.

MATRIX = [
    # role, placement, dealer key, expected visible
    (Role.ADMINISTRATOR, "east", "west_dealer", True),
    (Role.CALL_CENTER_AGENT, "east", "west_dealer", True),
    (Role.TECHNICAL_SUPPORT, "east", "west_dealer", True),
    (Role.MARKETING, "east", "west_dealer", True),
    (Role.QUALITY_MANAGER, "east", "west_dealer", True),
    (Role.ANALYST, "east", "west_dealer", True),
    (Role.REGION_MANAGER, "east", "east_other_dealer", True),
    (Role.REGION_MANAGER, "east", "west_dealer", False),
    (Role.DEALER_MANAGER, "east", "east_dealer", True),
    (Role.DEALER_MANAGER, "east", "east_other_dealer", False),
    (Role.SALESPERSON, "east", "east_dealer", True),
    (Role.SALESPERSON, "east", "west_dealer", False),
    (Role.SERVICE_ADVISOR, "west", "west_dealer", True),
    (Role.SERVICE_ADVISOR, "west", "east_dealer", False),
]


@pytest.mark.parametrize(("role", "where", "dealer_key", "visible"), MATRIX)
def test_dealer_page_api_list_and_search_agree(
    role: str, where: str, dealer_key: str, visible: bool, user_in: Any, network: dict, client: Any
) -> None:
    user = user_in(role, where)
    dealer = network[dealer_key]
    client.force_login(user)

    page = client.get(f"/network/dealers/{dealer.pk}/")
    api_detail = client.get(f"/api/v1/network/dealers/{dealer.pk}")
    api_list = client.get("/api/v1/network/dealers", {"q": dealer.code})
    page_list = client.get("/network/dealers/", {"q": dealer.code})
    search = client.get("/search/", {"q": dealer.code})

    assert page.status_code == (200 if visible else 404)
    assert api_detail.status_code == (200 if visible else 404)
    if not visible:
        assert api_detail.json()["code"] == "not_found"
    listed_codes = [item["code"] for item in api_list.json()["items"]]
    assert listed_codes == ([dealer.code] if visible else [])
    assert (dealer.name in page_list.content.decode()) is visible
    assert (dealer.name in search.content.decode()) is visible


@pytest.mark.parametrize(
    "url", ["/", "/network/dealers/", "/search/?q=x", "/jobs/", "/accounts/profile/"]
)
def test_anonymous_pages_redirect_to_login(url: str, client: Any, network: dict) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", ["/api/v1/me", "/api/v1/network/dealers", "/api/v1/network/regions", "/api/v1/jobs/1"]
)
def test_anonymous_api_calls_get_401_envelope(url: str, client: Any, network: dict) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
