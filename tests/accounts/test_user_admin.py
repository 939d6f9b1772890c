"""User administration in the application: who sees which users, who may create, edit and
deactivate whom, validation per field, the audit trail, and what deactivation takes away."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from autocrm.accounts import services
from autocrm.accounts.choices import Role
from autocrm.accounts.forms import UserForm
from autocrm.accounts.models import ApiToken, User
from autocrm.core import errors, pages
from autocrm.core.audit import history_of
from autocrm.core.models import AuditAction
from autocrm.core.navigation import menu_for
from autocrm.core.scoping import visible_to
from tests.factories import PASSWORD, DealerFactory, UserFactory
from tests.network.conftest import field_errors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

STRONG_PASSWORD = "Plum-orchard-42-kites"
USER_LIST = reverse("accounts:user_list")
USER_CREATE = reverse("accounts:user_create")


def usernames(page: str) -> list[str]:
    """The user names of the rows of the user table, in order."""
    return re.findall(r'data-testid="user-row" data-username="([^"]+)"', page)


def new_user_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "li.na",
        "password": STRONG_PASSWORD,
        "password_confirmation": STRONG_PASSWORD,
        "display_name": "李娜",
        "email": "li.na@example.com",
        "phone": "138 0000 1234",
        "role": Role.SALESPERSON,
        "hq_department": "",
        "region": "",
        "dealer": "",
    }
    data.update(overrides)
    return data


def log_in(username: str, password: str) -> Any:
    """The login page, posted by a fresh browser."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client, response


@pytest.fixture
def people(user_in: Any) -> dict[str, User]:
    """Users across the test network: HQ, both regions, and staff of three dealers."""
    return {
        "admin": user_in(Role.ADMINISTRATOR, username="admin"),
        "analyst": user_in(Role.ANALYST, username="analyst"),
        "east_manager": user_in(Role.REGION_MANAGER, "east", username="east.rm"),
        "west_manager": user_in(Role.REGION_MANAGER, "west", username="west.rm"),
        "east_dealer_manager": user_in(Role.DEALER_MANAGER, "east", username="east.dm"),
        "east_sales": user_in(Role.SALESPERSON, "east", username="east.sales"),
        "west_sales": user_in(Role.SALESPERSON, "west", username="west.sales"),
    }


@pytest.fixture
def other_dealer_sales(network: dict[str, Any]) -> User:
    """A salesperson of the east's second dealer: same region, another dealer."""
    user: User = UserFactory(
        username="xuhui.sales", role=Role.SALESPERSON, dealer=network["east_other_dealer"]
    )
    return user


# --- who sees whom -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (
            "admin",
            [
                "admin",
                "analyst",
                "east.dm",
                "east.rm",
                "east.sales",
                "west.rm",
                "west.sales",
                "xuhui.sales",
            ],
        ),
        (
            "analyst",
            [
                "admin",
                "analyst",
                "east.dm",
                "east.rm",
                "east.sales",
                "west.rm",
                "west.sales",
                "xuhui.sales",
            ],
        ),
        ("east_manager", ["east.dm", "east.rm", "east.sales", "xuhui.sales"]),
        ("west_manager", ["west.rm", "west.sales"]),
        ("east_dealer_manager", ["east.dm", "east.sales"]),
        ("east_sales", ["east.dm", "east.sales"]),
    ],
)
def test_the_user_list_shows_the_users_in_the_viewers_scope(
    people: dict[str, User],
    other_dealer_sales: User,
    client_as: Any,
    viewer: str,
    expected: list[str],
) -> None:
    # given users across the network, when each viewer opens the user list
    page = client_as(people[viewer]).get(USER_LIST).content.decode()

    # then they see exactly the users in their scope, by user name
    assert usernames(page) == expected


def test_an_inactive_user_sees_no_users(people: dict[str, User]) -> None:
    admin = people["admin"]
    admin.is_active = False

    assert list(visible_to(admin, User.objects.all())) == []


