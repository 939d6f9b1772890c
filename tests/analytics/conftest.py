"""A small funnel built by hand, with every figure known in advance.

March 2026 unless said otherwise (Asia/Shanghai noon), with each lead's status history:

| lead | dealer      | source     | path (days in the stage left)                          |
| L1   | east        | website    | new                                                    |
| L2   | east (own)  | website    | new 2 → contacted                                      |
| L3   | east other  | walk_in    | new 1 → contacted 4 → qualified                        |
| L4   | east (own)  | walk_in    | new 3 → contacted 2 → qualified 1 → converted; its     |
|      |             |            | opportunity: need 2 → test 1 → negotiation 4 → order   |
|      |             |            | 10 → delivery 5 → won (model X)                        |
| L5   | east        | referral   | new 1 → contacted 5 → qualified 3 → converted; its     |
|      |             |            | opportunity: need 2 → test 3 → negotiation 6 → lost    |
|      |             |            | "价格太高" (model X)                                   |
| L6   | east        | website    | new 2 → contacted 10 → lost "选择了竞品"               |
| L7   | east        | auto_show  | new 1 → lost "选择了竞品"                              |
| L8   | east        | walk_in    | new (April)                                            |
| L9   | west        | website    | new                                                    |
| L10  | east        | website    | new (January: outside the period)                      |
| L11  | (no dealer) | call_center| new                                                    |
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from autocrm.accounts.choices import Role
from autocrm.sales.models import (
    Lead,
    LeadStatusChange,
    Opportunity,
    OpportunityStageChange,
)
from tests.factories import UserFactory, VehicleModelFactory
from tests.sales.factories import LeadFactory

PERIOD = {"from_month": "2026-03", "to_month": "2026-04"}


@pytest.fixture(autouse=True)
def english(client: Any, settings: Any) -> Iterator[None]:
    """Pages in English, so assertions can quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    cache.clear()
    with translation.override("en"):
        yield


def moment(month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, 12, 0))


def _lead(
    *, dealer: Any, source: str, steps: list[tuple[str, datetime.datetime]], **extra: Any
) -> Lead:
    """A lead whose status history is ``steps`` (status, when); its status is the last one."""
    status = steps[-1][0]
    lead: Lead = LeadFactory(dealer=dealer, source=source, status=status, **extra)
    Lead.objects.filter(pk=lead.pk).update(created_at=steps[0][1])
    previous = ""
    for to_status, when in steps:
        LeadStatusChange.objects.create(
            lead=lead, from_status=previous, to_status=to_status, changed_at=when
        )
        previous = to_status
    lead.refresh_from_db()
    return lead


def _opportunity(lead: Lead, steps: list[tuple[str, datetime.datetime]], **extra: Any) -> Any:
    opportunity = Opportunity.objects.create(
        customer=lead.customer,
        lead=lead,
        dealer=lead.dealer,
        salesperson=lead.salesperson,
        vehicle_model=lead.vehicle_model,
        stage=steps[-1][0],
        stage_changed_at=steps[-1][1],
        **extra,
    )
    opportunity.number = f"O{opportunity.pk:09d}"
    opportunity.save(update_fields=["number"])
    previous, since = "", None
    for to_stage, when in steps:
        OpportunityStageChange.objects.create(
            opportunity=opportunity,
            from_stage=previous,
            to_stage=to_stage,
            changed_at=when,
            time_in_previous_stage=(when - since) if since else None,
        )
        previous, since = to_stage, when
    return opportunity


@pytest.fixture
def funnel(network: dict[str, Any], user_in: Any) -> dict[str, Any]:
    east, other, west = (
        network["east_dealer"],
        network["east_other_dealer"],
        network["west_dealer"],
    )
    own = user_in(Role.SALESPERSON, username="own")
    colleague = UserFactory(role=Role.SALESPERSON, dealer=east, username="colleague")
    model_x = VehicleModelFactory()
    m = moment
    leads = {
        "L1": _lead(dealer=east, source="website", steps=[("new", m(3, 1))], salesperson=colleague),
        "L2": _lead(
            dealer=east,
            source="website",
            steps=[("new", m(3, 2)), ("contacted", m(3, 4))],
            salesperson=own,
        ),
        "L3": _lead(
            dealer=other,
            source="walk_in",
            steps=[("new", m(3, 3)), ("contacted", m(3, 4)), ("qualified", m(3, 8))],
        ),
        "L4": _lead(
            dealer=east,
            source="walk_in",
            steps=[
                ("new", m(3, 5)),
                ("contacted", m(3, 8)),
                ("qualified", m(3, 10)),
                ("converted", m(3, 11)),
            ],
            salesperson=own,
            vehicle_model=model_x,
        ),
        "L5": _lead(
            dealer=east,
            source="referral",
            steps=[
                ("new", m(3, 6)),
                ("contacted", m(3, 7)),
                ("qualified", m(3, 12)),
                ("converted", m(3, 15)),
            ],
            salesperson=colleague,
            vehicle_model=model_x,
        ),
        "L6": _lead(
            dealer=east,
            source="website",
            steps=[("new", m(3, 7)), ("contacted", m(3, 9)), ("lost", m(3, 19))],
            lost_reason="选择了竞品",
            salesperson=colleague,
        ),
        "L7": _lead(
            dealer=east,
            source="auto_show",
            steps=[("new", m(3, 8)), ("lost", m(3, 9))],
            lost_reason="选择了竞品",
            salesperson=colleague,
        ),
        "L8": _lead(dealer=east, source="walk_in", steps=[("new", m(4, 10))]),
        "L9": _lead(dealer=west, source="website", steps=[("new", m(3, 9))]),
        "L10": _lead(dealer=east, source="website", steps=[("new", m(1, 20))]),
        "L11": _lead(dealer=None, source="call_center", steps=[("new", m(3, 10))]),
    }
    won = _opportunity(
        leads["L4"],
        [
            ("need_analysis", m(3, 11)),
            ("test_drive", m(3, 13)),
            ("negotiation", m(3, 14)),
            ("order", m(3, 18)),
            ("delivery", m(3, 28)),
            ("won", m(4, 2)),
        ],
    )
    lost = _opportunity(
        leads["L5"],
        [
            ("need_analysis", m(3, 15)),
            ("test_drive", m(3, 17)),
            ("negotiation", m(3, 20)),
            ("lost", m(3, 26)),
        ],
        lost_reason="价格太高",
    )
    return {
        **leads,
        "won": won,
        "lost": lost,
        "own": own,
        "model_x": model_x,
        "network": network,
    }
