from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "autocrm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from autocrm.core.navigation import MenuEntry, register_menu

        register_menu(
            MenuEntry(section=_("Tools"), label=_("Jobs"), url_name="core:job_list", order=900)
        )
        # Job kinds register themselves with ``@job_handler`` when their module is imported. By
        # convention they live in an app's ``jobs.py`` or ``exports.py``; importing those modules
        # of every installed app here means a worker knows every kind without each app having to
        # remember to import its handlers in its own ``ready()``.
        autodiscover_modules("jobs", "exports")