@pytest.mark.parametrize("viewer", ["east_dealer_manager", "east_sales", "west_manager"])
def test_a_user_outside_the_viewers_scope_is_not_found(
    people: dict[str, User], other_dealer_sales: User, client_as: Any, viewer: str
) -> None:
    client = client_as(people[viewer])
    outsiders = [people["admin"], other_dealer_sales]

    for outsider in outsiders:
        for url in (
            reverse("accounts:user_detail", args=[outsider.pk]),
            reverse("accounts:user_edit", args=[outsider.pk]),
            f"/api/v1/users/{outsider.pk}",
        ):
            assert client.get(url).status_code == 404, url
        response = client.post(reverse("accounts:user_deactivate", args=[outsider.pk]))
        assert response.status_code == 404
        outsider.refresh_from_db()
        assert outsider.is_active


def test_the_list_filters_by_name_role_dealer_and_activity(
    people: dict[str, User], other_dealer_sales: User, network: dict[str, Any], client_as: Any
) -> None:
    client = client_as(people["admin"])
    User.objects.filter(pk=people["west_sales"].pk).update(is_active=False)

    def listed(**filters: Any) -> list[str]:
        return usernames(client.get(USER_LIST, filters).content.decode())

    assert listed(q="east") == ["east.dm", "east.rm", "east.sales"]
    assert listed(role=Role.SALESPERSON) == ["east.sales", "west.sales", "xuhui.sales"]
    assert listed(dealer=network["east_other_dealer"].pk) == ["xuhui.sales"]
    assert listed(role=Role.SALESPERSON, is_active="false") == ["west.sales"]
    assert listed(role=Role.SALESPERSON, is_active="true") == ["east.sales", "xuhui.sales"]


def test_the_list_pages_by_user_name(
    people: dict[str, User], client_as: Any, monkeypatch: Any
) -> None:
    client = client_as(people["admin"])
    monkeypatch.setattr(pages, "LIST_PAGE_SIZE", 3)

    page_one = client.get(USER_LIST)
    page_two = client.get(USER_LIST, {"cursor": page_one.context["page"].next_cursor})

    assert usernames(page_one.content.decode()) == ["admin", "analyst", "east.dm"]
    assert usernames(page_two.content.decode()) == ["east.rm", "east.sales", "west.rm"]


def test_the_detail_page_shows_profile_membership_token_count_and_history(
    people: dict[str, User], network: dict[str, Any], client_as: Any
) -> None:
    # given a salesperson with two tokens, one of them revoked
    salesperson = people["east_sales"]
    services.api_token_create(user=salesperson, name="DMS")
    token, raw = services.api_token_create(user=salesperson, name="old")
    services.api_token_revoke(token=token, actor=salesperson)

    # when the administrator opens their page
    page = client_as(people["admin"]).get(salesperson.get_absolute_url()).content.decode()

    # then it shows the membership linked, the number of working tokens (not the tokens)
    dealer = network["east_dealer"]
    assert (
        f'data-testid="user-membership"><a href="{dealer.get_absolute_url()}">{dealer}</a>' in page
    )
    assert 'data-testid="user-token-count">1</dd>' in page
    assert raw not in page and token.key_hint not in page
    assert 'data-testid="user-role">Dealer salesperson</dd>' in page
    assert 'data-testid="edit-link"' in page
    assert 'data-testid="deactivate-form"' in page
    assert 'data-testid="history"' in page


def test_the_menu_offers_users_to_those_who_manage_them(people: dict[str, User]) -> None:
    def has_users_entry(user: User) -> bool:
        return any(
            entry["url"] == USER_LIST
            for section in menu_for(user, "/")
            for entry in section["entries"]
        )

    assert has_users_entry(people["admin"])
    assert has_users_entry(people["east_dealer_manager"])
    assert not has_users_entry(people["analyst"])
    assert not has_users_entry(people["east_manager"])
    assert not has_users_entry(people["east_sales"])


