"""Vehicle order pages: the list, a new order, the order with each car's road (timeline),
cancel, and the OEM's allocation (a list of orders awaiting VINs, and on the order page the
confirmation and one allocation per car); delivery from the order page.

Reads start from ``orders_visible`` (by dealer); an order out of scope is "not found". Writes
go through ``autocrm.orders.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autocrm.core import errors
from autocrm.core.crud import ScopedCreateView, ScopedListView
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.orders import services, tracing
from autocrm.orders.choices import CANCELLABLE_STATUSES, ItemStatus, OrderStatus
from autocrm.orders.filters import VehicleOrderFilterSet
from autocrm.orders.forms import (
    AllocateForm,
    CancelForm,
    ConfirmForm,
    DeliverForm,
    VehicleOrderForm,
    customer_by_number,
)
from autocrm.orders.models import VehicleOrder, VehicleOrderItem
from autocrm.orders.permissions import may_allocate, may_deliver, may_order, own_dealer_id
from autocrm.orders.selectors import ORDER_ORDERING, order_for, order_items, orders_visible
from autocrm.vehicles.choices import VehicleStatus

ORDERS = gettext_lazy("Vehicle orders")


class OrderList(ScopedListView):
    model = VehicleOrder
    filterset_class = VehicleOrderFilterSet
    table_template = "orders/_order_table.html"
    ordering = ORDER_ORDERING
    list_id = "order-list"
    title = ORDERS
    create_url_name: str | None = "orders:order_create"
    create_label = gettext_lazy("New vehicle order")

    def queryset(self, request: HttpRequest) -> QuerySet[VehicleOrder]:
        return orders_visible(request.user)

    def may_edit(self, user: Any) -> bool:
        return may_order(user)


class AllocationList(OrderList):
    """The OEM's work list: open orders with cars still awaiting a production number and VIN."""

    title = gettext_lazy("OEM allocation")
    list_id = "allocation-list"
    create_url_name: str | None = None
    without_filters = ("status", "kind")

    def queryset(self, request: HttpRequest) -> QuerySet[VehicleOrder]:
        if not may_allocate(request.user):
            raise PermissionDenied
        waiting = VehicleOrderItem.objects.filter(
            order_id=OuterRef("pk"), status=ItemStatus.PENDING
        )
        return orders_visible(request.user).filter(Exists(waiting), status__in=CANCELLABLE_STATUSES)

    def may_edit(self, user: Any) -> bool:
        return False


class OrderCreate(ScopedCreateView):
    """A new order; from a customer's page (``?customer=<id>``) it is for that customer."""

    model = VehicleOrder
    form_class = VehicleOrderForm
    form_id = "order-form"
    title = gettext_lazy("New vehicle order")
    list_label = ORDERS
    list_url_name = "orders:order_list"
    saved_message = gettext_lazy("The vehicle order “%(record)s” was submitted to the OEM.")

    def permission(self, user: Any, instance: Any) -> bool:
        return may_order(user)

    def _customer(self, request: HttpRequest) -> Customer | None:
        customer_id = request.GET.get("customer")
        if not customer_id:
            return None
        return access_object(request.user, Customer.objects.all(), pk=customer_id)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user, "customer": self._customer(request)}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Any) -> Any:
        user = request.user
        dealer = data.get("dealer")
        if dealer is None and own_dealer_id(user) is not None:
            dealer = user.dealer  # type: ignore[union-attr]
        return services.vehicle_order_create(
            actor=user,
            dealer=dealer,
            vehicle_model=data["vehicle_model"],
            quantity=data["quantity"],
            colour=data["colour"],
            customer=data["customer_number"],
            salesperson=data["salesperson"],
            unit_price=data["unit_price"],
            requested_delivery=data["requested_delivery"],
            notes=data["notes"],
            kind=data["kind"],
        )


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    user = request.user
    order = order_for(user, order_id)
    items = order_items(order)
    is_open = order.status not in (OrderStatus.DELIVERED, OrderStatus.CANCELLED)
    deliverable = may_deliver(user) and (own_dealer_id(user) in (None, order.dealer_id))
    rows = [
        {
            "timeline": timeline,
            "may_deliver": deliverable
            and timeline.item.delivered_on is None
            and timeline.item.vehicle is not None
            and timeline.item.vehicle.status == VehicleStatus.AT_DEALER,
            "may_allocate": may_allocate(user)
            and is_open
            and timeline.item.status == ItemStatus.PENDING,
        }
        for timeline in tracing.timelines(items)
    ]
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "rows": rows,
            "history": history_rows(order, user),
            "may_cancel": may_order(user)
            and order.status in CANCELLABLE_STATUSES
            and own_dealer_id(user) in (None, order.dealer_id)
            and not any(item.vehicle_id for item in items),
            "may_confirm": may_allocate(user) and is_open,
            "cancel_form": CancelForm(initial={"version": order.version}),
            "confirm_form": ConfirmForm(initial={"expected_delivery": order.expected_delivery}),
            "allocate_form": AllocateForm(),
            "deliver_form": DeliverForm(),
            "needs_customer": order.customer_id is None,
            "breadcrumbs": [crumb(ORDERS, "orders:order_list"), crumb(str(order))],
        },
    )


def _after_service(request: HttpRequest, order: VehicleOrder, call: Any, done: str) -> HttpResponse:
    """Run a service for a detail-page button, then show the order with its outcome."""
    try:
        call()
    except errors.PermissionDenied as error:
        raise PermissionDenied from error
    except (ValidationError, errors.ApplicationError) as error:
        text = error.messages if isinstance(error, ValidationError) else [str(error.message)]
        for message in text:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(order)


def _version(request: HttpRequest) -> int | None:
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else None


def _form_errors(form: Any) -> None:
    messages_list = [message for errors_ in form.errors.values() for message in errors_]
    raise ValidationError(messages_list)


@login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_for(request.user, order_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _after_service(
        request,
        order,
        lambda: services.vehicle_order_cancel(
            actor=request.user, order=order, reason=reason, expected_version=_version(request)
        ),
        _("The order was cancelled."),
    )


@login_required
@require_POST
def order_confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_for(request.user, order_id)
    form = ConfirmForm(request.POST)

    def call() -> None:
        if not form.is_valid():
            _form_errors(form)
        services.vehicle_order_confirm(
            actor=request.user,
            order=order,
            expected_delivery=form.cleaned_data["expected_delivery"],
        )

    return _after_service(request, order, call, _("The order was confirmed."))


@login_required
@require_POST
def item_allocate(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_for(request.user, order_id)
    form = AllocateForm(request.POST)

    def call() -> None:
        if not form.is_valid():
            _form_errors(form)
        services.order_item_allocate(actor=request.user, order=order, **form.cleaned_data)

    return _after_service(request, order, call, _("The car was allocated its VIN."))


@login_required
@require_POST
def item_deliver(request: HttpRequest, order_id: int, item_id: int) -> HttpResponse:
    user = request.user
    order = order_for(user, order_id)
    item = access_object(user, VehicleOrderItem.objects.filter(order=order), pk=item_id)
    form = DeliverForm(request.POST)

    def call() -> None:
        if not form.is_valid():
            _form_errors(form)
        services.order_item_deliver(
            actor=user,
            item=item,
            customer=customer_by_number(user, form.cleaned_data["customer_number"]),
            delivered_on=form.cleaned_data["delivered_on"],
            price=form.cleaned_data["price"],
            expected_version=form.cleaned_data["version"],
        )

    return _after_service(request, order, call, _("The car was delivered."))
