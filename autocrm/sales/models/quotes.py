"""Quotes: what a dealer offers a customer for an opportunity, line by line, with totals.

A quote is revised by copying it to a new revision (the same number, ``revision`` + 1) and
superseding the old one, so what the customer was sent is never changed afterwards. Scoped like
its opportunity (by dealer; a salesperson sees the quotes of their own opportunities).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet
from autocrm.sales.choices import QuoteLineKind, QuoteStatus
from autocrm.sales.models.leads import dealer_scope

DEFAULT_TAX_RATE = Decimal("0.13")


def _money(label: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=0)


class Quote(models.Model):
    """One revision of a quote. Totals are computed by ``sales.services.quotes`` from the lines
    (each line rounded half up to the fen) and stored. Only a draft's lines change; a sent quote
    is accepted, rejected or revised. Accepting it creates the vehicle order."""

    number = models.CharField(_("quote number"), max_length=20, null=True, blank=True)
    revision = models.PositiveSmallIntegerField(_("version number"), default=1)
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    dealer = models.ForeignKey(
        "network.Dealer", verbose_name=_("dealer"), on_delete=models.PROTECT, related_name="quotes"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    valid_until = models.DateField(_("valid until"))
    notes = models.TextField(_("notes"), blank=True)
    net_total = _money(_("net total"))
    tax_total = _money(_("tax"))
    gross_total = _money(_("total including tax"))
    vehicle_order = models.OneToOneField(
        "orders.VehicleOrder",
        verbose_name=_("vehicle order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["opportunity", "-id"], name="quote_opportunity_idx"),
            models.Index(fields=["dealer", "-id"], name="quote_dealer_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "revision"],
                name="quote_number_revision_unique",
                violation_error_message=_("This quote already has this version."),
            ),
        ]

    def __str__(self) -> str:
        if not self.number:
            return str(_("new quote"))
        return f"{self.number}-{self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("sales:quote_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == QuoteStatus.DRAFT

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope)


class QuoteLine(models.Model):
    """One line of a quote: a car's configuration, an option, an accessory, an extended
    warranty, insurance or a discount. The unit price is before tax and never negative; a
    discount carries a positive amount that is subtracted. ``net``, ``tax`` and ``gross`` are
    the line's amounts with the sign applied, rounded half up to the fen."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=16, choices=QuoteLineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    unit_price = models.DecimalField(
        _("unit price before tax"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    tax_rate = models.DecimalField(
        _("tax rate"),
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_TAX_RATE,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    net = _money(_("net"))
    tax = _money(_("tax"))
    gross = _money(_("gross"))

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="quote_line_quantity_min_1"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="quote_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.description
