"""Vehicles: the model catalogue, each car by VIN, who owned it when, its mileage and its life
from the production line on.

Scoping: a vehicle is visible to the dealer holding or having sold it (``dealer``) and to whoever
may see one of its owners or drivers, past or present.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet, dealer_in_scope
from autocrm.customers.models import customer_ids_in_scope
from autocrm.vehicles.choices import EventKind, OwnershipRole, Powertrain, VehicleStatus


def _dealer_in_scope(scope: Scope, field: str = "dealer") -> Q:
    return dealer_in_scope(scope, field)


def vehicle_scope_filter(scope: Scope) -> Q:
    # A correlated EXISTS per candidate vehicle: the planner probes ownership_vehicle_idx for the
    # rows it looks at, instead of hashing every vehicle the dealer's customers ever owned.
    owned = Ownership.objects.filter(
        vehicle_id=OuterRef("pk"), customer_id__in=customer_ids_in_scope(scope)
    )
    return _dealer_in_scope(scope) | Q(Exists(owned))


def vehicle_ids_in_scope(scope: Scope) -> models.QuerySet[Any, Any]:
    return Vehicle.objects.filter(vehicle_scope_filter(scope)).values("pk")


class VehicleModel(models.Model):
    """One sellable configuration: brand, series, model, trim and model year, with its price."""

    code = models.CharField(_("model code"), max_length=30, unique=True)
    brand = models.CharField(_("brand"), max_length=50)
    series = models.CharField(_("series"), max_length=50)
    name = models.CharField(_("model"), max_length=100)
    configuration = models.CharField(_("configuration"), max_length=100, blank=True)
    model_year = models.PositiveSmallIntegerField(_("model year"))
    powertrain = models.CharField(_("powertrain"), max_length=8, choices=Powertrain.choices)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    is_active = models.BooleanField(_("on sale"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")
        ordering = ["code"]

    def __str__(self) -> str:
        parts = [self.brand, self.series, self.name, self.configuration, str(self.model_year)]
        return " ".join(part for part in parts if part)

    def get_absolute_url(self) -> str:
        return reverse("vehicles:model_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q()  # the catalogue is public to every role


class Vehicle(models.Model):
    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    # The last six characters, indexed: people read the serial number out on the phone.
    vin_tail = models.CharField(max_length=6, editable=False, db_index=True, default="")
    # False for other makers' VINs whose check digit does not match: a visible data-quality flag.
    vin_check_digit_ok = models.BooleanField(_("VIN check digit correct"), default=True)
    model = models.ForeignKey(
        VehicleModel,
        verbose_name=_("model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vehicles",
    )
    engine_number = models.CharField(_("engine number"), max_length=30, blank=True)
    frame_number = models.CharField(_("frame number"), max_length=30, blank=True)
    production_number = models.CharField(
        _("production number"), max_length=30, unique=True, null=True, blank=True
    )
    production_date = models.DateField(_("production date"), null=True, blank=True)
    plant = models.CharField(_("plant"), max_length=50, blank=True)
    colour = models.CharField(_("colour"), max_length=50, blank=True)
    plate = models.CharField(_("licence plate"), max_length=16, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VehicleStatus.choices, default=VehicleStatus.SOLD
    )
    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vehicles",
        db_index=False,  # vehicle_dealer_idx (dealer, vin) serves it
    )
    current_mileage = models.PositiveIntegerField(_("current mileage (km)"), null=True, blank=True)
    mileage_read_on = models.DateField(_("mileage read on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["vin"]
        indexes = [models.Index(fields=["dealer", "vin"], name="vehicle_dealer_idx")]

    def __str__(self) -> str:
        return self.vin

    def get_absolute_url(self) -> str:
        return reverse("vehicles:vehicle_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return vehicle_scope_filter(scope)


class VehicleOwnedScope:
    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(vehicle_id__in=vehicle_ids_in_scope(scope))


class Ownership(models.Model):
    """Who owned, drove or ran a vehicle in a fleet, from when to when. A transfer closes the
    current owner's ownership and opens the next one."""

    # ownership_vehicle_idx (vehicle, -started_on) and ownership_customer_idx (customer,
    # ended_on) serve each column.
    vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.CASCADE,
        related_name="ownerships",
        verbose_name=_("vehicle"),
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="ownerships",
        verbose_name=_("customer"),
        db_index=False,
    )
    role = models.CharField(
        _("role"), max_length=8, choices=OwnershipRole.choices, default=OwnershipRole.OWNER
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    selling_dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("selling dealer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=Q(ended_on__isnull=True, role="owner"),
                name="ownership_one_current_owner",
                violation_error_message=_("This vehicle already has a current owner."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="ownership_ends_after_start",
                violation_error_message=_("An ownership cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "ended_on"], name="ownership_customer_idx"),
            models.Index(fields=["vehicle", "-started_on"], name="ownership_vehicle_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.role} {self.customer_id}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return Q(customer_id__in=customer_ids_in_scope(scope)) | Q(
            vehicle_id__in=vehicle_ids_in_scope(scope)
        )


class OdometerReading(VehicleOwnedScope, models.Model):
    """A mileage reading. One lower than an earlier reading is kept but flagged, and never
    becomes the vehicle's current mileage."""

    vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.CASCADE,
        related_name="odometer_readings",
        verbose_name=_("vehicle"),
    )
    reading_km = models.PositiveIntegerField(_("reading (km)"))
    read_on = models.DateField(_("read on"))
    source = models.CharField(_("source"), max_length=50, blank=True)
    flagged = models.BooleanField(_("lower than an earlier reading"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("odometer reading")
        verbose_name_plural = _("odometer readings")
        ordering = ["-read_on", "-id"]
        indexes = [models.Index(fields=["vehicle", "-read_on"], name="odometer_vehicle_idx")]

    def __str__(self) -> str:
        return f"{self.reading_km} km @ {self.read_on}"


class VehicleEvent(VehicleOwnedScope, models.Model):
    """One step of the vehicle's life, posted by people or by factory and logistics systems."""

    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.CASCADE, related_name="events", verbose_name=_("vehicle")
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    location = models.CharField(_("location"), max_length=100, blank=True)
    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source system"), max_length=50)
    # The sending system's own event id: posting the same event twice records it once.
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle event")
        verbose_name_plural = _("vehicle events")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="vehicle_event_external_unique"
            )
        ]
        indexes = [models.Index(fields=["vehicle", "-occurred_at"], name="vehicle_event_idx")]

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.kind} @ {self.occurred_at}"
