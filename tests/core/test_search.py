"""The search page: grouped hits within the user's scope, empty states, and the htmx fragment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from autocrm.accounts.choices import Role
from autocrm.core import search
from autocrm.core.search import SearchHit, SearchProvider
from autocrm.network.models import Dealer


def _dealers_by_name(user: Any, query: str, limit: int) -> list[SearchHit]:
    dealers = Dealer.objects.visible_to(user).filter(name__icontains=query).order_by("code")
    return [
        SearchHit(title=dealer.name, subtitle=dealer.code, url=dealer.get_absolute_url())
        for dealer in dealers[:limit]
    ]


@pytest.fixture(autouse=True)
def scoped_dealer_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scoped provider registered for these tests only (next to any the apps register)."""
    monkeypatch.setitem(
        search._providers,
        "tests-dealers",
        SearchProvider(key="tests-dealers", label="Test dealers", search=_dealers_by_name),
    )


def _hit_titles(page: str) -> list[str]:
    return re.findall(r'data-testid="search-hit">\s*<div class="fw-bold">([^<]*)<', page)


def test_a_dealer_manager_finds_their_own_dealer_grouped_by_provider(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a dealer manager of the Pudong dealer
    client = client_as(user_in(Role.DEALER_MANAGER))

    # when they search for part of its name
    page = client.get(reverse("core:search"), {"q": "浦东"}).content.decode()

    # then the hit is listed under the provider's heading, linking to the dealer
    dealer = network["east_dealer"]
    assert 'data-testid="search-group-tests-dealers"' in page
    assert "Test dealers" in page
    assert f'href="{dealer.get_absolute_url()}" data-testid="search-hit"' in page
    assert f'<div class="text-secondary small">{dealer.code}</div>' in page
    assert "上海浦东4S店" in _hit_titles(page)


def test_a_dealer_manager_does_not_find_another_dealer(
    network: Any, user_in: Any, client_as: Any
) -> None:
    # given a dealer manager of the Pudong dealer, and the Xuhui dealer in the same city
    client = client_as(user_in(Role.DEALER_MANAGER))

    # when they search for the other dealer by name
    page = client.get(reverse("core:search"), {"q": "徐汇"}).content.decode()

    # then no provider answers with it, and the page says nothing was found
    assert _hit_titles(page) == []
    assert "上海徐汇4S店" not in page
    assert network["east_other_dealer"].get_absolute_url() not in page
    assert 'data-testid="search-no-results"' in page


def test_headquarters_finds_every_matching_dealer(
    network: Any, user_in: Any, client_as: Any
) -> None:
    page = (
        client_as(user_in(Role.ANALYST)).get(reverse("core:search"), {"q": "4S店"}).content.decode()
    )

    titles = _hit_titles(page)
    assert {"上海浦东4S店", "上海徐汇4S店", "成都武侯4S店"} <= set(titles)


def test_an_empty_query_asks_what_to_look_for(
    network: Any, user_in: Any, client_as: Any, english: None
) -> None:
    page = (
        client_as(user_in(Role.ANALYST)).get(reverse("core:search"), {"q": "   "}).content.decode()
    )

    assert 'data-testid="search-empty-query"' in page
    assert "What are you looking for?" in page
    assert _hit_titles(page) == []


def test_htmx_gets_only_the_results_fragment(network: Any, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.ANALYST))

    fragment = client.get(reverse("core:search"), {"q": "成都"}, HTTP_HX_REQUEST="true")
    full_page = client.get(
        reverse("core:search"),
        {"q": "成都"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert fragment.content.decode().startswith('<div data-testid="search-results">')
    assert "<html" not in fragment.content.decode()
    assert "成都武侯4S店" in _hit_titles(fragment.content.decode())
    assert "HX-Request" in fragment["Vary"]
    # restoring a page from htmx's history needs the whole page
    assert "<html" in full_page.content.decode()


def test_the_search_page_needs_a_login(db: None, client: Any) -> None:
    response = client.get(reverse("core:search"), {"q": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
