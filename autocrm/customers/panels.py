"""The customer 360 page's extension point: apps add panels here, never to the page template.

    from autocrm.customers.panels import CustomerPanel, register_panel

    def vehicles_context(request, customer):
        return {"ownerships": ...}   # queries scoped by the caller's rights

    register_panel(CustomerPanel(
        key="vehicles", title=_("Vehicles"), template="vehicles/panels/customer_vehicles.html",
        context=vehicles_context, order=200, column="main",
    ))

Register in ``AppConfig.ready``. A panel's template receives ``customer``, ``request`` and
``panel`` plus what ``context`` returns. ``allowed(user)`` hides a panel from roles it is not
for. Panels render in ``order`` within their column ("main" or "side").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string


@dataclass(frozen=True)
class CustomerPanel:
    key: str
    title: Any  # lazily translated
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any]]
    order: int = 100
    column: str = "main"
    allowed: Callable[[Any], bool] = lambda user: True


_panels: dict[str, CustomerPanel] = {}


def register_panel(panel: CustomerPanel) -> None:
    if panel.column not in {"main", "side"}:
        raise ValueError(f"panel column must be 'main' or 'side', not {panel.column!r}")
    _panels[panel.key] = panel


def registered_panels() -> list[CustomerPanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.key))


def render_panels(request: HttpRequest, customer: Any) -> dict[str, list[dict[str, Any]]]:
    """The rendered panels the user may see, by column."""
    columns: dict[str, list[dict[str, Any]]] = {"main": [], "side": []}
    for panel in registered_panels():
        if not panel.allowed(request.user):
            continue
        context = {"customer": customer, "panel": panel, **panel.context(request, customer)}
        html = render_to_string(panel.template, context, request=request)
        columns[panel.column].append({"key": panel.key, "title": panel.title, "html": html})
    return columns
