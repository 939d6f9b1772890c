"""Writes to the vehicles app: the catalogue, vehicles, ownership and mileage. Each service checks
the actor's permission, validates (a message per field), saves in one transaction and writes the
audit trail. Lifecycle events are in ``autocrm.vehicles.lifecycle`` (re-exported here).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.customers import services as customer_services
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.vehicles import permissions
from autocrm.vehicles.choices import EventKind, OwnershipRole, VehicleStatus
from autocrm.vehicles.lifecycle import event_record, events_record_bulk, insert_events
from autocrm.vehicles.models import OdometerReading, Ownership, Vehicle, VehicleEvent, VehicleModel
from autocrm.vehicles.vin import normalise_plate, validate_vin

__all__ = [
    "event_record",
    "events_record_bulk",
    "odometer_record",
    "ownership_start",
    "ownership_transfer",
    "vehicle_create",
    "vehicle_model_create",
    "vehicle_model_update",
    "vehicle_update",
]

# A reading above this is a typing error (an extra digit), not a car.
MAX_PLAUSIBLE_KM = 2_000_000
# Statuses of a car not yet sold to anyone; a first owner moves it to "sold".
UNSOLD_STATUSES = frozenset(
    {
        VehicleStatus.IN_PRODUCTION,
        VehicleStatus.IN_STOCK,
        VehicleStatus.IN_TRANSIT,
        VehicleStatus.AT_DEALER,
    }
)
# Roles of an ownership that make the customer an owner (a driver does not own the car).
OWNING_ROLES = (OwnershipRole.OWNER, OwnershipRole.FLEET)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _not_in_future(field: str, day: datetime.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


# --- catalogue -------------------------------------------------------------------------------


def _check_model_data(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    year = data.get("model_year")
    latest = timezone.localdate().year + 2
    if year is not None and not 1950 <= year <= latest:
        errors["model_year"] = _("Enter a model year between 1950 and %(latest)s.") % {
            "latest": latest
        }
    price = data.get("price")
    if price is not None and Decimal(price) < 0:
        errors["price"] = _("A price cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def vehicle_model_create(*, actor: Any, data: dict[str, Any]) -> VehicleModel:
    """Add a model to the catalogue (administrators)."""
    _require(permissions.may_edit_vehicles(actor))
    _check_model_data(data)
    vehicle_model = VehicleModel(**data)
    vehicle_model.full_clean()
    vehicle_model.save()
    audit.record_creation(vehicle_model, actor=actor)
    return vehicle_model


@transaction.atomic
def vehicle_model_update(
    *, actor: Any, vehicle_model: VehicleModel, data: dict[str, Any]
) -> VehicleModel:
    """Change a catalogue model (administrators); only the fields in ``data`` change."""
    _require(permissions.may_edit_vehicles(actor))
    _check_model_data(data)
    before = audit.snapshot(vehicle_model)
    for name, value in data.items():
        setattr(vehicle_model, name, value)
    vehicle_model.full_clean()
    vehicle_model.save()
    audit.record_change(vehicle_model, before, actor=actor)
    return vehicle_model


# --- vehicles --------------------------------------------------------------------------------


def _apply_vin(vehicle: Vehicle, raw: str) -> None:
    """Validate the VIN and refuse one already registered, naming the vehicle's owner."""
    try:
        parsed = validate_vin(raw)
    except ValidationError as error:
        raise ValidationError({"vin": error.messages}) from error
    taken = Vehicle.objects.filter(vin=parsed.value).exclude(pk=vehicle.pk).first()
    if taken is not None:
        owner = (
            Ownership.objects.filter(vehicle=taken, role=OwnershipRole.OWNER, ended_on=None)
            .select_related("customer")
            .first()
        )
        if owner is not None:
            message = _("VIN %(vin)s is already registered, owned by %(customer)s.") % {
                "vin": parsed.value,
                "customer": owner.customer.number,
            }
        else:
            message = _("VIN %(vin)s is already registered.") % {"vin": parsed.value}
        raise ValidationError({"vin": message})
    vehicle.vin = parsed.value
    vehicle.vin_tail = parsed.tail
    vehicle.vin_check_digit_ok = parsed.check_digit_ok


def _assign_vehicle(vehicle: Vehicle, data: dict[str, Any]) -> None:
    data = dict(data)
    if "vin" in data:
        _apply_vin(vehicle, data.pop("vin"))
    if "plate" in data:
        data["plate"] = normalise_plate(data["plate"] or "")
    for name in ("engine_number", "frame_number"):
        if data.get(name):
            data[name] = data[name].strip().upper()
    if "production_number" in data:
        data["production_number"] = (data["production_number"] or "").strip() or None
    _not_in_future("production_date", data.get("production_date"))
    for name, value in data.items():
        setattr(vehicle, name, value)


