"""Logging in and out, and locking out repeated wrong passwords (django-axes)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from autocrm.accounts.choices import Role
from autocrm.accounts.forms import LoginForm
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")


def _log_in(client: Any, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_right_credentials_log_in(user_in: Any, client: Any) -> None:
    # given a user
    user = user_in(Role.DEALER_MANAGER)

    # when they log in with their password
    response = _log_in(client, user.username, PASSWORD)

    # then they land on the home page, logged in as themselves
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_next_page_is_honoured_after_login(user_in: Any, client: Any) -> None:
    user = user_in(Role.DEALER_MANAGER)

    response = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, "next": reverse("core:job_list")}
    )

    assert response["Location"] == reverse("core:job_list")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_wrong_credentials_show_a_clear_translated_message(
    user_in: Any, client: Any, settings: Any, language: str
) -> None:
    # given a user reading the site in ``language``
    user = user_in(Role.DEALER_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    # when they type a wrong password
    response = _log_in(client, user.username, "not-the-password")

    # then the login page says what went wrong, in their language, and nobody is logged in
    with translation.override(language):
        expected = str(LoginForm.error_messages["invalid_login"])
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="login-error">{html.escape(expected)}</div>' in page
    assert "_auth_user_id" not in client.session


def test_the_english_message_names_the_problem(user_in: Any, client: Any, english: None) -> None:
    user = user_in(Role.DEALER_MANAGER)

    page = _log_in(client, user.username, "not-the-password").content.decode()

    assert "The user name or password is wrong." in page


def test_after_five_wrong_passwords_even_the_right_one_is_locked_out(
    user_in: Any, client: Any, english: None, settings: Any
) -> None:
    # given a user whose password was guessed wrongly four times: still the login form
    assert settings.AXES_FAILURE_LIMIT == 5
    user = user_in(Role.DEALER_MANAGER)
    for _attempt in range(4):
        response = _log_in(client, user.username, "guess")
        assert 'data-testid="login-error"' in response.content.decode()

    # when the fifth wrong one is followed by the right password
    _log_in(client, user.username, "guess")
    response = _log_in(client, user.username, PASSWORD)

    # then the locked-out page is shown, saying for how long, and nobody is logged in
    page = response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in page
    assert f"This account is locked for {minutes} minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_user_name(user_in: Any, client: Any) -> None:
    # given one user locked out
    locked = user_in(Role.DEALER_MANAGER)
    other = user_in(Role.SALESPERSON)
    for _attempt in range(5):
        _log_in(client, locked.username, "guess")

    # when another user logs in from the same address
    response = _log_in(client, other.username, PASSWORD)

    # then they get in
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_a_logged_in_user_opening_the_login_page_goes_home(user_in: Any, client_as: Any) -> None:
    response = client_as(user_in(Role.DEALER_MANAGER)).get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_logout_ends_the_session(user_in: Any, client_as: Any) -> None:
    # given a logged-in user
    client = client_as(user_in(Role.DEALER_MANAGER))

    # when they log out
    response = client.post(reverse("accounts:logout"))

    # then they are on the login page and the pages want a login again
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    home = client.get(reverse("core:home"))
    assert home["Location"] == f"{LOGIN}?next=/"


@pytest.mark.parametrize(
    "url_name",
    ["core:home", "core:search", "core:job_list", "accounts:profile", "accounts:password_change"],
)
def test_anonymous_page_requests_go_to_the_login_page(db: None, client: Any, url_name: str) -> None:
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/jobs/1"])
def test_anonymous_api_requests_get_401(db: None, client: Any, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
