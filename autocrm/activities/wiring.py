"""The activities app's menu entries and its interaction timeline panel on the customer 360 page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu
from autocrm.customers.panels import CustomerPanel, register_panel


def _panel_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from autocrm.activities.views import timeline_context

    return timeline_context(request, customer)


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    register_menu(
        MenuEntry(
            section=_("Customers"),
            label=_("Interactions"),
            url_name="activities:interaction_list",
            order=150,
        )
    )
    register_panel(
        CustomerPanel(
            key="interactions",
            title=_("Interactions"),
            template="activities/panels/interactions.html",
            context=_panel_context,
            order=100,
            column="main",
        )
    )
