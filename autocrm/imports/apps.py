from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "autocrm.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from autocrm.customers.merging import register_merge_relation
        from autocrm.imports import wiring
        from autocrm.imports.models import IdentityReview, SourceRecord

        wiring.register()
        register_merge_relation(SourceRecord, "customer")
        register_merge_relation(IdentityReview, "existing", unique_with=("fingerprint",))
        register_merge_relation(IdentityReview, "candidate")
