from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    name = "autocrm.vehicles"
    label = "vehicles"
    verbose_name = _("Vehicles")

    def ready(self) -> None:
        from autocrm.customers.merging import register_merge_relation
        from autocrm.vehicles import wiring
        from autocrm.vehicles.models import Ownership

        wiring.register()
        register_merge_relation(Ownership, "customer")
