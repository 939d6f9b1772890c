"""The customers app's menu entries."""

from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    register_menu(
        MenuEntry(
            section=_("Customers"),
            label=_("Customer list"),
            url_name="customers:customer_list",
            order=100,
        )
    )
