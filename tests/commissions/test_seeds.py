"""The demo data: plans for every dealer, and closed months that equal the live computation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from autocrm.commissions.choices import MonthStatus
from autocrm.commissions.computation import month_totals
from autocrm.commissions.models import CommissionMonth, CommissionPlan, CommissionStatement
from autocrm.network.models import Dealer

pytestmark = pytest.mark.django_db


def test_the_small_demo_has_plans_and_closed_months_matching_the_deliveries(db: Any) -> None:
    call_command("seed_demo", scale="small", seed=7, stdout=io.StringIO())

    dealers = Dealer.objects.count()
    assert CommissionPlan.objects.count() >= dealers
    # One plan in force per dealer on any day: the two versions meet at the new year.
    for dealer_id in CommissionPlan.objects.values_list("dealer_id", flat=True).distinct()[:5]:
        plans = list(CommissionPlan.objects.filter(dealer_id=dealer_id).order_by("valid_from"))
        assert len(plans) == 2
        assert plans[0].valid_to is not None and plans[0].valid_to < plans[1].valid_from
        assert plans[1].valid_to is None
        assert plans[1].rates.filter(basis="any").count() == 1
        assert plans[1].bonus_tiers.count() == 3
    closed = list(CommissionMonth.objects.select_related("dealer"))
    assert closed and all(month.status == MonthStatus.CLOSED for month in closed)
    for month in closed:
        stored = {
            s.salesperson_id: s.total
            for s in CommissionStatement.objects.filter(dealer=month.dealer, month=month.month)
        }
        live = {row.salesperson_id: row.total for row in month_totals(month.dealer, month.month)}
        assert stored == live
