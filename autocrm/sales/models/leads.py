"""Leads (the first contact of a possible sale), their assignment history and loss approvals,
and the routing set-up of dealers (territories and the salesperson rule).

Scoping: a lead belongs to its owner dealer; dealer staff see their dealer's leads (a
salesperson only their own, through ``visible_to(owner_field="salesperson")``), a region manager
those of the dealers in the region's subtree, headquarters all, including leads no territory
matched (no dealer yet).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet, dealer_in_scope
from autocrm.customers.choices import CustomerKind
from autocrm.sales.choices import (
    OPEN_STATUSES,
    AssignmentRule,
    LeadGrade,
    LeadSource,
    LeadStatus,
    LossDecision,
    PurchaseTimeframe,
    Qualification,
)


def dealer_scope(scope: Scope, dealer_field: str = "dealer") -> Q:
    return dealer_in_scope(scope, dealer_field)


def _qualification(label: Any) -> models.CharField:
    return models.CharField(
        label, max_length=8, choices=Qualification.choices, default=Qualification.UNKNOWN
    )


class Lead(models.Model):
    """A person or company who may buy a car: where they came from, what they want, how soon,
    how qualified, and who at which dealer works them. Written only by ``sales.services``; the
    number (L + the 9-digit key) is set in the creating transaction. ``version`` refuses an edit
    based on an old copy. At most one open lead per customer and dealer."""

    number = models.CharField(_("lead number"), max_length=20, unique=True, null=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.INDIVIDUAL
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    city = models.ForeignKey(
        "network.Region",
        verbose_name=_("city"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    vehicle_model = models.ForeignKey(
        "vehicles.VehicleModel",
        verbose_name=_("model of interest"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    configuration = models.CharField(_("configuration wanted"), max_length=200, blank=True)
    budget = models.DecimalField(
        _("budget (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    timeframe = models.CharField(
        _("purchase timeframe"), max_length=16, choices=PurchaseTimeframe.choices
    )
    money = _qualification(_("money"))
    money_note = models.CharField(_("money note"), max_length=200, blank=True)
    authority = _qualification(_("authority"))
    authority_note = models.CharField(_("authority note"), max_length=200, blank=True)
    need = _qualification(_("need"))
    need_note = models.CharField(_("need note"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=LeadGrade.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    lost_reason = models.CharField(_("reason lost"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="leads",
    )
    # The public web form's own id of a submission: sending it again changes nothing.
    submission_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-id"]
        # The list pages and the API page newest first (-id) within what the user sees: a
        # salesperson's own, a dealer's (optionally by status), everything by status.
        indexes = [
            models.Index(fields=["salesperson", "-id"], name="lead_salesperson_idx"),
            models.Index(fields=["dealer", "status", "-id"], name="lead_dealer_status_idx"),
            models.Index(fields=["status", "-id"], name="lead_status_idx"),
            models.Index(fields=["customer", "-id"], name="lead_customer_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "dealer"],
                condition=Q(status__in=OPEN_STATUSES),
                name="lead_one_open_per_customer_dealer",
                violation_error_message=_("This customer already has an open lead at this dealer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:lead_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope)


class LeadAssignment(models.Model):
    """One step of a lead's assignment history: from which dealer and salesperson to which,
    by whom (empty: the routing itself), when and why. Never changed after it is written."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    from_dealer = models.ForeignKey(
        "network.Dealer", on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_dealer = models.ForeignKey(
        "network.Dealer", on_delete=models.PROTECT, null=True, related_name="+"
    )
    from_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["-assigned_at", "-id"]
        indexes = [models.Index(fields=["lead", "-id"], name="lead_assignment_lead_idx")]

    def __str__(self) -> str:
        return self.reason


class LeadLossRequest(models.Model):
    """A request to close a lead as lost, with the reason, and the manager's decision. At most
    one request per lead awaits a decision."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="loss_requests")
    reason = models.CharField(_("reason lost"), max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=LossDecision.choices, default=LossDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("loss request")
        verbose_name_plural = _("loss requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(decision=LossDecision.PENDING),
                name="lead_one_pending_loss_request",
                violation_error_message=_("A loss request for this lead awaits a decision."),
            ),
        ]

    def __str__(self) -> str:
        return self.reason


class Territory(models.Model):
    """Part of a dealer's sales territory: a province or a city, optionally narrowed to the
    postcodes starting with ``postcode_prefix``. Routing prefers the most specific match."""

    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.CASCADE,
        related_name="territories",
    )
    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("province or city"),
        on_delete=models.PROTECT,
        related_name="territories",
    )
    postcode_prefix = models.CharField(_("postcode prefix"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["dealer", "region", "postcode_prefix"]
        # Routing looks territories up by region (index below); the unique constraint keeps a
        # dealer from holding the same one twice.
        indexes = [models.Index(fields=["region", "dealer"], name="territory_region_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "region", "postcode_prefix"],
                name="territory_unique_per_dealer",
                violation_error_message=_("The dealer already has this territory."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.postcode_prefix}".strip()

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope)


class DealerLeadRule(models.Model):
    """How a dealer hands routed leads to salespeople; ``last_salesperson`` is the round robin's
    position (the next lead goes to the salesperson after them)."""

    dealer = models.OneToOneField(
        "network.Dealer", on_delete=models.CASCADE, related_name="lead_rule"
    )
    rule = models.CharField(
        _("assignment rule"),
        max_length=16,
        choices=AssignmentRule.choices,
        default=AssignmentRule.ROUND_ROBIN,
    )
    last_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead assignment rule")
        verbose_name_plural = _("lead assignment rules")

    def __str__(self) -> str:
        return str(self.get_rule_display())

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope)


class LeadStatusChange(models.Model):
    """One step of a lead's status: from which status to which, when and by whom. The first
    row of a lead has an empty ``from_status``. The funnel report reads the time spent in each
    status from these rows; never changed after it is written."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("from status"), max_length=16, choices=LeadStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=LeadStatus.choices)
    changed_at = models.DateTimeField(_("when"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lead status change")
        verbose_name_plural = _("lead status changes")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["lead", "changed_at"], name="lead_status_change_idx")]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
