"""Opportunity pages: scoping, create from the customer, a stale edit, the stage buttons, the
kanban (board, totals, "more", a dropped card accepted or refused), the forecast page, quotes
on pages with the PDF, converting a lead, the 360 panel."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.sales import pipeline
from autocrm.sales.models import Opportunity, Quote
from tests.factories import CustomerFactory, UserFactory, VehicleModelFactory
from tests.sales.factories import LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seller(user_in: Any) -> Any:
    return user_in(Role.SALESPERSON, username="seller")


def test_pages_show_a_salesperson_only_their_own(
    network: dict, seller: Any, client_as: Any
) -> None:
    own = OpportunityFactory(dealer=network["east_dealer"], salesperson=seller)
    colleague = UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"])
    theirs = OpportunityFactory(dealer=network["east_dealer"], salesperson=colleague)
    west = OpportunityFactory(dealer=network["west_dealer"])
    client = client_as(seller)
    listing = client.get("/sales/opportunities/").content.decode()
    assert own.number in listing and theirs.number not in listing
    assert client.get(f"/sales/opportunities/{own.pk}/").status_code == 200
    assert client.get(f"/sales/opportunities/{theirs.pk}/").status_code == 404
    assert client.get(f"/sales/opportunities/{west.pk}/").status_code == 404
    board = client.get("/sales/pipeline/").content.decode()
    assert own.number in board and theirs.number not in board and west.number not in board


def test_create_from_the_customer_then_a_stale_edit(
    network: dict, seller: Any, client_as: Any
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    client = client_as(seller)
    form = {"amount": "188000", "expected_close": "2030-03-01", "probability": "10"}
    created = client.post(f"/sales/opportunities/new/?customer={customer.pk}", form)
    opportunity = Opportunity.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/sales/opportunities/{opportunity.pk}/"
    assert (opportunity.customer, opportunity.salesperson) == (customer, seller)
    edit = f"/sales/opportunities/{opportunity.pk}/edit/"
    assert client.post(edit, {**form, "competitor": "理想", "version": 1}).status_code == 302
    stale = client.post(edit, {**form, "competitor": "蔚来", "version": 1})
    assert "Someone else changed this record" in stale.content.decode()
    opportunity.refresh_from_db()
    assert (opportunity.competitor, opportunity.version) == ("理想", 2)


def test_stage_buttons_and_their_refusal_on_the_detail_page(
    network: dict, seller: Any, client_as: Any
) -> None:
    opportunity = OpportunityFactory(dealer=network["east_dealer"], salesperson=seller)
    client = client_as(seller)
    detail = client.get(f"/sales/opportunities/{opportunity.pk}/").content.decode()
    assert 'data-testid="stage-test_drive"' in detail
    assert 'data-testid="stage-negotiation"' not in detail
    url = f"/sales/opportunities/{opportunity.pk}/stage/"
    refused = client.post(url, {"stage": "negotiation", "version": 1}, follow=True)
    assert "stages are taken one at a time" in refused.content.decode()
    client.post(url, {"stage": "test_drive", "version": 1})
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.version) == ("test_drive", 2)
    page = client.get(f"/sales/opportunities/{opportunity.pk}/").content.decode()
    assert 'data-testid="stage-history"' in page and "Need analysis → Test drive" in page


def test_the_board_has_a_column_per_open_stage_with_totals(
    network: dict, seller: Any, client_as: Any
) -> None:
    dealer = network["east_dealer"]
    OpportunityFactory(dealer=dealer, salesperson=seller, amount=100000, probability=10)
    OpportunityFactory(dealer=dealer, salesperson=seller, amount=300000, probability=30)
    OpportunityFactory(
        dealer=dealer, salesperson=seller, stage="negotiation", amount=200000, probability=50
    )
    OpportunityFactory(dealer=dealer, salesperson=seller, stage="won", amount=1)
    columns = pipeline.pipeline_board(seller, pipeline.PipelineFilters())
    assert [(c.stage.value, c.count, c.amount, c.weighted) for c in columns] == [
        ("need_analysis", 2, Decimal("400000.00"), Decimal("100000.00")),
        ("test_drive", 0, Decimal("0"), Decimal("0")),
        ("negotiation", 1, Decimal("200000.00"), Decimal("100000.00")),
        ("order", 0, Decimal("0"), Decimal("0")),
        ("delivery", 0, Decimal("0"), Decimal("0")),
    ]
    page = client_as(seller).get("/sales/pipeline/").content.decode()
    assert page.count('data-testid="pipeline-column"') == 5
    assert page.count('data-testid="pipeline-card"') == 3
    assert "autocrm/pipeline.js" in page


def test_the_board_filters_and_pages_each_column(
    network: dict, user_in: Any, client_as: Any
) -> None:
    manager = user_in(Role.DEALER_MANAGER)
    model = VehicleModelFactory()
    dealer = network["east_dealer"]
    for _n in range(pipeline.CARDS_PER_COLUMN + 3):
        OpportunityFactory(dealer=dealer, vehicle_model=model)
    OpportunityFactory(dealer=dealer)
    client = client_as(manager)
    with CaptureQueriesContext(connection) as queries:
        board = client.get(f"/sales/pipeline/?board=1&vehicle_model={model.pk}", **HTMX)
    html = board.content.decode()
    assert html.count('data-testid="pipeline-card"') == pipeline.CARDS_PER_COLUMN
    assert f'data-testid="column-count">{pipeline.CARDS_PER_COLUMN + 3}<' in html
    assert len(queries) <= 8  # session, user, totals, one column (+ savepoints)
    more = client.get(
        f"/sales/pipeline/more/?stage=need_analysis&vehicle_model={model.pk}&cursor="
        + _cursor(html)
    ).content.decode()
    assert more.count('data-testid="pipeline-card"') == 3
    assert 'data-testid="pipeline-more"' not in more


def _cursor(html: str) -> str:
    start = html.index("cursor=") + len("cursor=")
    return html[start : html.index("&", start)]


def test_a_dropped_card_moves_or_snaps_back_with_the_refusal(
    network: dict, seller: Any, client_as: Any
) -> None:
    opportunity = OpportunityFactory(dealer=network["east_dealer"], salesperson=seller)
    client = client_as(seller)
    url = f"/sales/opportunities/{opportunity.pk}/stage/"
    refused = client.post(url, {"stage": "order", "version": 1, "card": "1"}, **HTMX)
    html = refused.content.decode()
    assert refused.status_code == 200 and "HX-Trigger" not in refused
    assert 'data-stage="need_analysis"' in html and 'data-testid="card-refusal"' in html
    assert "can move to Test drive, Lost, not to Order" in html
    moved = client.post(url, {"stage": "test_drive", "version": 1, "card": "1"}, **HTMX)
    assert moved["HX-Trigger"] == "pipeline-changed"
    assert 'data-stage="test_drive"' in moved.content.decode()
    stale = client.post(url, {"stage": "negotiation", "version": 1, "card": "1"}, **HTMX)
    assert "Someone else changed this record" in stale.content.decode()
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.version) == ("test_drive", 2)
    reader = client_as(UserFactory(role=Role.ANALYST))
    denied = reader.post(url, {"stage": "negotiation", "version": 2, "card": "1"}, **HTMX)
    assert "Your role may not do this." in denied.content.decode()


def test_the_forecast_page_sums_by_the_chosen_grouping(
    network: dict, seller: Any, client_as: Any
) -> None:
    month = timezone.localdate().replace(day=1)
    OpportunityFactory(
        dealer=network["east_dealer"],
        salesperson=seller,
        amount=100000,
        probability=40,
        expected_close=month,
    )
    client = client_as(seller)
    page = client.get("/sales/forecast/").content.decode()
    assert 'data-testid="forecast-total">40000.00<' in page
    by_region = client.get("/sales/forecast/?group_by=region").content.decode()
    assert "华东大区" in by_region


def test_quotes_on_pages_with_the_pdf(network: dict, seller: Any, client_as: Any) -> None:
    opportunity = OpportunityFactory(
        dealer=network["east_dealer"],
        salesperson=seller,
        stage="negotiation",
        vehicle_model=VehicleModelFactory(),
    )
    client = client_as(seller)
    form_url = f"/sales/opportunities/{opportunity.pk}/quotes/new/"
    blank = client.get(form_url).content.decode()
    assert 'name="lines-0-kind"' in blank and 'name="lines-7-kind"' in blank
    rows = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-kind": "vehicle",
        "lines-0-description": "君威",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "100000",
        "lines-0-tax_rate": "0.13",
        "lines-1-kind": "accessory",
        "lines-1-description": "脚垫",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "-5",
        "lines-2-quantity": "1",
        "valid_until": "",
        "notes": "",
    }
    refused = client.post(form_url, rows, follow=True).content.decode()
    assert "Line 2: a price cannot be negative" in refused
    assert not Quote.objects.exists()
    saved = client.post(form_url, {**rows, "lines-1-unit_price": "500"})
    quote = Quote.objects.get()
    assert saved["Location"] == f"/sales/quotes/{quote.pk}/"
    assert quote.gross_total == Decimal("113565.00")
    detail = client.get(saved["Location"]).content.decode()
    assert 'data-testid="quote-gross">113565.00<' in detail
    client.post(f"/sales/quotes/{quote.pk}/send/")
    client.post(f"/sales/quotes/{quote.pk}/accept/")
    quote.refresh_from_db()
    assert quote.status == "accepted" and quote.vehicle_order_id is not None
    pdf = client.get(f"/sales/quotes/{quote.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.post(f"/sales/quotes/{quote.pk}/explode/").status_code == 404
    other = client_as(UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"]))
    assert other.get(f"/sales/quotes/{quote.pk}/pdf/").status_code == 404


def test_converting_a_lead_from_its_page(network: dict, seller: Any, client_as: Any) -> None:
    lead = LeadFactory(dealer=network["east_dealer"], salesperson=seller, status="qualified")
    client = client_as(seller)
    page = client.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert 'data-testid="convert-lead"' in page and 'data-testid="status-converted"' not in page
    answer = client.post(f"/sales/leads/{lead.pk}/convert/", {"version": 1})
    opportunity = Opportunity.objects.get(lead=lead)
    assert answer["Location"] == f"/sales/opportunities/{opportunity.pk}/"


def test_the_customer_page_shows_opportunities_with_their_quotes(
    network: dict, seller: Any, client_as: Any
) -> None:
    customer = CustomerFactory(dealers=[network["east_dealer"]])
    opportunity = OpportunityFactory(
        dealer=network["east_dealer"], salesperson=seller, customer=customer
    )
    quote = Quote.objects.create(
        number="Q000000042",
        opportunity=opportunity,
        customer=customer,
        dealer=opportunity.dealer,
        valid_until=timezone.localdate() + datetime.timedelta(days=3),
        gross_total=Decimal("1234.00"),
    )
    page = client_as(seller).get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="opportunity-panel"' in page
    assert opportunity.number in page and f"{quote}" in page
