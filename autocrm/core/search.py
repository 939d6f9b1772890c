"""The global search box: apps register providers; each answers within the user's scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SearchHit:
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: Any  # lazily translated group heading
    search: Callable[[Any, str, int], list[SearchHit]]
    order: int = 100


_providers: dict[str, SearchProvider] = {}


def register_search_provider(provider: SearchProvider) -> None:
    _providers[provider.key] = provider


def search_everything(user: Any, query: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """Groups of hits, one per provider that found something."""
    query = query.strip()
    if not query:
        return []
    groups = []
    for provider in sorted(_providers.values(), key=lambda item: item.order):
        hits = provider.search(user, query, limit)
        if hits:
            groups.append({"key": provider.key, "label": provider.label, "hits": hits})
    return groups
