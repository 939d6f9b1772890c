"""The dealer network: regions, dealer groups, dealers and service stations, HQ departments."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet
from autocrm.network.choices import DealerType, DepartmentKind, RegionLevel

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, dashes and underscores only."),
)


class Region(models.Model):
    """An area, province or city. ``path`` holds the ids from the top down ("/3/17/240/") so a
    region's whole subtree is one indexed prefix query; services keep it in step with ``parent``."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:region_detail", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        if scope.region_path:
            return Q(path__startswith=scope.region_path)
        # Dealer staff see the regions their dealer sits in, from the city up.
        return Q(pk__in=scope.dealer_region_ids)


class DealerGroup(models.Model):
    """An investor group owning several dealers."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dealer group")
        verbose_name_plural = _("dealer groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:group_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        # A subquery, not a join, so a group with many dealers is listed once.
        dealers = Dealer.objects.filter(Dealer.scope_filter(scope))
        return Q(pk__in=dealers.values("group_id"))


class Dealer(models.Model):
    """A dealer (4S, sales only or service only). A dealer with the service capability is a
    service station."""

    code = models.CharField(
        _("dealer code"), max_length=20, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    dealer_type = models.CharField(_("type"), max_length=16, choices=DealerType.choices)
    sells_vehicles = models.BooleanField(_("sales"), default=True)
    services_vehicles = models.BooleanField(_("service"), default=True)
    sells_parts = models.BooleanField(_("parts"), default=True)
    region = models.ForeignKey(
        Region, verbose_name=_("city"), on_delete=models.PROTECT, related_name="dealers"
    )
    group = models.ForeignKey(
        DealerGroup,
        verbose_name=_("dealer group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dealers",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["code"]
        indexes = [models.Index(fields=["region", "code"], name="dealer_region_code_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sells_vehicles=True) | Q(services_vehicles=True) | Q(sells_parts=True),
                name="dealer_has_a_capability",
                violation_error_message=_("A dealer needs at least one capability."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("network:dealer_detail", args=[self.pk])

    @property
    def is_service_station(self) -> bool:
        return self.services_vehicles

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        if scope.region_path:
            return Q(region__path__startswith=scope.region_path)
        return Q(pk=scope.dealer_id)


class HQDepartment(models.Model):
    """A department at the OEM's headquarters (call center, technical support, ...)."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("HQ department")
        verbose_name_plural = _("HQ departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:department_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        # Outside headquarters nobody needs the HQ's internal structure.
        return Q(pk__in=[])
