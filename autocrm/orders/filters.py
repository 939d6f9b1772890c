"""Vehicle order filters shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from autocrm.core.filters import IdFilter
from autocrm.orders.choices import OrderKind, OrderStatus
from autocrm.orders.models import VehicleOrder


class VehicleOrderFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Order kind"), choices=OrderKind.choices)
    dealer_id = IdFilter(label=_("Dealer"), field_name="dealer_id")
    vehicle_model_id = IdFilter(label=_("Model"), field_name="vehicle_model_id")
    customer_id = IdFilter(label=_("Customer"), field_name="customer_id")
    salesperson_id = IdFilter(label=_("Salesperson"), field_name="salesperson_id")

    class Meta:
        model = VehicleOrder
        fields = [
            "status",
            "kind",
            "dealer_id",
            "vehicle_model_id",
            "customer_id",
            "salesperson_id",
        ]
