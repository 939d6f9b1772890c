"""What the commissions app plugs into the platform's registries: its menu entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from autocrm.commissions import permissions
from autocrm.core.navigation import MenuEntry, register_menu


def register() -> None:
    register_menu(
        MenuEntry(
            section=_("Sales"),
            label=_("Commission statements"),
            url_name="commissions:statement",
            order=380,
            allowed=permissions.may_read_commissions,
        )
    )
    register_menu(
        MenuEntry(
            section=_("Sales"),
            label=_("Commission plans"),
            url_name="commissions:plan_list",
            order=385,
            allowed=permissions.may_read_commissions,
        )
    )
