"""Writes to the orders app: ordering (``orders``), the OEM's confirmation and allocation
(``allocation``) and delivery (``delivery``). Each service checks the actor's permission,
validates with a message per field, runs in one transaction and writes the audit trail."""

from autocrm.orders.services.allocation import (
    MAX_BULK_ALLOCATIONS,
    AllocationItem,
    AllocationResult,
    allocations_record_bulk,
    order_item_allocate,
    vehicle_order_confirm,
)
from autocrm.orders.services.delivery import order_item_deliver
from autocrm.orders.services.orders import (
    DEALER_COST_RATE,
    MAX_QUANTITY,
    dealer_cost_of,
    order_number,
    vehicle_order_cancel,
    vehicle_order_create,
)

__all__ = [
    "DEALER_COST_RATE",
    "MAX_BULK_ALLOCATIONS",
    "MAX_QUANTITY",
    "AllocationItem",
    "AllocationResult",
    "allocations_record_bulk",
    "dealer_cost_of",
    "order_item_allocate",
    "order_item_deliver",
    "order_number",
    "vehicle_order_cancel",
    "vehicle_order_confirm",
    "vehicle_order_create",
]
