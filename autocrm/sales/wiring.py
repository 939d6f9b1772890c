"""The sales app's menu entries and its leads panel on the customer 360 page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu
from autocrm.customers.panels import CustomerPanel, register_panel


def _panel_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from autocrm.sales.permissions import may_work_leads
    from autocrm.sales.selectors import customer_leads

    return {
        "leads": customer_leads(request.user, customer),
        "may_create": may_work_leads(request.user),
    }


def _opportunity_panel_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from autocrm.sales.permissions import may_work_opportunities
    from autocrm.sales.selectors import customer_opportunities

    return {
        "opportunities": customer_opportunities(request.user, customer),
        "may_create": may_work_opportunities(request.user),
    }


def _may_manage_routing(user: Any) -> bool:
    from autocrm.sales.permissions import may_manage_routing

    return may_manage_routing(user)


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    register_menu(
        MenuEntry(section=_("Sales"), label=_("Leads"), url_name="sales:lead_list", order=300)
    )
    register_menu(
        MenuEntry(
            section=_("Sales"),
            label=_("Territories and routing"),
            url_name="sales:routing",
            order=310,
            allowed=_may_manage_routing,
        )
    )
    register_menu(
        MenuEntry(
            section=_("Sales"),
            label=_("Opportunities"),
            url_name="sales:opportunity_list",
            order=320,
        )
    )
    register_menu(
        MenuEntry(section=_("Sales"), label=_("Pipeline"), url_name="sales:pipeline", order=330)
    )
    register_menu(
        MenuEntry(section=_("Sales"), label=_("Forecast"), url_name="sales:forecast", order=340)
    )
    register_panel(
        CustomerPanel(
            key="opportunities",
            title=_("Opportunities"),
            template="sales/panels/opportunities.html",
            context=_opportunity_panel_context,
            order=155,
            column="main",
        )
    )
    register_panel(
        CustomerPanel(
            key="leads",
            title=_("Leads"),
            template="sales/panels/leads.html",
            context=_panel_context,
            order=150,
            column="main",
        )
    )
