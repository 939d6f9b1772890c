"""The activities app's menu entries and its panels on the customer 360 page: the interaction
timeline, the customer's open tasks, and their coming bookings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu
from autocrm.customers.panels import CustomerPanel, register_panel


def _panel_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from autocrm.activities.views import timeline_context

    return timeline_context(request, customer)


def _tasks_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from autocrm.activities.task_views import customer_tasks_context

    return customer_tasks_context(request, customer)


def _appointments_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from autocrm.activities.calendar_views import appointment_for_customer_panel

    return appointment_for_customer_panel(request, customer)


def _plans(user: Any) -> bool:
    from autocrm.activities.permissions import may_plan

    return may_plan(user)


def _manages_reminders(user: Any) -> bool:
    from autocrm.activities.reminders.settings import may_manage_reminders

    return may_manage_reminders(user)


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    register_menu(
        MenuEntry(
            section=_("My work"),
            label=_("My day"),
            url_name="activities:my_day",
            order=10,
            allowed=_plans,
        )
    )
    register_menu(
        MenuEntry(
            section=_("My work"),
            label=_("Calendar"),
            url_name="activities:calendar",
            order=11,
            allowed=_plans,
        )
    )
    register_menu(
        MenuEntry(
            section=_("Administration"),
            label=_("Reminder rules"),
            url_name="activities:reminder_rule_list",
            order=820,
            allowed=_manages_reminders,
        )
    )
    register_menu(
        MenuEntry(
            section=_("Customers"),
            label=_("Interactions"),
            url_name="activities:interaction_list",
            order=150,
        )
    )
    register_panel(
        CustomerPanel(
            key="interactions",
            title=_("Interactions"),
            template="activities/panels/interactions.html",
            context=_panel_context,
            order=100,
            column="main",
        )
    )
    register_panel(
        CustomerPanel(
            key="tasks",
            title=_("Tasks"),
            template="activities/panels/tasks.html",
            context=_tasks_context,
            order=20,
            column="side",
            allowed=_plans,
        )
    )
    register_panel(
        CustomerPanel(
            key="appointments",
            title=_("Bookings"),
            template="activities/panels/appointments.html",
            context=_appointments_context,
            order=21,
            column="side",
            allowed=_plans,
        )
    )
