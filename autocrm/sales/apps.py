from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "autocrm.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from autocrm.customers.merging import register_merge_check, register_merge_relation
        from autocrm.sales import receivers, wiring
        from autocrm.sales.models import Lead, Opportunity, Quote
        from autocrm.sales.selectors import open_leads_clashing_in_merge

        wiring.register()
        receivers.connect()
        register_merge_relation(Lead, "customer")
        register_merge_relation(Opportunity, "customer")
        register_merge_relation(Quote, "customer")
        register_merge_check(open_leads_clashing_in_merge)
