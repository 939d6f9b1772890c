from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _everyone(user: Any) -> bool:
    return True


def _headquarters(user: Any) -> bool:
    """The HQ's internal structure is only of use to headquarters staff."""
    from autocrm.accounts.choices import Membership

    return bool(user.is_superuser or (user.role and user.membership == Membership.HQ))


class NetworkConfig(AppConfig):
    name = "autocrm.network"
    label = "network"
    verbose_name = _("Dealer network")

    def ready(self) -> None:
        from autocrm.core.navigation import MenuEntry, register_menu
        from autocrm.core.search import register_search_provider
        from autocrm.network.search import PROVIDERS

        section = _("Network")
        for order, label, url_name, allowed in (
            (300, _("Dealers"), "network:dealer_list", _everyone),
            (310, _("Service stations"), "network:service_station_list", _everyone),
            (320, _("Regions"), "network:region_list", _everyone),
            (330, _("Dealer groups"), "network:group_list", _everyone),
            (340, _("HQ departments"), "network:department_list", _headquarters),
        ):
            register_menu(
                MenuEntry(
                    section=section, label=label, url_name=url_name, order=order, allowed=allowed
                )
            )
        for provider in PROVIDERS:
            register_search_provider(provider)
