from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "autocrm.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from autocrm.core.history import register_history_source
        from autocrm.customers.merging import register_merge_relation
        from autocrm.customers.models import Customer
        from autocrm.imports import wiring
        from autocrm.imports.history import customer_creation, vehicle_creation
        from autocrm.imports.models import IdentityReview, SourceRecord
        from autocrm.vehicles.models import Vehicle

        wiring.register()
        register_history_source(Customer, customer_creation)
        register_history_source(Vehicle, vehicle_creation)
        register_merge_relation(SourceRecord, "customer")
        register_merge_relation(IdentityReview, "existing", unique_with=("fingerprint",))
        register_merge_relation(IdentityReview, "candidate")
