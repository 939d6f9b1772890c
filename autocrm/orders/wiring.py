"""The orders app's menu entries, its panel on the customer 360 page, its search provider,
and the receiver refreshing order statuses when vehicle events arrive."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from autocrm.core.navigation import MenuEntry, register_menu
from autocrm.core.search import SearchHit, SearchProvider, register_search_provider
from autocrm.customers.panels import CustomerPanel, register_panel


def _panel_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from autocrm.orders import tracing
    from autocrm.orders.models import VehicleOrderItem
    from autocrm.orders.permissions import may_order
    from autocrm.orders.selectors import customer_orders

    orders = customer_orders(request.user, customer)
    items = list(
        VehicleOrderItem.objects.filter(order__in=orders)
        .select_related("vehicle", "order")
        .order_by("order_id", "line")
    )
    by_order: dict[int, list[Any]] = {}
    for timeline in tracing.timelines(items):
        by_order.setdefault(timeline.item.order_id, []).append(timeline)
    return {
        "orders": [(order, by_order.get(order.pk, [])) for order in orders],
        "may_create": may_order(request.user),
    }


def _search_orders(user: Any, query: str, limit: int) -> list[SearchHit]:
    from autocrm.orders.selectors import orders_by_reference

    return [
        SearchHit(
            title=f"{order.number} {order.vehicle_model}",
            subtitle=" · ".join(
                part
                for part in (
                    str(order.get_status_display()),
                    order.dealer.name,
                    order.customer.name if order.customer else str(order.get_kind_display()),
                )
                if part
            ),
            url=order.get_absolute_url(),
        )
        for order in orders_by_reference(user, query, limit)
    ]


def _may_allocate(user: Any) -> bool:
    from autocrm.orders.permissions import may_allocate

    return may_allocate(user)


def _on_events_recorded(sender: Any, vehicle_ids: list[int], **kwargs: Any) -> None:
    from autocrm.orders.tracing import refresh_for_vehicles

    refresh_for_vehicles(vehicle_ids)


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    from autocrm.vehicles.lifecycle import vehicle_events_recorded

    register_menu(
        MenuEntry(
            section=_("Sales"), label=_("Vehicle orders"), url_name="orders:order_list", order=350
        )
    )
    register_menu(
        MenuEntry(
            section=_("Sales"),
            label=_("OEM allocation"),
            url_name="orders:allocation",
            order=355,
            allowed=_may_allocate,
        )
    )
    register_panel(
        CustomerPanel(
            key="vehicle_orders",
            title=_("Orders"),
            template="orders/panels/orders.html",
            context=_panel_context,
            order=160,
            column="main",
        )
    )
    register_search_provider(
        SearchProvider(
            key="vehicle_orders", label=_("Vehicle orders"), search=_search_orders, order=5
        )
    )
    vehicle_events_recorded.connect(_on_events_recorded, dispatch_uid="orders.refresh_statuses")
