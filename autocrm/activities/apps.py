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
        # The reminder engine: its job kind, and the events it reacts to.
        from autocrm.activities.reminders import jobs as reminder_jobs  # noqa: F401
        from autocrm.activities.reminders.receivers import connect as connect_reminders

        connect_reminders()
        # A merged customer's touchpoints, tasks and bookings move to the survivor.
        for model in (Interaction, Task, Appointment):
            register_merge_relation(model, "customer")
