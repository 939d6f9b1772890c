"""Vehicle orders: a dealer orders cars from the OEM (for stock or for a named customer), the
OEM allocates each car a production number and a VIN, and the car's road from the line to the
customer is read from its vehicle's lifecycle events.

Scoping: an order belongs to its dealer; dealer staff see their dealer's orders (salespeople
included: stock orders are the dealer's shared stock, and any salesperson may deliver from it),
a region manager those of the dealers in the region's subtree, headquarters all. Items follow
their order.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet, dealer_in_scope
from autocrm.orders.choices import ItemStatus, OrderKind, OrderStatus


def dealer_scope(scope: Scope, dealer_field: str = "dealer") -> Q:
    return dealer_in_scope(scope, dealer_field)


class VehicleOrder(models.Model):
    """A dealer's order of ``quantity`` cars of one catalogue configuration and colour.

    Written only by ``orders.services``; the number (VO + the 9-digit key) is set in the
    creating transaction. ``dealer_cost`` is what the OEM invoices (the catalogue price when
    ordered less the dealer margin), ``unit_price``
    the customer's price (commissions take the margin between them). ``status`` is derived from
    the items (a cache refreshed by the services and when vehicle events arrive); ``version``
    refuses an edit based on an old copy."""

    number = models.CharField(_("order number"), max_length=20, unique=True, null=True)
    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.PROTECT,
        related_name="vehicle_orders",
        db_index=False,  # vehicle_order_dealer_idx (dealer, status, -id) serves it
    )
    kind = models.CharField(_("order kind"), max_length=16, choices=OrderKind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vehicle_orders",
        db_index=False,  # vehicle_order_customer_idx
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vehicle_orders",
    )
    vehicle_model = models.ForeignKey(
        "vehicles.VehicleModel",
        verbose_name=_("model and configuration"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    colour = models.CharField(_("colour"), max_length=50, blank=True)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    unit_price = models.DecimalField(
        _("price per car (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    dealer_cost = models.DecimalField(
        _("dealer cost per car (CNY)"), max_digits=12, decimal_places=2
    )
    requested_delivery = models.DateField(_("requested delivery"), null=True, blank=True)
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED
    )
    notes = models.TextField(_("notes"), blank=True)
    cancel_reason = models.CharField(_("reason cancelled"), max_length=255, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle order")
        verbose_name_plural = _("vehicle orders")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["dealer", "status", "-id"], name="vehicle_order_dealer_idx"),
            models.Index(fields=["status", "-id"], name="vehicle_order_status_idx"),
            models.Index(fields=["customer", "-id"], name="vehicle_order_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="vehicle_order_quantity_positive",
                violation_error_message=_("Order at least one car."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrderKind.CUSTOMER) | Q(customer__isnull=False),
                name="vehicle_order_customer_named",
                violation_error_message=_("An order for a customer must name the customer."),
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("new vehicle order"))

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (OrderStatus.DELIVERED, OrderStatus.CANCELLED)

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope)


class VehicleOrderItem(models.Model):
    """One ordered car: the vehicle the OEM allocated to it (with its production number and
    VIN; empty until allocated), when it is expected, and its delivery: to whom, when, at what
    price, credited to which salesperson, and the ownership it started. ``status`` is a cache of
    the vehicle's road (``orders.tracing``); the road itself is the vehicle's events."""

    order = models.ForeignKey(
        VehicleOrder, on_delete=models.CASCADE, related_name="items", verbose_name=_("order")
    )
    line = models.PositiveSmallIntegerField(_("line"))
    vehicle = models.OneToOneField(
        "vehicles.Vehicle",
        verbose_name=_("vehicle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_item",
    )
    production_number = models.CharField(
        _("production number"), max_length=30, unique=True, null=True, blank=True
    )
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("delivered to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson credited"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    price = models.DecimalField(
        _("delivered price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    ownership = models.OneToOneField(
        "vehicles.Ownership",
        verbose_name=_("ownership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_item",
    )
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ordered car")
        verbose_name_plural = _("ordered cars")
        ordering = ["order", "line"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line"], name="vehicle_order_item_line"),
        ]
        indexes = [
            # commissions: cars delivered in a month, per salesperson
            models.Index(fields=["delivered_on", "salesperson"], name="order_item_delivered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}-{self.line}" if self.order_id else str(self.line)

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope, "order__dealer")
