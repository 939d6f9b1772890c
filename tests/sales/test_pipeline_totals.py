"""The kanban's column totals kept per dealer and stage (``PipelineTotal``): every way an
opportunity changes moves its share, so the kept totals always equal a fresh sum; boards of
headquarters and region managers read them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum

from autocrm.accounts.choices import Role
from autocrm.sales import pipeline, pipeline_totals, services
from autocrm.sales.models import Opportunity, PipelineTotal
from autocrm.sales.services.opportunities import opportunity_advance_system
from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def _fresh() -> dict[tuple[int, str], tuple[int, Decimal, Decimal]]:
    weighted = ExpressionWrapper(
        F("amount") * F("probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    rows = (
        Opportunity.objects.values("dealer_id", "stage")
        .annotate(n=Count("id"), total=Sum("amount"), weighted=Sum(weighted))
        .order_by()
    )
    return {
        (row["dealer_id"], row["stage"]): (
            row["n"],
            Decimal(row["total"]).quantize(Decimal("0.01")),
            Decimal(row["weighted"]).quantize(Decimal("0.01")),
        )
        for row in rows
    }


def _kept() -> dict[tuple[int, str], tuple[int, Decimal, Decimal]]:
    return {
        (row.dealer_id, row.stage): (
            row.opportunities,
            Decimal(row.amount).quantize(Decimal("0.01")),
            Decimal(row.weighted).quantize(Decimal("0.01")),
        )
        for row in PipelineTotal.objects.all()
        if row.opportunities
    }


def test_every_change_of_an_opportunity_moves_its_share(user_in: Any, network: dict) -> None:
    seller = user_in(Role.SALESPERSON, username="seller")
    manager = user_in(Role.DEALER_MANAGER, username="boss")
    first = services.opportunity_create(
        actor=seller, customer=CustomerFactory(), data={"amount": Decimal("180000")}
    )
    second = services.opportunity_create(
        actor=seller, customer=CustomerFactory(), data={"amount": Decimal("99999.99")}
    )
    assert (
        _kept()
        == _fresh()
        == {
            (network["east_dealer"].pk, "need_analysis"): (
                2,
                Decimal("279999.99"),
                Decimal("2799999.90"),
            )
        }
    )
    services.opportunity_change_stage(actor=seller, opportunity=first, stage="test_drive")
    services.opportunity_update(actor=seller, opportunity=second, data={"amount": "150000"})
    services.opportunity_change_stage(
        actor=manager, opportunity=second, stage="lost", lost_reason="买了别家"
    )
    opportunity_advance_system(first.pk, to=("negotiation", "order"))
    OpportunityFactory(dealer=network["west_dealer"], amount=Decimal("50000"), probability=40)
    assert _kept() == _fresh()
    assert _kept()[(network["east_dealer"].pk, "order")] == (
        1,
        Decimal("180000.00"),
        Decimal("180000.00") * 80,  # the order stage's probability
    )
    assert (network["east_dealer"].pk, "need_analysis") not in _kept()


def test_a_change_read_with_deferred_fields_still_moves_the_share(network: dict) -> None:
    opportunity = OpportunityFactory(dealer=network["east_dealer"], amount=Decimal("1000"))
    partial = Opportunity.objects.only("id", "notes").get(pk=opportunity.pk)
    partial.stage = "test_drive"
    partial.save()
    assert _kept() == _fresh()


def test_rebuild_recomputes_every_row_from_the_opportunities(network: dict) -> None:
    for amount in (1000, 2000, 3000):
        OpportunityFactory(dealer=network["east_dealer"], amount=Decimal(amount))
    OpportunityFactory(dealer=network["west_dealer"], stage="won", probability=100)
    Opportunity.objects.update(amount=Decimal("5.55"))  # a bulk write that bypasses save
    assert _kept() != _fresh()
    pipeline_totals.rebuild()
    assert _kept() == _fresh()


def test_boards_of_headquarters_and_regions_read_the_kept_totals(
    user_in: Any, network: dict, django_assert_max_num_queries: Any
) -> None:
    OpportunityFactory(dealer=network["east_dealer"], amount=Decimal("100000"), probability=10)
    OpportunityFactory(dealer=network["east_other_dealer"], amount=Decimal("300000"))
    OpportunityFactory(dealer=network["west_dealer"], amount=Decimal("700000"))
    analyst = user_in(Role.ANALYST, username="hq")
    region = user_in(Role.REGION_MANAGER, username="east_boss")

    def first_column(user: Any, **filters: Any) -> tuple[int, Decimal, Decimal]:
        column = pipeline.pipeline_board(user, pipeline.PipelineFilters(**filters))[0]
        return column.count, column.amount, column.weighted

    assert first_column(analyst) == (3, Decimal("1100000"), Decimal("110000.00"))
    assert first_column(region) == (2, Decimal("400000"), Decimal("40000.00"))
    assert first_column(region, dealer_id=network["east_other_dealer"].pk) == (
        1,
        Decimal("300000"),
        Decimal("30000.00"),
    )
    # Out of scope: a region manager naming another region's dealer sees nothing.
    assert first_column(region, dealer_id=network["west_dealer"].pk)[0] == 0