@transaction.atomic
def vehicle_create(
    *,
    actor: Any,
    data: dict[str, Any],
    owner: Customer | None = None,
    owned_since: datetime.date | None = None,
) -> Vehicle:
    """Register a vehicle (administrators). With ``owner``, the customer's ownership starts in
    the same transaction (from ``owned_since``, default today), so a vehicle added from a
    customer's page is never left without its owner."""
    _require(permissions.may_edit_vehicles(actor))
    if "vin" not in data:
        raise ValidationError({"vin": _("This field is required.")})
    vehicle = Vehicle()
    _assign_vehicle(vehicle, data)
    vehicle.full_clean()
    vehicle.save()
    audit.record_creation(vehicle, actor=actor)
    if owner is not None:
        ownership_start(
            actor=actor,
            vehicle=vehicle,
            customer=owner,
            started_on=owned_since or timezone.localdate(),
            selling_dealer=vehicle.dealer,
        )
        vehicle.refresh_from_db()
    return vehicle


@transaction.atomic
def vehicle_update(
    *,
    actor: Any,
    vehicle: Vehicle,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Vehicle:
    """Change a vehicle's data (administrators). With ``expected_version`` (the version the
    editor opened), a save after someone else's is refused (``StaleRecord``)."""
    _require(permissions.may_edit_vehicles(actor))
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    before = audit.snapshot(locked)
    _assign_vehicle(locked, data)
    locked.full_clean()
    # The row is locked until commit, so a plain increment cannot lose an update.
    locked.version += 1
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


# --- ownership -------------------------------------------------------------------------------


def _current_owner(vehicle: Vehicle) -> Ownership | None:
    return (
        Ownership.objects.filter(vehicle=vehicle, role=OwnershipRole.OWNER, ended_on=None)
        .select_related("customer")
        .first()
    )


def _selling_dealer_for(actor: Any, selling_dealer: Dealer | None) -> Dealer | None:
    # A dealer's own staff record their own dealer's sales.
    if selling_dealer is None and getattr(actor, "dealer_id", None):
        return Dealer.objects.filter(pk=actor.dealer_id).first()
    return selling_dealer


def _open_ownership(
    *,
    actor: Any,
    vehicle: Vehicle,
    customer: Customer,
    role: str,
    started_on: datetime.date,
    selling_dealer: Dealer | None,
    price: Decimal | None,
) -> Ownership:
    ownership = Ownership(
        vehicle=vehicle,
        customer=customer,
        role=role,
        started_on=started_on,
        selling_dealer=selling_dealer,
        price=price,
    )
    ownership.full_clean()
    ownership.save()
    audit.record_creation(ownership, actor=actor)
    if role in OWNING_ROLES:
        customer_services.customer_mark_owner(
            actor=actor, customer=customer, sold_by=selling_dealer, since=started_on
        )
    return ownership


@transaction.atomic
def ownership_start(
    *,
    actor: Any,
    vehicle: Vehicle,
    customer: Customer,
    started_on: datetime.date,
    role: str = OwnershipRole.OWNER,
    selling_dealer: Dealer | None = None,
    price: Decimal | None = None,
) -> Ownership:
    """Record that ``customer`` owns (drives, runs in a fleet) ``vehicle`` from ``started_on``.

    A vehicle has at most one current owner: a second is refused, naming the current one (a
    change of owner is a transfer). Preconditions: the caller found both records within the
    actor's scope. The owner becomes an "owner" customer, linked to the selling dealer."""
    _require(permissions.may_record_ownership(actor))
    _not_in_future("started_on", started_on)
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    if role == OwnershipRole.OWNER:
        current = _current_owner(locked)
        if current is not None:
            raise ValidationError(
                {
                    "customer": _(
                        "This vehicle is already owned by %(customer)s since %(date)s; "
                        "record a transfer instead."
                    )
                    % {"customer": current.customer.number, "date": current.started_on}
                }
            )
    elif Ownership.objects.filter(
        vehicle=locked, customer=customer, role=role, ended_on=None
    ).exists():
        raise ValidationError({"customer": _("This customer already has this role.")})
    selling_dealer = _selling_dealer_for(actor, selling_dealer)
    ownership = _open_ownership(
        actor=actor,
        vehicle=locked,
        customer=customer,
        role=role,
        started_on=started_on,
        selling_dealer=selling_dealer,
        price=price,
    )
    if role in OWNING_ROLES:
        before = audit.snapshot(locked)
        if locked.status in UNSOLD_STATUSES:
            locked.status = VehicleStatus.SOLD
        if locked.dealer_id is None and selling_dealer is not None:
            locked.dealer = selling_dealer
        if audit.snapshot(locked) != before:
            locked.version += 1
            locked.save(update_fields=["status", "dealer", "version", "updated_at"])
            audit.record_change(locked, before, actor=actor)
    return ownership


@transaction.atomic
def ownership_transfer(
    *,
    actor: Any,
    vehicle: Vehicle,
    new_customer: Customer,
    on_date: datetime.date,
    selling_dealer: Dealer | None = None,
    price: Decimal | None = None,
) -> Ownership:
    """Close the current owner's ownership on ``on_date`` and open ``new_customer``'s, in one
    transaction; record a "transferred" event; the new owner becomes an "owner", the previous
    one a "former owner" unless they still own another vehicle; the selling dealer (the actor's
    dealer by default) is linked to the new owner. Returns the new ownership."""
    _require(permissions.may_record_ownership(actor))
    _not_in_future("on_date", on_date)
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    current = _current_owner(locked)
    if current is None:
        raise ValidationError(
            {"customer": _("This vehicle has no current owner; record an ownership instead.")}
        )
    if current.customer_id == new_customer.pk:
        raise ValidationError({"customer": _("This customer already owns this vehicle.")})
    if on_date < current.started_on:
        raise ValidationError(
            {
                "on_date": _(
                    "A transfer cannot be dated before the current ownership started (%(date)s)."
                )
                % {"date": current.started_on}
            }
        )
    before = audit.snapshot(current)
    current.ended_on = on_date
    current.save(update_fields=["ended_on"])
    audit.record_change(current, before, actor=actor)
    selling_dealer = _selling_dealer_for(actor, selling_dealer)
    ownership = _open_ownership(
        actor=actor,
        vehicle=locked,
        customer=new_customer,
        role=OwnershipRole.OWNER,
        started_on=on_date,
        selling_dealer=selling_dealer,
        price=price,
    )
    previous = current.customer
    still_owns = Ownership.objects.filter(
        customer=previous, role__in=OWNING_ROLES, ended_on=None
    ).exists()
    if not still_owns:
        customer_services.customer_mark_former_owner(actor=actor, customer=previous)
    insert_events(
        actor=actor,
        events=[
            VehicleEvent(
                vehicle=locked,
                kind=EventKind.TRANSFERRED,
                occurred_at=_moment_of(on_date),
                dealer=selling_dealer,
                source=VEHICLE_EVENT_SOURCE,
                details={"from": previous.number, "to": new_customer.number},
            )
        ],
    )
    return ownership


# The source of events people record in autocrm itself (factory systems name their own).
VEHICLE_EVENT_SOURCE = "autocrm"


def _moment_of(day: datetime.date) -> datetime.datetime:
    """An event dated ``day``: now when it is today, else noon of that day (local time)."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


# --- mileage ---------------------------------------------------------------------------------


@transaction.atomic
def odometer_record(
    *,
    actor: Any,
    vehicle: Vehicle,
    reading_km: int,
    read_on: datetime.date,
    source: str = "",
) -> OdometerReading:
    """Store a mileage reading. One lower than an earlier (unflagged) reading is kept, flagged,
    and never becomes the vehicle's current mileage; a higher one does."""
    _require(permissions.may_record_mileage(actor))
    _not_in_future("read_on", read_on)
    if reading_km is not None and reading_km > MAX_PLAUSIBLE_KM:
        raise ValidationError(
            {
                "reading_km": _("A reading above %(limit)s km is not plausible.")
                % {"limit": f"{MAX_PLAUSIBLE_KM:,}"}
            }
        )
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    earlier = (
        OdometerReading.objects.filter(vehicle=locked, read_on__lte=read_on, flagged=False)
        .order_by("-reading_km")
        .values_list("reading_km", flat=True)
        .first()
    )
    reading = OdometerReading(
        vehicle=locked,
        reading_km=reading_km,
        read_on=read_on,
        source=source,
        flagged=earlier is not None and reading_km < earlier,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    reading.full_clean()
    reading.save()
    audit.record_creation(reading, actor=actor)
    if not reading.flagged and (
        locked.current_mileage is None or reading_km >= locked.current_mileage
    ):
        before = audit.snapshot(locked)
        locked.current_mileage = reading_km
        locked.mileage_read_on = read_on
        locked.version += 1
        locked.save(update_fields=["current_mileage", "mileage_read_on", "version", "updated_at"])
        audit.record_change(locked, before, actor=actor)
    return reading
