"""The analytics app's menu entries."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu


def _may_read_funnel(user: Any) -> bool:
    from autocrm.analytics.permissions import may_read_funnel

    return may_read_funnel(user)


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    register_menu(
        MenuEntry(
            section=_("Reports"),
            label=_("Sales funnel"),
            url_name="analytics:funnel",
            order=900,
            allowed=_may_read_funnel,
        )
    )
