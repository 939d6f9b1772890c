from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "autocrm.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from autocrm.activities import wiring
        from autocrm.activities.models import Appointment, Interaction, Task
        from autocrm.customers.merging import register_merge_relation

        wiring.register()
        # A merged customer's touchpoints, tasks and bookings move to the survivor.
        for model in (Interaction, Task, Appointment):
            register_merge_relation(model, "customer")
