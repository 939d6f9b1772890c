"""The orders seeder writes orders consistent with the seeded customers and vehicles."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command

from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.orders.tracing import refresh_for_vehicles, refresh_orders

pytestmark = pytest.mark.django_db


def test_small_demo_orders_are_consistent() -> None:
    call_command("seed_demo", scale="small", seed=3, stdout=io.StringIO())

    statuses = Counter(VehicleOrder.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == 60
    assert {"delivered", "in_production", "in_transit", "cancelled"} <= set(statuses)
    delivered = VehicleOrderItem.objects.filter(status="delivered").select_related(
        "ownership", "order", "vehicle"
    )
    assert delivered.exists()
    for item in delivered:
        assert item.ownership is not None
        assert (item.ownership.vehicle_id, item.ownership.customer_id) == (
            item.vehicle_id,
            item.customer_id,
        )
        assert item.order.dealer_id == item.ownership.selling_dealer_id
        assert item.vehicle.model_id == item.order.vehicle_model_id
        assert item.order.dealer_cost < item.order.vehicle_model.price
    # the stored statuses are what the cars' events say
    items_before = dict(VehicleOrderItem.objects.values_list("pk", "status"))
    orders_before = dict(VehicleOrder.objects.values_list("pk", "status"))
    refresh_for_vehicles(
        VehicleOrderItem.objects.exclude(vehicle=None).values_list("vehicle_id", flat=True)
    )
    refresh_orders(VehicleOrder.objects.values_list("pk", flat=True))
    assert dict(VehicleOrderItem.objects.values_list("pk", "status")) == items_before
    assert dict(VehicleOrder.objects.values_list("pk", "status")) == orders_before
    demo = VehicleOrder.objects.get(customer__name="张三丰")
    assert (demo.status, demo.salesperson.username) == ("in_transit", "salesperson")
