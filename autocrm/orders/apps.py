from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "autocrm.orders"
    label = "orders"
    verbose_name = _("Vehicle orders")

    def ready(self) -> None:
        from autocrm.customers.merging import register_merge_relation
        from autocrm.orders import wiring
        from autocrm.orders.models import VehicleOrder, VehicleOrderItem

        wiring.register()
        register_merge_relation(VehicleOrder, "customer")
        register_merge_relation(VehicleOrderItem, "customer")
