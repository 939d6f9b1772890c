"""Changing one's password."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.forms import PasswordChangeForm
from django.urls import reverse
from django.utils import translation

from autocrm.accounts.choices import Role
from tests.factories import PASSWORD

NEW_PASSWORD = "Lantern-orchard-42"


def test_a_wrong_old_password_is_rejected_on_its_field(
    user_in: Any, client_as: Any, english: None
) -> None:
    # given a logged-in user
    user = user_in(Role.DEALER_MANAGER)
    client = client_as(user)

    # when they give a wrong old password
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then the old-password field says so and the password is unchanged
    with translation.override("en"):
        expected = str(PasswordChangeForm.error_messages["password_incorrect"])
    page = response.content.decode()
    assert response.status_code == 200
    field = re.search(r'<div class="mb-3" id="field-old_password">(.*?)\n</div>', page, re.DOTALL)
    assert field is not None
    assert f'<div class="invalid-feedback d-block">{expected}</div>' in field[1]
    assert 'aria-invalid="true"' in field[1]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_changed_password_is_the_one_that_logs_in(
    user_in: Any, client_as: Any, english: None
) -> None:
    # given a logged-in user
    user = user_in(Role.DEALER_MANAGER)
    client = client_as(user)

    # when they change their password
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    # then they stay logged in, are told so, and only the new password works from now on
    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    assert "Your password was changed." in response.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("accounts:logout"))
    old = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert old.status_code == 200
    new = client.post(
        reverse("accounts:login"), {"username": user.username, "password": NEW_PASSWORD}
    )
    assert new.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
