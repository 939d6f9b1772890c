from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _may_manage_users(user: Any) -> bool:
    return bool(getattr(user, "may_manage_users", False))


class AccountsConfig(AppConfig):
    name = "autocrm.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from autocrm.accounts.search import PROVIDER
        from autocrm.core.navigation import MenuEntry, register_menu
        from autocrm.core.search import register_search_provider

        register_search_provider(PROVIDER)

        register_menu(
            MenuEntry(
                section=_("Administration"),
                label=_("Users"),
                url_name="accounts:user_list",
                order=800,
                allowed=_may_manage_users,
            )
        )