# --- creating users ------------------------------------------------------------------------


def test_an_administrator_creates_a_dealer_salesperson_who_can_log_in(
    people: dict[str, User], network: dict[str, Any], client_as: Any
) -> None:
    # given an administrator
    admin = people["admin"]
    client = client_as(admin)
    dealer = network["east_dealer"]

    # when they fill in the new user form
    response = client.post(USER_CREATE, new_user_data(dealer=dealer.pk))

    # then the user exists at that dealer, the page goes to them, and the creation is audited
    user = User.objects.get(username="li.na")
    assert response.status_code == 302
    assert response["Location"] == user.get_absolute_url()
    assert (user.role, user.dealer, user.display_name, user.email, user.is_active) == (
        Role.SALESPERSON,
        dealer,
        "李娜",
        "li.na@example.com",
        True,
    )
    entries = list(history_of(user))
    assert [(entry.action, entry.actor, entry.channel) for entry in entries] == [
        (AuditAction.CREATE, admin, "page")
    ]
    changes = entries[0].changes
    assert changes["dealer"] == [None, dealer.pk]
    assert changes["role"] == [None, Role.SALESPERSON]
    # the password is in no audit entry, neither as typed nor as its hash
    assert "password" not in changes
    assert STRONG_PASSWORD not in str(changes) and user.password not in str(changes)
    page = client.get(response["Location"]).content.decode()
    assert "User 李娜 was created." in page

    # and the new user logs in with the password
    new_client, login = log_in("li.na", STRONG_PASSWORD)
    assert login.status_code == 302
    assert new_client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("overrides", "expected_errors"),
    [
        ({"role": Role.SALESPERSON}, {"dealer": ["Dealer staff must belong to a dealer."]}),
        (
            {"role": Role.REGION_MANAGER, "dealer": "east_dealer"},
            {
                "region": ["A region manager must belong to a region."],
                "dealer": ["Only dealer staff belong to a dealer."],
            },
        ),
        (
            {"role": Role.SALESPERSON, "dealer": "east_dealer", "username": "li na!"},
            {
                "username": [
                    "Enter a valid username. This value may contain only letters, numbers, "
                    "and @/./+/-/_ characters."
                ]
            },
        ),
        (
            {"dealer": "east_dealer", "password_confirmation": "Plum-orchard-42-kitez"},
            {"password_confirmation": ["The two passwords differ."]},
        ),
    ],
)
def test_invalid_combinations_show_errors_per_field_and_create_nothing(
    people: dict[str, User],
    network: dict[str, Any],
    client_as: Any,
    overrides: dict[str, Any],
    expected_errors: dict[str, list[str]],
) -> None:
    client = client_as(people["admin"])
    if overrides.get("dealer"):
        overrides["dealer"] = network[overrides["dealer"]].pk
    before = User.objects.count()

    response = client.post(USER_CREATE, new_user_data(**overrides))
    page = response.content.decode()

    assert response.status_code == 200
    for name in ("username", "role", "region", "dealer", "password", "password_confirmation"):
        assert field_errors(page, name) == expected_errors.get(name, []), name
    assert User.objects.count() == before


def test_a_weak_password_is_refused_on_the_password_field(
    people: dict[str, User], network: dict[str, Any], client_as: Any
) -> None:
    client = client_as(people["admin"])

    response = client.post(
        USER_CREATE,
        new_user_data(
            dealer=network["east_dealer"].pk, password="12345678", password_confirmation="12345678"
        ),
    )

    assert field_errors(response.content.decode(), "password") == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert not User.objects.filter(username="li.na").exists()


