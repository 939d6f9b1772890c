from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "autocrm.commissions"
    label = "commissions"
    verbose_name = _("Commissions")

    def ready(self) -> None:
        from autocrm.commissions import wiring

        wiring.register()
