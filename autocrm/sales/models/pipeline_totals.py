"""The kanban's column totals per dealer and stage, kept as opportunities change.

Headquarters and region managers see tens of thousands of open opportunities; summing them on
every board took most of the page's time. One row per (dealer, stage) holds the number of
opportunities, their amount and their weighted amount (amount x probability, in per cent), so
a board sums at most a few thousand rows. ``Opportunity.save`` moves an opportunity's share
from its old row to its new one in the same transaction (``sales.pipeline_totals``); writes
that bypass ``save`` (the demo seeder's COPY) rebuild the table with one set-based statement.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from autocrm.core.scoping import Scope, ScopedQuerySet
from autocrm.sales.models.leads import dealer_scope


class PipelineTotal(models.Model):
    dealer = models.ForeignKey(
        "network.Dealer", verbose_name=_("dealer"), on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=16)
    opportunities = models.IntegerField(_("opportunities"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, default=0)
    # Sum of amount x probability: divide by 100 for the expected amount.
    weighted = models.DecimalField(
        _("weighted amount x 100"), max_digits=20, decimal_places=2, default=0
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pipeline total")
        verbose_name_plural = _("pipeline totals")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "stage"], name="pipeline_total_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dealer_id} {self.stage}: {self.opportunities}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        return dealer_scope(scope)
