"""The vehicles app's menu entries and its panel on the customer 360 page."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu
from autocrm.customers.panels import CustomerPanel, register_panel

# Vehicles listed on a customer's page; a fleet customer with more is followed on the list.
PANEL_LIMIT = 50


def customer_vehicles_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    """The customer's vehicles, current and past, each with its last lifecycle event: one query
    however many vehicles the customer has."""
    from autocrm.vehicles import permissions
    from autocrm.vehicles.choices import EventKind
    from autocrm.vehicles.models import Ownership, VehicleEvent

    last_event = VehicleEvent.objects.filter(vehicle_id=OuterRef("vehicle_id")).order_by(
        "-occurred_at", "-id"
    )
    ownerships = list(
        Ownership.objects.visible_to(request.user)
        .filter(customer=customer)
        .select_related("vehicle__model")
        .annotate(
            last_event_kind=Subquery(last_event.values("kind")[:1]),
            last_event_at=Subquery(last_event.values("occurred_at")[:1]),
        )
        # Current ownerships first, then the most recent.
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-id")[:PANEL_LIMIT]
    )
    labels = dict(EventKind.choices)
    for ownership in ownerships:
        ownership.last_event_label = labels.get(ownership.last_event_kind, "")  # type: ignore[attr-defined]
    return {
        "ownerships": ownerships,
        "may_add_vehicle": permissions.may_edit_vehicles(request.user),
    }


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    section = _("Vehicles")
    register_menu(
        MenuEntry(section=section, label=_("Vehicles"), url_name="vehicles:vehicle_list", order=400)
    )
    register_menu(
        MenuEntry(
            section=section, label=_("Vehicle models"), url_name="vehicles:model_list", order=410
        )
    )
    register_panel(
        CustomerPanel(
            key="vehicles",
            title=_("Vehicles"),
            template="vehicles/panels/customer_vehicles.html",
            context=customer_vehicles_context,
            order=200,
            column="main",
        )
    )