def test_a_password_like_the_user_name_is_refused(people: dict[str, User], network: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.user_create(
            actor=people["admin"],
            data={
                "username": "wangfang2024",
                "role": Role.SALESPERSON,
                "dealer": network["east_dealer"],
            },
            password="wangfang2024",
        )

    assert refused.value.message_dict == {
        "password": ["The password is too similar to the username."]
    }
    assert not User.objects.filter(username="wangfang2024").exists()


def test_a_dealer_manager_creates_a_salesperson_at_their_dealer(
    people: dict[str, User], network: dict[str, Any], client_as: Any
) -> None:
    manager = people["east_dealer_manager"]
    client = client_as(manager)

    form_page = client.get(USER_CREATE)
    response = client.post(USER_CREATE, new_user_data(dealer=network["east_dealer"].pk))

    # the form offers only the roles a dealer manager gives, and only their dealer
    form = form_page.context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [
        "",
        Role.SALESPERSON,
        Role.SERVICE_ADVISOR,
    ]
    assert list(form.fields["dealer"].queryset) == [network["east_dealer"]]
    assert "region" not in form.fields and "hq_department" not in form.fields
    assert form.initial["dealer"] == network["east_dealer"].pk
    user = User.objects.get(username="li.na")
    assert response["Location"] == user.get_absolute_url()
    assert (user.role, user.dealer) == (Role.SALESPERSON, network["east_dealer"])
    assert history_of(user).get().actor == manager


def test_a_dealer_manager_cannot_create_an_administrator_or_staff_of_another_dealer(
    people: dict[str, User], network: dict[str, Any], client_as: Any
) -> None:
    # Choice: on the page, such values are field errors (they are not among the choices); the
    # service refuses them with field errors too, for the API and any other caller.
    manager = people["east_dealer_manager"]
    client = client_as(manager)
    before = User.objects.count()

    administrator = client.post(
        USER_CREATE, new_user_data(role=Role.ADMINISTRATOR, dealer=network["east_dealer"].pk)
    ).content.decode()
    elsewhere = client.post(
        USER_CREATE, new_user_data(dealer=network["east_other_dealer"].pk)
    ).content.decode()

    not_a_choice = "Select a valid choice. That choice is not one of the available choices."
    assert field_errors(administrator, "role") == [
        f"Select a valid choice. {Role.ADMINISTRATOR.value} is not one of the available choices."
    ]
    assert field_errors(elsewhere, "dealer") == [not_a_choice]
    assert User.objects.count() == before

    with pytest.raises(ValidationError) as refused:
        services.user_create(
            actor=manager,
            data={
                "username": "intruder",
                "role": Role.DEALER_MANAGER,
                "dealer": network["east_other_dealer"],
            },
            password=STRONG_PASSWORD,
        )
    assert refused.value.message_dict == {
        "role": ["A dealer manager may only add salespeople and service advisors."],
        "dealer": ["A dealer manager may only place users at their own dealer."],
    }
    assert User.objects.count() == before


@pytest.mark.parametrize("role", ["analyst", "east_manager", "east_sales"])
def test_roles_that_do_not_manage_users_may_not_create_them(
    people: dict[str, User], network: dict[str, Any], client_as: Any, role: str
) -> None:
    client = client_as(people[role])
    before = User.objects.count()

    assert client.get(USER_CREATE).status_code == 403
    response = client.post(USER_CREATE, new_user_data(dealer=network["east_dealer"].pk))

    assert response.status_code == 403
    assert User.objects.count() == before
    with pytest.raises(errors.PermissionDenied):
        services.user_create(
            actor=people[role],
            data={"username": "x", "role": Role.SALESPERSON, "dealer": network["east_dealer"]},
            password=STRONG_PASSWORD,
        )


# --- editing users -------------------------------------------------------------------------


def test_an_administrator_moves_a_salesperson_to_region_manager_and_it_is_audited(
    people: dict[str, User], network: dict[str, Any], client_as: Any
) -> None:
    admin = people["admin"]
    salesperson = people["east_sales"]
    client = client_as(admin)
    area = network["east"]["area"]

    response = client.post(
        reverse("accounts:user_edit", args=[salesperson.pk]),
        {
            "username": salesperson.username,
            "display_name": "王区域",
            "email": "",
            "phone": "",
            "role": Role.REGION_MANAGER,
            "hq_department": "",
            "region": area.pk,
            "dealer": "",
        },
    )

    assert response["Location"] == salesperson.get_absolute_url()
    salesperson.refresh_from_db()
    assert (salesperson.role, salesperson.region, salesperson.dealer) == (
        Role.REGION_MANAGER,
        area,
        None,
    )
    change = history_of(salesperson).get(action=AuditAction.UPDATE)
    assert (change.actor, change.channel) == (admin, "page")
    assert change.changes["role"] == [Role.SALESPERSON, Role.REGION_MANAGER]
    assert change.changes["region"] == [None, area.pk]
    assert change.changes["dealer"] == [network["east_dealer"].pk, None]


def test_the_edit_form_offers_only_records_in_the_actors_scope(
    people: dict[str, User], network: dict[str, Any]
) -> None:
    form = UserForm(instance=people["east_sales"], actor=people["admin"])

    assert list(form.fields["dealer"].queryset) == [
        network["east_dealer"],
        network["east_other_dealer"],
        network["west_dealer"],
    ]


@pytest.mark.parametrize("target", ["east_dealer_manager", "admin"])
def test_a_dealer_manager_may_not_edit_users_beyond_salespeople_and_advisors(
    people: dict[str, User], client_as: Any, target: str
) -> None:
    manager = people["east_dealer_manager"]
    client = client_as(manager)
    user = people[target]
    url = reverse("accounts:user_edit", args=[user.pk])
    # their own dealer manager record is in scope (403); the administrator is not (404)
    expected = 403 if target == "east_dealer_manager" else 404

    assert client.get(url).status_code == expected
    assert client.post(url, {"username": "renamed"}).status_code == expected
    user.refresh_from_db()
    assert user.username != "renamed"


def test_a_dealer_manager_may_not_promote_their_salesperson(
    people: dict[str, User], network: dict[str, Any]
) -> None:
    salesperson = people["east_sales"]

    with pytest.raises(ValidationError) as refused:
        services.user_update(
            actor=people["east_dealer_manager"],
            user=salesperson,
            data={"role": Role.DEALER_MANAGER},
        )

    assert refused.value.message_dict == {
        "role": ["A dealer manager may only add salespeople and service advisors."]
    }
    salesperson.refresh_from_db()
    assert salesperson.role == Role.SALESPERSON


def test_only_a_superuser_manages_a_superuser(people: dict[str, User]) -> None:
    root: User = UserFactory(username="root", role=Role.ADMINISTRATOR, is_superuser=True)

    with pytest.raises(errors.PermissionDenied):
        services.user_set_active(actor=people["admin"], user=root, active=False)
    with pytest.raises(errors.PermissionDenied):
        services.user_update(actor=people["admin"], user=root, data={"display_name": "x"})

    root.refresh_from_db()
    assert root.is_active and root.display_name != "x"


# --- deactivating users --------------------------------------------------------------------


def test_deactivation_revokes_tokens_and_ends_logins(
    people: dict[str, User], client_as: Any
) -> None:
    # given a salesperson with a working token and an open session
    salesperson = people["east_sales"]
    _token, raw = services.api_token_create(user=salesperson, name="DMS")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/v1/me", **bearer).status_code == 200
    session = Client()
    session.force_login(salesperson)
    assert session.get(USER_LIST).status_code == 200

    # when their dealer manager deactivates them
    manager = people["east_dealer_manager"]
    response = client_as(manager).post(reverse("accounts:user_deactivate", args=[salesperson.pk]))

    # then they are inactive, their token is revoked (and gets 401), and the audit says who
    assert response["Location"] == salesperson.get_absolute_url()
    salesperson.refresh_from_db()
    assert salesperson.is_active is False
    assert ApiToken.objects.get(user=salesperson).revoked_at is not None
    refused = Client().get("/api/v1/me", **bearer)
    assert (refused.status_code, refused.json()["code"]) == (401, "not_authenticated")
    change = history_of(salesperson).get(action=AuditAction.UPDATE)
    assert (change.actor, change.changes) == (manager, {"is_active": [True, False]})
    # their open session no longer gets in, and they cannot log in again
    assert session.get(USER_LIST)["Location"].startswith(reverse("accounts:login"))
    _client, login = log_in(salesperson.username, PASSWORD)
    assert login.status_code == 200
    assert "_auth_user_id" not in _client.session

    # and reactivating lets them log in again, without bringing the token back
    client_as(manager).post(reverse("accounts:user_reactivate", args=[salesperson.pk]))
    salesperson.refresh_from_db()
    assert salesperson.is_active
    assert Client().get("/api/v1/me", **bearer).status_code == 401
    _client, login = log_in(salesperson.username, PASSWORD)
    assert login.status_code == 302


def test_nobody_deactivates_themselves(people: dict[str, User], client_as: Any) -> None:
    admin = people["admin"]
    client = client_as(admin)

    detail = client.get(admin.get_absolute_url()).content.decode()
    response = client.post(reverse("accounts:user_deactivate", args=[admin.pk]), follow=True)

    assert 'data-testid="deactivate-form"' not in detail
    assert "You cannot deactivate your own account." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert not history_of(admin).exists()


def test_deactivation_only_answers_post(people: dict[str, User], client_as: Any) -> None:
    salesperson = people["east_sales"]

    response = client_as(people["admin"]).get(
        reverse("accounts:user_deactivate", args=[salesperson.pk])
    )

    assert response.status_code == 405
    salesperson.refresh_from_db()
    assert salesperson.is_active


# --- query counts --------------------------------------------------------------------------


def queries_for(client: Any, url: str) -> int:
    client.get(url)  # warm the process-wide caches (content types) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [USER_LIST, "/api/v1/users"])
@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REGION_MANAGER, Role.DEALER_MANAGER])
def test_user_list_queries_do_not_grow_with_rows(
    url: str, role: str, user_in: Any, network: dict[str, Any], client: Any
) -> None:
    client.force_login(user_in(role))
    few = queries_for(client, url)
    for _ in range(10):
        user_in(Role.SALESPERSON)
        user_in(Role.SERVICE_ADVISOR)
    UserFactory(role=Role.REGION_MANAGER, region=network["east"]["area"])
    DealerFactory(region=network["east"]["city"])
    many = queries_for(client, url)
    assert many == few


def test_user_detail_queries_do_not_grow_with_tokens_or_history(
    people: dict[str, User], client: Any
) -> None:
    admin = people["admin"]
    client.force_login(admin)
    salesperson = people["east_sales"]
    url = salesperson.get_absolute_url()
    few = queries_for(client, url)
    for number in range(5):
        services.api_token_create(user=salesperson, name=f"token {number}")
        services.user_update(actor=admin, user=salesperson, data={"phone": f"021-5555-000{number}"})
    assert queries_for(client, url) == few


def test_global_search_finds_users_within_scope(client: Any, user_in: Any, network: dict) -> None:
    # given a salesperson at each of two dealers and the east dealer's manager
    own = user_in(Role.SALESPERSON, "east", display_name="王小明")
    other = user_in(Role.SALESPERSON, "west", display_name="王大明")
    client.force_login(user_in(Role.DEALER_MANAGER, "east"))

    # when the manager searches for the family name
    page = client.get("/search/", {"q": "王"}).content.decode()

    # then only their own dealer's salesperson is found
    assert own.get_absolute_url() in page
    assert other.get_absolute_url() not in page
