"""The navigation menu, built per role. Apps add their entries in ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class MenuEntry:
    section: Any  # a lazily translated label
    label: Any
    url_name: str
    order: int = 100
    allowed: Callable[[Any], bool] = lambda user: True


_entries: list[MenuEntry] = []


def register_menu(entry: MenuEntry) -> None:
    if entry.url_name not in {existing.url_name for existing in _entries}:
        _entries.append(entry)


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """Sections with their entries that ``user`` may open, in menu order."""
    sections: dict[str, dict[str, Any]] = {}
    for entry in sorted(_entries, key=lambda item: item.order):
        if not entry.allowed(user):
            continue
        url = reverse(entry.url_name)
        section = sections.setdefault(
            str(entry.section), {"label": entry.section, "entries": [], "active": False}
        )
        active = current_path.startswith(url) if url != "/" else current_path == "/"
        section["entries"].append({"label": entry.label, "url": url, "active": active})
        section["active"] = section["active"] or active
    return list(sections.values())


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    return {"menu": menu_for(user, request.path)}
