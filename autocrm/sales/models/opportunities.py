"""Opportunities (a sale being worked, from the need analysis to the delivered car) and their
stage history.

Scoping: like leads, an opportunity belongs to its dealer; a salesperson sees their own
(``visible_to(owner_field="salesperson")``), a region manager the region's dealers', headquarters
all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet
from autocrm.sales.choices import OPEN_STAGES, OpportunityStage
from autocrm.sales.models.leads import dealer_scope

if TYPE_CHECKING:
    from autocrm.sales.pipeline_totals import Share


class Opportunity(models.Model):
    """A sale a salesperson works at a dealer: the car, the amount, how likely and when, and
    the stage it has reached. Written only by ``sales.services``; the number (O + the 9-digit
    key) is set in the creating transaction; ``version`` refuses an edit based on an old copy.
    ``stage_changed_at`` is when the current stage began (the kanban's "days in stage")."""

    number = models.CharField(_("opportunity number"), max_length=20, unique=True, null=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    lead = models.OneToOneField(
        "sales.Lead",
        verbose_name=_("lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunity",
    )
    dealer = models.ForeignKey(
        "network.Dealer",
        verbose_name=_("dealer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    vehicle_model = models.ForeignKey(
        "vehicles.VehicleModel",
        verbose_name=_("model and configuration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stage = models.CharField(
        _("stage"),
        max_length=16,
        choices=OpportunityStage.choices,
        default=OpportunityStage.NEED_ANALYSIS,
    )
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    trade_in_vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        verbose_name=_("trade-in vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    trade_in_description = models.CharField(_("trade-in description"), max_length=200, blank=True)
    trade_in_value = models.DecimalField(
        _("trade-in estimated value (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    lost_reason = models.CharField(_("reason lost"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    stage_changed_at = models.DateTimeField(_("in this stage since"))
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-id"]
        # The kanban reads each column by (dealer or salesperson, stage), longest in the stage
        # first (keyset on stage_changed_at, id), and sums each column from the same index
        # (amount and probability included: an index-only scan on PostgreSQL); the 360 panel
        # reads by customer.
        indexes = [
            models.Index(
                fields=["dealer", "stage", "stage_changed_at", "id"],
                include=["amount", "probability"],
                name="opp_dealer_stage_idx",
            ),
            models.Index(
                fields=["salesperson", "stage", "stage_changed_at", "id"],
                include=["amount", "probability"],
                name="opp_salesperson_stage_idx",
            ),
            models.Index(
                fields=["stage", "stage_changed_at", "id"],
                include=["amount", "probability"],
                name="opp_stage_idx",
            ),
            models.Index(fields=["customer", "-id"], name="opp_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="opp_probability_at_most_100"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="opp_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("new opportunity"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        from autocrm.sales.pipeline_totals import Share, move

        with transaction.atomic():
            if self._state.adding:
                before = None
            elif hasattr(self, "_stored_share"):
                before = self._stored_share
            else:  # read with some of the share's fields deferred
                before = Share.of(Opportunity.objects.only(*self._SHARE_FIELDS).get(pk=self.pk))
            super().save(*args, **kwargs)
            after = Share.of(self)
            move(before, after)
            self._stored_share = after

    def get_absolute_url(self) -> str:
        return reverse("sales:opportunity_detail", args=[self.pk])

    # The (dealer, stage) share this row had when it was read, so that saving it moves the
    # share in ``PipelineTotal`` (``sales.pipeline_totals``) within the same transaction.
    _SHARE_FIELDS = frozenset({"dealer_id", "stage", "amount", "probability"})
    _stored_share: Share | None

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Opportunity:
        instance = super().from_db(db, field_names, values)
        if cls._SHARE_FIELDS.issubset(field_names):
            from autocrm.sales.pipeline_totals import Share

            instance._stored_share = Share.of(instance)
        return instance

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def days_in_stage(self) -> int:
        return max(0, (timezone.now() - self.stage_changed_at).days)

    @property
    def weighted_amount(self) -> object:
        return (self.amount or 0) * self.probability / 100

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope)


class OpportunityStageChange(models.Model):
    """One step of an opportunity's stage: from which stage to which, when, by whom, and how
    long it had been in the stage it left. The first row has an empty ``from_stage`` and no
    duration. The funnel report reads these rows; never changed after it is written."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(
        _("from stage"), max_length=16, choices=OpportunityStage.choices, blank=True
    )
    to_stage = models.CharField(_("to stage"), max_length=16, choices=OpportunityStage.choices)
    changed_at = models.DateTimeField(_("when"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    time_in_previous_stage = models.DurationField(
        _("time in the previous stage"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("opportunity stage change")
        verbose_name_plural = _("opportunity stage changes")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="opp_stage_change_idx")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"

    @property
    def previous_stage_days(self) -> int:
        if self.time_in_previous_stage is None:
            return 0
        return self.time_in_previous_stage.days
