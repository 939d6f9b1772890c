"""Creating and cancelling vehicle orders."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Role
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.customers import services as customer_services
from autocrm.customers.choices import DealerRelation
from autocrm.customers.models import Customer, CustomerDealer
from autocrm.orders import permissions
from autocrm.orders.choices import CANCELLABLE_STATUSES, ItemStatus, OrderKind, OrderStatus
from autocrm.orders.models import VehicleOrder, VehicleOrderItem

# More cars than this in one order is a typing error; fleets order in several orders.
MAX_QUANTITY = 100
# The OEM invoices a dealer the catalogue (retail) price less the dealer's margin.
DEALER_COST_RATE = Decimal("0.88")


def dealer_cost_of(catalogue_price: Decimal) -> Decimal:
    """What the dealer pays the OEM for a car of a catalogue price, to the cent."""
    return (Decimal(catalogue_price) * DEALER_COST_RATE).quantize(Decimal("0.01"))


def order_number(pk: int) -> str:
    return f"VO{pk:09d}"


def _check_dealer(actor: Any, dealer: Any) -> dict[str, str]:
    if dealer is None:
        return {"dealer": _("Choose the dealer that orders the cars.")}
    staff_dealer = permissions.own_dealer_id(actor)
    if staff_dealer is not None and staff_dealer != dealer.pk:
        return {"dealer": _("You can only order cars for your own dealer.")}
    if not dealer.is_active:
        return {"dealer": _("This dealer is no longer active.")}
    return {}


def _check_model(vehicle_model: Any) -> dict[str, str]:
    if vehicle_model is None:
        return {"vehicle_model": _("Choose a model and configuration from the catalogue.")}
    if not vehicle_model.is_active:
        return {
            "vehicle_model": _("%(model)s is no longer on sale; choose another configuration.")
            % {"model": vehicle_model}
        }
    return {}


def _check_numbers(
    quantity: Any, unit_price: Decimal | None, requested_delivery: datetime.date | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(quantity, int) or quantity < 1:
        errors["quantity"] = _("Order at least one car.")
    elif quantity > MAX_QUANTITY:
        errors["quantity"] = _("Order at most %(limit)s cars at a time.") % {"limit": MAX_QUANTITY}
    if unit_price is not None and Decimal(unit_price) < 0:
        errors["unit_price"] = _("A price cannot be negative.")
    if requested_delivery is not None and requested_delivery < timezone.localdate():
        errors["requested_delivery"] = _("The requested delivery date is in the past.")
    return errors


def _check_people(
    kind: str, dealer: Any, customer: Customer | None, salesperson: Any
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in OrderKind.values:
        errors["kind"] = _("Select one of the allowed values.")
    elif kind == OrderKind.CUSTOMER and customer is None:
        errors["customer"] = _("An order for a customer must name the customer.")
    if customer is not None and (not customer.is_active or customer.merged_into_id):
        errors["customer"] = _("This customer record is inactive (merged or closed).")
    if salesperson is not None and (
        dealer is None
        or salesperson.dealer_id != dealer.pk
        or salesperson.role not in (Role.SALESPERSON, Role.DEALER_MANAGER)
    ):
        errors["salesperson"] = _("The salesperson must work at the ordering dealer.")
    return errors


def _link_customer(*, actor: Any, customer: Customer, dealer: Any) -> None:
    """Let the ordering dealer's staff see the customer."""
    if CustomerDealer.objects.filter(customer=customer, dealer=dealer).exists():
        return
    customer_services.dealer_link_add(
        actor=actor, customer=customer, dealer=dealer, relation=DealerRelation.ASSIGNED_TO
    )


