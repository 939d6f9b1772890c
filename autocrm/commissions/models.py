"""Salesperson commissions: each dealer's plans (versions by validity), and the statements stored
when a manager closes a month.

A plan pays, per car delivered: a fixed amount (the most specific rate: the car's catalogue model,
else its series, else "any model"), plus a percentage of the car's margin (delivered price minus
dealer cost, never below zero); and per month, a bonus for the highest target tier the
salesperson reached (cars delivered in the month >= N). An open month is computed live
(``autocrm.commissions.computation``); a closed month is read from ``CommissionStatement`` and
its lines, so later plan edits do not change it.

Scoping: every row belongs to a dealer (``dealer``); statements are also owned by their
salesperson (a salesperson sees only their own, with ``owner_field="salesperson"``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.commissions.choices import MonthStatus, RateBasis
from autocrm.core.scoping import Scope, ScopedQuerySet, dealer_in_scope


def dealer_scope_filter(scope: Scope, field: str = "dealer") -> Q:
    return dealer_in_scope(scope, field)


class CommissionPlan(models.Model):
    """A dealer's commission plan, in force from ``valid_from`` to ``valid_to`` (inclusive; open
    ended when empty). At most one plan of a dealer is in force on any day (checked by
    ``commission_plan_create`` / ``_update`` under a lock on the dealer row)."""

    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.PROTECT,
        related_name="commission_plans",
    )
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Empty: in force until a newer plan.")
    )
    margin_percent = models.DecimalField(
        _("share of margin (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Percentage of each car's margin (delivered price minus dealer cost)."),
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        ordering = ["dealer", "-valid_from"]
        indexes = [models.Index(fields=["dealer", "valid_from"], name="commission_plan_dealer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="commission_plan_valid_range",
                violation_error_message=_("A plan cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(margin_percent__gte=0) & Q(margin_percent__lte=100),
                name="commission_plan_margin_percent_range",
                violation_error_message=_("The share of margin must be between 0 and 100 %."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commissions:plan_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope_filter(scope)


class CommissionRate(models.Model):
    """A fixed amount per car delivered under ``plan``: for one catalogue model, a series, or any
    model (``basis``); one rate per model, per series and one "any model" rate per plan."""

    plan = models.ForeignKey(
        CommissionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="rates"
    )
    basis = models.CharField(_("applies to"), max_length=8, choices=RateBasis.choices)
    vehicle_model = models.ForeignKey(
        "vehicles.VehicleModel",
        verbose_name=_("vehicle model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    series = models.CharField(_("series"), max_length=50, blank=True)
    amount = models.DecimalField(
        _("amount per car"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("per-car rate")
        verbose_name_plural = _("per-car rates")
        ordering = ["plan", "basis", "series", "vehicle_model"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="commission_rate_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(basis=RateBasis.MODEL, vehicle_model__isnull=False, series="")
                    | Q(basis=RateBasis.SERIES, vehicle_model__isnull=True) & ~Q(series="")
                    | Q(basis=RateBasis.ANY, vehicle_model__isnull=True, series="")
                ),
                name="commission_rate_basis_matches",
                violation_error_message=_(
                    "A model rate names a model, a series rate a series, an any-model rate neither."
                ),
            ),
            models.UniqueConstraint(
                fields=["plan", "vehicle_model"],
                condition=Q(basis=RateBasis.MODEL),
                name="commission_rate_one_per_model",
                violation_error_message=_("This plan already has a rate for this model."),
            ),
            models.UniqueConstraint(
                fields=["plan", "series"],
                condition=Q(basis=RateBasis.SERIES),
                name="commission_rate_one_per_series",
                violation_error_message=_("This plan already has a rate for this series."),
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(basis=RateBasis.ANY),
                name="commission_rate_one_any",
                violation_error_message=_("This plan already has an any-model rate."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_label()}: {self.amount}"

    def target_label(self) -> str:
        if self.basis == RateBasis.MODEL:
            return str(self.vehicle_model)
        if self.basis == RateBasis.SERIES:
            return str(_("Series %(series)s") % {"series": self.series})
        return str(_("Any model"))


class CommissionBonusTier(models.Model):
    """A target bonus: a salesperson with at least ``min_cars`` cars delivered in the month earns
    ``bonus``; of several tiers reached only the highest one pays."""

    plan = models.ForeignKey(
        CommissionPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="bonus_tiers",
    )
    min_cars = models.PositiveIntegerField(
        _("cars delivered in the month (at least)"), validators=[MinValueValidator(1)]
    )
    bonus = models.DecimalField(
        _("bonus"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("bonus tier")
        verbose_name_plural = _("bonus tiers")
        ordering = ["plan", "min_cars"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "min_cars"],
                name="commission_tier_unique_target",
                violation_error_message=_("This plan already has a tier for this many cars."),
            ),
            models.CheckConstraint(
                condition=Q(bonus__gte=0) & Q(min_cars__gte=1),
                name="commission_tier_valid",
                violation_error_message=_(
                    "A tier needs at least one car and a bonus of 0 or more."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_cars}: {self.bonus}"


class CommissionMonth(models.Model):
    """A dealer's month once someone closed it: ``closed`` while its statements are stored,
    ``open`` again after a manager reopened it (the statements are then dropped and the month is
    computed live until it is closed again). No row: open."""

    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.PROTECT,
        related_name="commission_months",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=8, choices=MonthStatus.choices, default=MonthStatus.CLOSED
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission month")
        verbose_name_plural = _("commission months")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "month"],
                name="commission_month_unique",
                violation_error_message=_("This dealer's month is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dealer} {self.month:%Y-%m}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope_filter(scope)


class CommissionStatement(models.Model):
    """One salesperson's stored commission for a closed month: the totals of its lines plus the
    target bonus (of the tiers of ``bonus_plan``)."""

    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # commission_statement_unique (dealer, month, salesperson) serves it
    )
    month = models.DateField(_("month"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="commission_statements",
    )
    cars = models.PositiveIntegerField(_("cars"))
    per_car_total = models.DecimalField(_("per-car amounts"), max_digits=12, decimal_places=2)
    margin_total = models.DecimalField(_("margin"), max_digits=12, decimal_places=2)
    margin_share_total = models.DecimalField(_("share of margin"), max_digits=12, decimal_places=2)
    bonus = models.DecimalField(_("bonus"), max_digits=12, decimal_places=2)
    bonus_plan = models.ForeignKey(
        CommissionPlan,
        verbose_name=_("bonus plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    bonus_tier_cars = models.PositiveIntegerField(_("bonus tier reached (cars)"), null=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        ordering = ["month", "salesperson"]
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "month", "salesperson"], name="commission_statement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.salesperson} {self.month:%Y-%m}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope_filter(scope)


class CommissionStatementLine(models.Model):
    """One car of a closed statement, as computed when the month was closed (copied values: the
    plan, rates and order may change later)."""

    statement = models.ForeignKey(
        CommissionStatement,
        verbose_name=_("statement"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    order_item = models.ForeignKey(
        "orders.VehicleOrderItem",
        verbose_name=_("order item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    order_number = models.CharField(_("order number"), max_length=20)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    vehicle_model_label = models.CharField(_("model"), max_length=255)
    delivered_on = models.DateField(_("delivered on"))
    price = models.DecimalField(_("delivered price"), max_digits=12, decimal_places=2)
    dealer_cost = models.DecimalField(_("dealer cost"), max_digits=12, decimal_places=2)
    margin = models.DecimalField(_("margin"), max_digits=12, decimal_places=2)
    plan = models.ForeignKey(
        CommissionPlan,
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    plan_name = models.CharField(_("plan"), max_length=100, blank=True)
    per_car_amount = models.DecimalField(_("per-car amount"), max_digits=12, decimal_places=2)
    margin_share = models.DecimalField(_("share of margin"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.order_number} {self.vin}"
