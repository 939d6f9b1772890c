"""The funnel page, its CSV export and the API: same figures, same filters, same refusals;
who may open them; the chart data on the page; the menu entry."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrm.accounts.choices import Role
from autocrm.sales.models import Lead
from tests.analytics.conftest import PERIOD

PAGE = "/analytics/funnel/"
CSV = "/analytics/funnel/export.csv"
API = "/api/v1/analytics/funnel"
pytestmark = pytest.mark.django_db


def chart_data(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script id="funnel-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page carries the chart data"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def csv_rows(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# -- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_charts_data_and_the_same_numbers_in_tables(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    response = client_as(user_in(Role.ANALYST)).get(PAGE, PERIOD)

    assert response.status_code == 200
    html = response.content.decode()
    data = chart_data(html)
    assert [stage["value"] for stage in data["stages"]] == [10, 5, 3, 2, 2, 2, 2, 1, 1, 1]
    assert data["stages"][0] == {"name": "New", "value": 10, "phase": "lead"}
    assert data["stages"][4]["name"] == "Need analysis"
    assert data["months"] == {
        "labels": ["2026-03", "2026-04"],
        "leads": [9, 1],
        "converted": [2, 0],
        "won": [1, 0],
    }
    assert data["sources"]["labels"][1] == "Website form"
    assert data["sources"]["leads"][1] == 4
    assert data["lost"]["leads"] == [{"reason": "选择了竞品", "count": 2}]
    assert data["names"]["won"] == "Won"
    # The tables carry the same figures.
    assert re.search(r'data-stage="contacted">.*?<td class="text-end">5</td>\s*'
                     r'<td class="text-end">50.0 %</td>', html, re.S)  # fmt: skip
    assert re.search(r'data-stage="contacted">.*?<td class="text-end">4</td>\s*'
                     r'<td class="text-end">5.25</td>\s*<td class="text-end">4.5</td>',
                     html, re.S)  # fmt: skip
    assert 'data-month="2026-03"' in html
    assert 'data-testid="computed-at"' in html
    assert "from_month=2026-03&amp;to_month=2026-04&amp;fresh=1" in html
    assert "vendor/echarts/echarts.min.js" in html and "analytics/funnel.js" in html
    assert f'href="{CSV}?from_month=2026-03&amp;to_month=2026-04"' in html


def test_the_page_defaults_to_the_last_twelve_months(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    response = client_as(user_in(Role.ANALYST)).get(PAGE)
    assert response.status_code == 200
    labels = chart_data(response.content.decode())["months"]["labels"]
    assert len(labels) == 12
    html = response.content.decode()
    assert f'name="from_month" value="{labels[0]}"' in html
    assert f'name="to_month" value="{labels[-1]}"' in html


def test_the_page_groups_by_dealer_in_a_table(funnel: dict, user_in: Any, client_as: Any) -> None:
    east = funnel["network"]["east_dealer"]
    response = client_as(user_in(Role.ANALYST)).get(PAGE, {**PERIOD, "group_by": "dealer"})
    html = response.content.decode()
    assert 'data-testid="group-table"' in html and "By dealer" in html
    row = re.search(rf'data-group="{east.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', row.group(1))
    assert cells == ["7", "4", "2", "2", "2", "2", "2", "1", "1", "1", "28.6 %", "14.3 %"]


def test_the_page_refuses_bad_filters_with_a_specific_message(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ANALYST))
    cases = {
        "from_month=2026-13": "Enter a month as year-month, for example 2026-03.",
        "from_month=2026-05&to_month=2026-03": "The period ends before it starts.",
        "from_month=2020-01&to_month=2026-03": "The period may span at most 60 months.",
        "top=0": "Show at least one lost reason.",
        "top=500": "Show at most 50 lost reasons.",
        "source=fax": "Select a valid choice. fax is not one of the available choices.",
        "dealer=999999": "No such dealer.",
        "model=999999": "No such model.",
    }
    for query, message in cases.items():
        response = client.get(f"{PAGE}?{query}")
        assert response.status_code == 400, query
        html = response.content.decode()
        assert message in html, query
        assert 'id="funnel-data"' not in html


def test_a_dealer_or_region_out_of_scope_is_no_such_dealer(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    network = funnel["network"]
    client = client_as(user_in(Role.DEALER_MANAGER))
    refused = client.get(PAGE, {"dealer": network["west_dealer"].pk})
    assert refused.status_code == 400
    assert "No such dealer." in refused.content.decode()
    region = client.get(PAGE, {"region": network["west"]["area"].pk})
    assert "No such region." in region.content.decode()
    # The dealer choice lists only the manager's own dealer.
    page = client.get(PAGE).content.decode()
    assert network["east_dealer"].name in page
    assert network["west_dealer"].name not in page


@pytest.mark.parametrize(
    "role", [Role.SERVICE_ADVISOR, Role.TECHNICAL_SUPPORT, Role.QUALITY_MANAGER]
)
def test_roles_outside_sales_may_not_open_the_report(
    role: str, funnel: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(role))
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403
    answer = client.get(API)
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"


def test_anonymous_visitors_are_sent_to_log_in(client: Any) -> None:
    assert client.get(PAGE).status_code == 302
    assert client.get(CSV).status_code == 302
    assert client.get(API).status_code == 401


def test_the_menu_offers_the_report_to_sales_roles_only(
    funnel: dict, user_in: Any, client_as: Any, client: Any
) -> None:
    page = client_as(user_in(Role.DEALER_MANAGER)).get("/").content.decode()
    assert f'href="{PAGE}"' in page and "Reports" in page
    client.logout()
    page = client_as(user_in(Role.SERVICE_ADVISOR)).get("/").content.decode()
    assert f'href="{PAGE}"' not in page


def test_the_page_costs_a_fixed_number_of_queries(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.ANALYST))
    client.get(PAGE, PERIOD)
    with CaptureQueriesContext(connection) as captured:
        client.get(PAGE, {**PERIOD, "group_by": "dealer"})
    reads = [q for q in captured if q["sql"].lstrip().startswith(("SELECT", "WITH"))]
    # session and user; dealer, region and model choices (validation and rendering); the
    # report's eight; the dealer names.
    assert len(reads) <= 20, [q["sql"][:80] for q in reads]


# -- CSV -----------------------------------------------------------------------------------


def test_the_csv_carries_the_tables(funnel: dict, user_in: Any, client_as: Any) -> None:
    response = client_as(user_in(Role.ANALYST)).get(CSV, {**PERIOD, "group_by": "month"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="sales-funnel-')
    rows = csv_rows(response)
    assert rows[0] == ["Sales funnel"]
    assert rows[1:3] == [["From month", "2026-03"], ["To month", "2026-04"]]
    assert ["New", "10", "", "100.0"] in rows
    assert ["Contacted", "5", "50.0", "50.0"] in rows
    assert ["Won", "1", "100.0", "10.0"] in rows
    assert ["Website form", "4", "0", "0.0", "0", "0.0"] in rows
    assert ["Contacted", "4", "5.25", "4.5"] in rows
    assert ["选择了竞品", "2"] in rows and ["价格太高", "1"] in rows
    assert ["2026-03", "9", "2", "22.2", "1", "11.1"] in rows
    assert ["By month"] in rows
    assert ["2026-04", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0.0", "0.0"] in rows


def test_the_csv_names_the_filters_and_defuses_formulas(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    Lead.objects.filter(pk=funnel["L6"].pk).update(lost_reason="=HYPERLINK(1)")
    east = funnel["network"]["east_dealer"]
    response = client_as(user_in(Role.ANALYST)).get(
        CSV, {**PERIOD, "dealer": east.pk, "source": "website"}
    )
    rows = csv_rows(response)
    assert ["Dealer", f"{east.code} {east.name}"] in rows
    assert ["Source", "Website form"] in rows
    assert ["'=HYPERLINK(1)", "1"] in rows


def test_the_csv_refuses_bad_filters(funnel: dict, user_in: Any, client_as: Any) -> None:
    response = client_as(user_in(Role.ANALYST)).get(CSV, {"from_month": "March"})
    assert response.status_code == 400
    assert "From month: Enter a month as year-month, for example 2026-03." in (
        response.content.decode()
    )


def test_a_salespersons_csv_counts_only_their_leads(funnel: dict, client_as: Any) -> None:
    rows = csv_rows(client_as(funnel["own"]).get(CSV, PERIOD))
    assert ["New", "2", "", "100.0"] in rows
    assert ["选择了竞品", "2"] not in rows


# -- API -----------------------------------------------------------------------------------


def test_the_api_answers_the_pages_figures(funnel: dict, user_in: Any, client_as: Any) -> None:
    answer = client_as(user_in(Role.ANALYST)).get(API, {**PERIOD, "group_by": "region"})

    assert answer.status_code == 200
    body = answer.json()
    assert body["period"] == {"from_month": "2026-03", "to_month": "2026-04"}
    assert body["summary"] == {
        "leads": 10,
        "converted": 2,
        "won": 1,
        "converted_percent": 20.0,
        "won_percent": 10.0,
    }
    assert [s["reached"] for s in body["stages"]] == [10, 5, 3, 2, 2, 2, 2, 1, 1, 1]
    assert body["stages"][1]["percent_of_previous"] == 50.0
    times = {
        t["key"]: (t["stays"], t["average_days"], t["median_days"]) for t in body["time_in_stage"]
    }
    assert times["contacted"] == (4, 5.25, 4.5)
    assert times["order"] == (1, 10.0, 10.0)
    assert body["lost_reasons"]["opportunities"] == [{"reason": "价格太高", "count": 1}]
    assert body["group_by"] == "region"
    east_area = funnel["network"]["east"]["area"]
    assert body["groups"][0]["key"] == east_area.pk
    assert body["groups"][0]["label"] == east_area.name
    assert body["groups"][0]["leads"] == 8


@pytest.mark.parametrize(
    ("role", "leads"),
    [
        (Role.ADMINISTRATOR, 10),
        (Role.REGION_MANAGER, 8),
        (Role.DEALER_MANAGER, 7),
        (Role.SALESPERSON, 2),
    ],
)
def test_the_api_counts_within_the_callers_scope(
    role: str, leads: int, funnel: dict, user_in: Any, client_as: Any
) -> None:
    user = funnel["own"] if role == Role.SALESPERSON else user_in(role)
    body = client_as(user).get(API, PERIOD).json()
    assert body["summary"]["leads"] == leads


def test_the_api_refuses_bad_filters_naming_the_field(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    client = client_as(user_in(Role.DEALER_MANAGER))
    west = funnel["network"]["west_dealer"]
    answer = client.get(API, {"dealer": west.pk, "to_month": "2026/04"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "validation_error"
    assert {(d["field"], d["message"]) for d in body["details"]} == {
        ("dealer", "No such dealer."),
        ("to_month", "Enter a month as year-month, for example 2026-03."),
    }
    assert client.get(API, {"dealer": "east"}).status_code == 422
    assert client.get(API, {"group_by": "salesperson"}).status_code == 422


def test_the_api_filters_like_the_page(funnel: dict, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.ANALYST))
    model = funnel["model_x"]
    body = client.get(API, {**PERIOD, "model": model.pk, "source": "walk_in"}).json()
    assert body["summary"]["leads"] == 1  # L4
    assert [s["key"] for s in body["sources"]] == ["walk_in"]
    assert body["summary"]["won"] == 1


def test_recompute_now_refreshes_a_kept_report(funnel: dict, user_in: Any, client_as: Any) -> None:
    client = client_as(user_in(Role.ANALYST))
    client.get(PAGE, PERIOD)
    Lead.objects.filter(pk=funnel["L1"].pk).update(source="event")
    kept = chart_data(client.get(PAGE, PERIOD).content.decode())
    assert kept["sources"]["leads"][3] == 0  # event
    fresh = chart_data(client.get(PAGE, {**PERIOD, "fresh": "1"}).content.decode())
    assert fresh["sources"]["leads"][3] == 1
    answer = client.get(API, {**PERIOD, "fresh": "true"}).json()
    assert answer["sources"][3] == {**answer["sources"][3], "key": "event", "leads": 1}
    assert answer["computed_at"]


def test_the_filter_form_keeps_the_chosen_values(
    funnel: dict, user_in: Any, client_as: Any
) -> None:
    east = funnel["network"]["east_dealer"]
    html = (
        client_as(user_in(Role.ANALYST))
        .get(PAGE, {**PERIOD, "dealer": east.pk, "source": "walk_in", "group_by": "month"})
        .content.decode()
    )
    assert f'<option value="{east.pk}" selected>{east.code} {east.name}</option>' in html
    assert '<option value="walk_in" selected>Walk-in</option>' in html
    assert '<option value="month" selected>Month</option>' in html
    assert 'name="from_month" value="2026-03"' in html


def test_the_page_shows_the_largest_groups_and_points_to_the_csv_for_the_rest(
    funnel: dict, user_in: Any, client_as: Any, monkeypatch: Any
) -> None:
    from autocrm.analytics import views

    monkeypatch.setattr(views, "PAGE_GROUPS", 2)
    html = (
        client_as(user_in(Role.ANALYST))
        .get(PAGE, {**PERIOD, "group_by": "dealer"})
        .content.decode()
    )
    assert html.count("data-group=") == 2
    assert "The 2 groups with the most leads; 2 more are in the CSV export." in html
