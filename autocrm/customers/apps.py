from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "autocrm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from autocrm.customers import menu, profile_panels, search
        from autocrm.customers.merging import register_merge_relation
        from autocrm.customers.models import (
            Consent,
            ConsentChange,
            ContactPoint,
            Customer,
            CustomerDealer,
            CustomerRelationship,
        )

        menu.register()
        profile_panels.register()
        search.register()
        register_merge_relation(ContactPoint, "customer", unique_with=("kind", "normalised"))
        register_merge_relation(Consent, "customer", unique_with=("channel", "purpose"))
        register_merge_relation(ConsentChange, "customer")
        register_merge_relation(CustomerDealer, "customer", unique_with=("dealer", "relation"))
        register_merge_relation(CustomerRelationship, "customer", unique_with=("other", "kind"))
        register_merge_relation(CustomerRelationship, "other", unique_with=("customer", "kind"))
        register_merge_relation(Customer.tags.through, "customer", unique_with=("tag",))