@transaction.atomic
def vehicle_order_create(
    *,
    actor: Any,
    dealer: Any,
    vehicle_model: Any,
    quantity: int = 1,
    colour: str = "",
    customer: Customer | None = None,
    salesperson: Any = None,
    unit_price: Decimal | None = None,
    requested_delivery: datetime.date | None = None,
    notes: str = "",
    kind: str | None = None,
) -> VehicleOrder:
    """Order ``quantity`` cars of a catalogue configuration (``vehicle_model``) from the OEM.

    Dealer staff order for their own dealer, the administrator for any. ``kind`` defaults to
    "for a named customer" when ``customer`` is given, else "for stock"; a customer order
    without a customer, an inactive configuration, a quantity below 1 (or above 100), a
    negative price or a requested date in the past are refused, each with its own message.
    The dealer cost is the catalogue price less the dealer margin (``DEALER_COST_RATE``);
    ``unit_price`` (the customer's price) defaults to the catalogue price. A salesperson
    ordering is the order's salesperson unless another is named. One item (``line``
    1..quantity) per car is created, awaiting allocation. The ordering dealer is linked to
    the customer so its staff see them. Preconditions: the caller found ``customer`` and
    ``salesperson`` within the actor's scope."""
    if not permissions.may_order(actor):
        raise PermissionDenied
    kind = kind or (OrderKind.CUSTOMER if customer is not None else OrderKind.STOCK)
    if salesperson is None and getattr(actor, "role", None) == Role.SALESPERSON:
        salesperson = actor
    errors = {
        **_check_dealer(actor, dealer),
        **_check_model(vehicle_model),
        **_check_numbers(quantity, unit_price, requested_delivery),
        **_check_people(kind, dealer, customer, salesperson),
    }
    if errors:
        raise ValidationError(errors)
    order = VehicleOrder(
        dealer=dealer,
        kind=kind,
        customer=customer,
        salesperson=salesperson,
        vehicle_model=vehicle_model,
        colour=(colour or "").strip(),
        quantity=quantity,
        unit_price=vehicle_model.price if unit_price is None else unit_price,
        dealer_cost=dealer_cost_of(vehicle_model.price),
        requested_delivery=requested_delivery,
        notes=(notes or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    order.full_clean(exclude=["number"])
    order.save()
    order.number = order_number(order.pk)
    order.save(update_fields=["number"])
    VehicleOrderItem.objects.bulk_create(
        [VehicleOrderItem(order=order, line=line) for line in range(1, quantity + 1)]
    )
    audit.record_creation(order, actor=actor)
    if customer is not None:
        _link_customer(actor=actor, customer=customer, dealer=dealer)
    return order


def lock_order(order: VehicleOrder, expected_version: int | None = None) -> VehicleOrder:
    """The order, locked until commit; refused when it changed since ``expected_version``."""
    locked = VehicleOrder.objects.select_for_update().get(pk=order.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    return locked


@transaction.atomic
def vehicle_order_cancel(
    *, actor: Any, order: VehicleOrder, reason: str, expected_version: int | None = None
) -> VehicleOrder:
    """Cancel an order the OEM has not yet allocated a car to (dealer staff of its dealer, or
    the administrator), with a reason. Its items are cancelled too."""
    if not permissions.may_order(actor):
        raise PermissionDenied
    staff_dealer = permissions.own_dealer_id(actor)
    if staff_dealer is not None and staff_dealer != order.dealer_id:
        raise PermissionDenied
    locked = lock_order(order, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling the order.")})
    if locked.status == OrderStatus.CANCELLED:
        raise ValidationError({"status": _("This order is already cancelled.")})
    allocated = locked.items.filter(vehicle__isnull=False).exists()
    if locked.status not in CANCELLABLE_STATUSES or allocated:
        raise ValidationError(
            {
                "status": _(
                    "The OEM has already allocated cars to this order; it can no longer be "
                    "cancelled."
                )
            }
        )
    before = audit.snapshot(locked)
    locked.status = OrderStatus.CANCELLED
    locked.cancel_reason = reason[:255]
    locked.version += 1
    locked.save(update_fields=["status", "cancel_reason", "version", "updated_at"])
    locked.items.update(status=ItemStatus.CANCELLED)
    audit.record_change(locked, before, actor=actor)
    return locked
