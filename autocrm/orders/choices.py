from django.db import models
from django.utils.translation import gettext_lazy as _

from autocrm.vehicles.choices import VehicleStatus


class OrderKind(models.TextChoices):
    STOCK = "stock", _("For stock")
    CUSTOMER = "customer", _("For a named customer")


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed by the OEM")
    IN_PRODUCTION = "in_production", _("In production")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_DEALER = "at_dealer", _("At the dealer")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class ItemStatus(models.TextChoices):
    """Where one ordered car is: waiting for the OEM's allocation, then its vehicle's road."""

    PENDING = "pending", _("Awaiting allocation")
    ON_THE_LINE = "on_the_line", _("On the line")
    PAINTED = "painted", _("In paint")
    IN_WAREHOUSE = "in_warehouse", _("In the warehouse")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_DEALER = "at_dealer", _("At the dealer")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which an order is still on its way (not delivered, not cancelled).
OPEN_ORDER_STATUSES = frozenset(
    {
        OrderStatus.SUBMITTED,
        OrderStatus.CONFIRMED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.IN_TRANSIT,
        OrderStatus.AT_DEALER,
    }
)
# An order may be cancelled until the OEM has allocated a car to it.
CANCELLABLE_STATUSES = frozenset({OrderStatus.SUBMITTED, OrderStatus.CONFIRMED})

# The road of an allocated car, in order; an item's status is the furthest step it reached.
ITEM_ROAD = (
    ItemStatus.PENDING,
    ItemStatus.ON_THE_LINE,
    ItemStatus.PAINTED,
    ItemStatus.IN_WAREHOUSE,
    ItemStatus.IN_TRANSIT,
    ItemStatus.AT_DEALER,
    ItemStatus.DELIVERED,
)

# An undelivered item's status from its vehicle's status (painted comes from the events).
ITEM_STATUS_OF_VEHICLE = {
    VehicleStatus.IN_PRODUCTION: ItemStatus.ON_THE_LINE,
    VehicleStatus.IN_STOCK: ItemStatus.IN_WAREHOUSE,
    VehicleStatus.IN_TRANSIT: ItemStatus.IN_TRANSIT,
    VehicleStatus.AT_DEALER: ItemStatus.AT_DEALER,
}

# The order's status from its least advanced open item.
ORDER_STATUS_OF_ITEM = {
    ItemStatus.ON_THE_LINE: OrderStatus.IN_PRODUCTION,
    ItemStatus.PAINTED: OrderStatus.IN_PRODUCTION,
    ItemStatus.IN_WAREHOUSE: OrderStatus.IN_PRODUCTION,
    ItemStatus.IN_TRANSIT: OrderStatus.IN_TRANSIT,
    ItemStatus.AT_DEALER: OrderStatus.AT_DEALER,
    ItemStatus.DELIVERED: OrderStatus.DELIVERED,
}
