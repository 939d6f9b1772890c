"""The imports app's menu entries."""

from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu
from autocrm.imports.permissions import may_import, may_review


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    register_menu(MenuEntry(_("Customers"), _("Imports"), "imports:import_list", 400, may_import))
    register_menu(
        MenuEntry(_("Customers"), _("Identity review"), "imports:review_list", 410, may_review)
    )
