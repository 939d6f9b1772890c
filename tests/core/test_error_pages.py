"""The site's own 404, 403 and 500 pages: in the site's frame and language, and the 500 page
without a database or a request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from autocrm.accounts.choices import Role


@pytest.mark.django_db
def test_a_missing_page_is_the_sites_404_page(client: Any) -> None:
    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-404"' in page
    assert 'data-testid="language-switch"' in page


def test_an_out_of_scope_record_is_not_found_in_english(
    network: Any, user_in: Any, client_as: Any, english: None
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))

    response = client.get(network["west_dealer"].get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page
    assert network["west_dealer"].name not in page
    assert 'data-testid="main-menu"' in page


def test_a_forbidden_page_is_the_sites_403_page(user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.SALESPERSON))

    response = client.get("/network/dealers/new/")

    assert response.status_code == 403
    assert 'data-testid="error-403"' in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_500_page_needs_neither_database_nor_request_context(language: str) -> None:
    # no django_db mark: a database query here would fail the test
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
        expected_title = translation.gettext("Server error")

    page = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in page
    assert f"<h1>{expected_title}</h1>" in page
    assert "/static/" not in page
