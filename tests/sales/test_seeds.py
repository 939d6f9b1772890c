"""The sales demo data: leads with their status steps, opportunities from converted leads with
their stage history, quotes whose totals are their lines' sums."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Sum

from autocrm.sales.models import Lead, LeadStatusChange, Opportunity, OpportunityStageChange, Quote

pytestmark = pytest.mark.django_db


def test_small_seed_is_consistent() -> None:
    call_command("seed_demo", scale="small", seed=7, stdout=io.StringIO())
    opportunities = list(Opportunity.objects.select_related("lead"))
    assert len(opportunities) == 30
    assert {o.lead.status for o in opportunities} == {"converted"}
    assert all(o.lead.customer_id == o.customer_id for o in opportunities)
    assert Opportunity.objects.filter(stage__in=["need_analysis", "test_drive"]).exists()
    # every lead's steps end at its status, one row per step
    steps = {
        row["lead_id"]: row["count"]
        for row in LeadStatusChange.objects.values("lead_id").annotate(count=Count("id"))
    }
    order = {"new": 1, "contacted": 2, "qualified": 3, "converted": 4}
    for lead in Lead.objects.all():
        assert steps[lead.pk] == order[lead.status], lead.number
        last = lead.status_changes.order_by("-changed_at", "-id").first()
        assert last is not None and last.to_status == lead.status
    for opportunity in opportunities:
        rows = list(opportunity.stage_changes.order_by("changed_at", "id"))
        assert rows[0].from_stage == "" and rows[0].time_in_previous_stage is None
        assert rows[-1].to_stage == opportunity.stage
        assert opportunity.stage_changed_at == rows[-1].changed_at
        assert all(a.to_stage == b.from_stage for a, b in itertools.pairwise(rows))
    assert OpportunityStageChange.objects.aggregate(m=Max("changed_at"))["m"] is not None
    for quote in Quote.objects.annotate(total=Sum("lines__gross")):
        assert quote.total == quote.gross_total
        assert quote.gross_total > Decimal("0")
        assert quote.net_total + quote.tax_total == quote.gross_total
