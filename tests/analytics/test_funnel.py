"""The funnel's figures on the hand-built dataset (tests/analytics/conftest.py): exact counts,
rates and days, each filter, the groupings, and what each role's scope lets it count."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.analytics.funnel import FunnelFilters, funnel_report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARCH, APRIL = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
STEPS = [
    "new",
    "contacted",
    "qualified",
    "converted",
    "need_analysis",
    "test_drive",
    "negotiation",
    "order",
    "delivery",
    "won",
]


def report(user: Any, **filters: Any) -> dict[str, Any]:
    return funnel_report(user, FunnelFilters(start=MARCH, end=APRIL, **filters))


def reached(result: dict[str, Any]) -> list[int]:
    return [stage["reached"] for stage in result["stages"]]


def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in rows}


@pytest.fixture
def analyst(user_in: Any) -> Any:
    return user_in(Role.ANALYST)


def test_headquarters_sees_every_lead_of_the_period_reach_each_stage(
    funnel: dict, analyst: Any
) -> None:
    result = report(analyst)

    assert [stage["key"] for stage in result["stages"]] == STEPS
    # L10 (January) is outside the period; the unrouted L11 counts.
    assert reached(result) == [10, 5, 3, 2, 2, 2, 2, 1, 1, 1]
    assert [stage["percent_of_previous"] for stage in result["stages"]] == [
        None, 50.0, 60.0, 66.7, 100.0, 100.0, 100.0, 50.0, 100.0, 100.0,
    ]  # fmt: skip
    assert [stage["percent_of_leads"] for stage in result["stages"]] == [
        100.0, 50.0, 30.0, 20.0, 20.0, 20.0, 20.0, 10.0, 10.0, 10.0,
    ]  # fmt: skip
    assert result["summary"] == {
        "leads": 10,
        "converted": 2,
        "won": 1,
        "converted_percent": 20.0,
        "won_percent": 10.0,
    }
    phases = [stage["phase"] for stage in result["stages"]]
    assert phases == ["lead"] * 4 + ["opportunity"] * 6


def test_a_lost_lead_counts_up_to_the_furthest_status_its_history_shows(
    funnel: dict, analyst: Any
) -> None:
    # L6 was contacted before it was lost, L7 never: only L6 adds to "contacted".
    result = report(analyst, source="website")
    assert reached(result)[:2] == [4, 2]  # L1, L2, L6, L9; L2 and L6 contacted
    auto_show = report(analyst, source="auto_show")
    assert reached(auto_show)[:2] == [1, 0]


def test_a_lost_opportunity_counts_up_to_the_stage_it_was_lost_in(
    funnel: dict, analyst: Any
) -> None:
    result = report(analyst, source="referral")  # L5, lost in negotiation
    assert reached(result) == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]


def test_leads_in_by_source_with_their_conversions(funnel: dict, analyst: Any) -> None:
    sources = by_key(report(analyst)["sources"])

    assert list(sources) == [
        "call_center", "website", "auto_show", "event", "referral", "walk_in", "campaign",
        "purchased_list",
    ]  # fmt: skip
    counts = {key: (row["leads"], row["converted"], row["won"]) for key, row in sources.items()}
    assert counts == {
        "call_center": (1, 0, 0),
        "website": (4, 0, 0),
        "auto_show": (1, 0, 0),
        "event": (0, 0, 0),
        "referral": (1, 1, 0),
        "walk_in": (3, 1, 1),
        "campaign": (0, 0, 0),
        "purchased_list": (0, 0, 0),
    }
    assert sources["walk_in"]["converted_percent"] == 33.3
    assert sources["event"]["converted_percent"] is None
    assert sources["website"]["label"] == "Website form"


def test_time_per_stage_average_and_median_days(funnel: dict, analyst: Any) -> None:
    times = {
        row["key"]: (row["stays"], row["average_days"], row["median_days"])
        for row in report(analyst)["time_in_stage"]
    }
    assert times == {
        # new: 2, 1, 3, 1, 2 and 1 (L7, new to lost)
        "new": (6, 1.67, 1.5),
        # contacted: 4, 2, 5, 10 (L6, contacted to lost)
        "contacted": (4, 5.25, 4.5),
        "qualified": (2, 2.0, 2.0),
        "need_analysis": (2, 2.0, 2.0),
        "test_drive": (2, 2.0, 2.0),
        "negotiation": (2, 5.0, 5.0),  # 4, and 6 until lost
        "order": (1, 10.0, 10.0),
        "delivery": (1, 5.0, 5.0),  # 28 March to 2 April
    }


def test_the_median_of_an_odd_number_of_stays_is_the_middle_one(funnel: dict, analyst: Any) -> None:
    # Dealer east: new stays of L2 (2), L4 (3), L5 (1), L6 (2), L7 (1) -> 1, 1, 2, 2, 3.
    times = by_key(report(analyst, dealer=funnel["network"]["east_dealer"])["time_in_stage"])
    assert (times["new"]["stays"], times["new"]["median_days"]) == (5, 2.0)
    assert times["new"]["average_days"] == 1.8


def test_lost_reasons_of_leads_and_opportunities_most_frequent_first(
    funnel: dict, analyst: Any
) -> None:
    result = report(analyst)
    assert result["lost_reasons"] == {
        "leads": [{"reason": "选择了竞品", "count": 2}],
        "opportunities": [{"reason": "价格太高", "count": 1}],
    }


def test_top_limits_the_lost_reasons(funnel: dict, analyst: Any) -> None:
    from autocrm.sales.models import Lead

    Lead.objects.filter(pk=funnel["L6"].pk).update(lost_reason="预算不足")
    assert report(analyst, top=1)["lost_reasons"]["leads"] == [{"reason": "选择了竞品", "count": 1}]
    two = report(analyst, top=2)["lost_reasons"]["leads"]
    # Equal counts: alphabetical by reason.
    assert [row["reason"] for row in two] == sorted(["选择了竞品", "预算不足"])


def test_by_month_covers_every_month_of_the_period(funnel: dict, analyst: Any) -> None:
    months = report(analyst)["months"]
    assert [(m["month"], m["leads"], m["converted"], m["won"]) for m in months] == [
        ("2026-03", 9, 2, 1),
        ("2026-04", 1, 0, 0),
    ]
    wider = funnel_report(
        analyst, FunnelFilters(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 4, 1))
    )
    assert [(m["month"], m["leads"]) for m in wider["months"]] == [
        ("2026-01", 1), ("2026-02", 0), ("2026-03", 9), ("2026-04", 1),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"source": "website"}, 4),
        ({"source": "walk_in"}, 3),
        ({"group_by": "month"}, 10),
    ],
)
def test_simple_filters_narrow_the_leads(
    funnel: dict, analyst: Any, filters: dict, expected: int
) -> None:
    assert report(analyst, **filters)["summary"]["leads"] == expected


def test_dealer_region_and_model_filters(funnel: dict, analyst: Any) -> None:
    network = funnel["network"]
    assert report(analyst, dealer=network["east_dealer"])["summary"]["leads"] == 7
    assert report(analyst, region=network["east"]["area"])["summary"]["leads"] == 8
    assert report(analyst, region=network["west"]["city"])["summary"]["leads"] == 1
    by_model = report(analyst, vehicle_model=funnel["model_x"])
    assert reached(by_model) == [2, 2, 2, 2, 2, 2, 2, 1, 1, 1]


def test_a_period_with_no_leads_gives_zeros_and_no_rates(funnel: dict, analyst: Any) -> None:
    result = funnel_report(
        analyst, FunnelFilters(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 2, 1))
    )
    assert reached(result) == [0] * 10
    assert {stage["percent_of_previous"] for stage in result["stages"]} == {None}
    assert result["lost_reasons"] == {"leads": [], "opportunities": []}
    assert {row["stays"] for row in result["time_in_stage"]} == {0}


def test_group_by_dealer(funnel: dict, analyst: Any) -> None:
    network = funnel["network"]
    groups = report(analyst, group_by="dealer")["groups"]
    assert [(g["label"], g["leads"], g["converted"], g["won"]) for g in groups] == [
        (f"{network['east_dealer'].name} ({network['east_dealer'].code})", 7, 2, 1),
        # equal counts: by label
        *sorted(
            [
                ("No dealer yet", 1, 0, 0),
                (f"{network['east_other_dealer'].name} ({network['east_other_dealer'].code})",
                 1, 0, 0),
                (f"{network['west_dealer'].name} ({network['west_dealer'].code})", 1, 0, 0),
            ]
        ),
    ]  # fmt: skip
    east = groups[0]
    assert east["counts"] == [7, 4, 2, 2, 2, 2, 2, 1, 1, 1]


def test_group_by_region_rolls_cities_up_to_the_level_in_view(
    funnel: dict, analyst: Any, user_in: Any
) -> None:
    network = funnel["network"]
    areas = report(analyst, group_by="region")["groups"]
    assert [(g["label"], g["leads"]) for g in areas] == [
        (network["east"]["area"].name, 8),
        *sorted([(network["west"]["area"].name, 1), ("No dealer yet", 1)]),
    ]
    # A region manager of the east area sees its provinces; a province filter shows cities.
    manager = user_in(Role.REGION_MANAGER)
    provinces = report(manager, group_by="region")["groups"]
    assert [(g["label"], g["leads"]) for g in provinces] == [(network["east"]["province"].name, 8)]
    cities = report(analyst, group_by="region", region=network["east"]["province"])["groups"]
    assert [(g["label"], g["leads"]) for g in cities] == [(network["east"]["city"].name, 8)]


def test_group_by_month(funnel: dict, analyst: Any) -> None:
    groups = report(analyst, group_by="month")["groups"]
    assert [(g["label"], g["leads"], g["won"]) for g in groups] == [
        ("2026-03", 9, 1),
        ("2026-04", 1, 0),
    ]


# role -> (leads counted, converted, won)
MATRIX = {
    Role.ADMINISTRATOR: (10, 2, 1),
    Role.ANALYST: (10, 2, 1),
    Role.MARKETING: (10, 2, 1),
    Role.CALL_CENTER_AGENT: (10, 2, 1),
    Role.REGION_MANAGER: (8, 2, 1),  # the east area: both east dealers
    Role.DEALER_MANAGER: (7, 2, 1),  # the east dealer
    Role.SALESPERSON: (2, 1, 1),  # their own: L2 and L4
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_counts_exactly_the_leads_it_sees(role: str, funnel: dict, user_in: Any) -> None:
    user = funnel["own"] if role == Role.SALESPERSON else user_in(role)
    summary = report(user)["summary"]
    assert (summary["leads"], summary["converted"], summary["won"]) == MATRIX[role]


def test_out_of_scope_staff_count_only_their_own_side(funnel: dict, user_in: Any) -> None:
    west_manager = user_in(Role.DEALER_MANAGER, where="west")
    result = report(west_manager)
    assert result["summary"]["leads"] == 1
    assert result["lost_reasons"] == {"leads": [], "opportunities": []}
    assert {row["stays"] for row in result["time_in_stage"]} == {0}
    west_region = user_in(Role.REGION_MANAGER, where="west")
    assert report(west_region)["summary"]["leads"] == 1


def test_a_salespersons_times_come_from_their_own_leads_only(funnel: dict) -> None:
    times = by_key(report(funnel["own"])["time_in_stage"])
    # new: L2 2 days, L4 3 days.
    assert (times["new"]["stays"], times["new"]["average_days"]) == (2, 2.5)
    assert times["negotiation"]["stays"] == 1


def test_users_without_a_scope_count_nothing(funnel: dict, network: dict) -> None:
    unplaced = UserFactory(role=Role.DEALER_MANAGER, dealer=None)
    assert report(unplaced)["summary"]["leads"] == 0


def reads(captured: CaptureQueriesContext) -> int:
    """The statements that read (PostgreSQL's SET LOCAL and the transaction left out)."""
    return sum(query["sql"].lstrip().startswith(("SELECT", "WITH")) for query in captured)


def test_the_report_costs_a_fixed_number_of_queries(funnel: dict, analyst: Any) -> None:
    with CaptureQueriesContext(connection) as plain:
        report(analyst)
    with CaptureQueriesContext(connection) as grouped:
        report(analyst, group_by="region")
    # stage counts per month and source, two time-per-stage windows, two lost-reason lists
    assert reads(plain) == 5
    # plus the months pass, and the region rollup's cities and names
    assert reads(grouped) == 8


def test_a_report_is_reused_for_the_same_scope_filters_and_language(
    funnel: dict, analyst: Any, user_in: Any
) -> None:
    from autocrm.sales.models import Lead

    first = report(analyst)
    Lead.objects.filter(pk=funnel["L1"].pk).update(source="event")
    with CaptureQueriesContext(connection) as again:
        second = report(analyst)
    assert reads(again) == 0
    assert second == first
    assert by_key(second["sources"])["event"]["leads"] == 0
    # Asked fresh, it is computed again (and kept).
    fresh = funnel_report(analyst, FunnelFilters(start=MARCH, end=APRIL), fresh=True)
    assert by_key(fresh["sources"])["event"]["leads"] == 1
    assert fresh["computed_at"] >= first["computed_at"]
    assert by_key(report(analyst)["sources"])["event"]["leads"] == 1
    # Another scope never gets these figures.
    assert report(user_in(Role.DEALER_MANAGER))["summary"]["leads"] == 7
    # Nor another language (the labels are translated).
    from django.utils import translation

    with translation.override("zh-hans"):
        chinese = report(analyst)
    assert chinese["stages"][0]["label"] != first["stages"][0]["label"]
