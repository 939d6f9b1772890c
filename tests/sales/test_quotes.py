"""Quotes: totals rounded half up to the fen, refusals (negative price, quantity, no lines),
revisions superseding the old one, send / reject / accept (the vehicle order is created and the
opportunity moves to "order") and the Chinese PDF."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.core.errors import PermissionDenied
from autocrm.sales import services
from autocrm.sales.models import Opportunity, Quote, QuoteLine
from autocrm.sales.quote_pdf import quote_pdf
from tests.factories import CustomerFactory, VehicleModelFactory
from tests.sales.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

CAR = {
    "kind": "vehicle",
    "description": "君威 2.0T 精英型",
    "quantity": 1,
    "unit_price": "176991.15",
}
MATS = {"kind": "accessory", "description": "脚垫", "quantity": 3, "unit_price": "33.33"}
DISCOUNT = {"kind": "discount", "description": "店庆优惠", "quantity": 1, "unit_price": "5000"}


@pytest.fixture
def seller(user_in: Any) -> Any:
    return user_in(Role.SALESPERSON, username="seller")


@pytest.fixture
def opportunity(seller: Any, network: dict) -> Opportunity:
    return OpportunityFactory(
        dealer=network["east_dealer"],
        salesperson=seller,
        stage="negotiation",
        probability=50,
        vehicle_model=VehicleModelFactory(),
        customer=CustomerFactory(name="张三丰"),
    )


def _quote(seller: Any, opportunity: Opportunity, *lines: dict) -> Quote:
    return services.quote_create(
        actor=seller, opportunity=opportunity, lines=list(lines or (CAR, MATS, DISCOUNT))
    )


def test_line_amounts_round_half_up_to_the_fen() -> None:
    amounts = services.line_amounts("accessory", 3, Decimal("33.33"), Decimal("0.13"))
    assert (amounts.net, amounts.tax, amounts.gross) == (
        Decimal("99.99"),
        Decimal("13.00"),  # 12.9987 -> 13.00
        Decimal("112.99"),
    )
    half = services.line_amounts("option", 1, Decimal("0.50"), Decimal("0.13"))
    assert half.tax == Decimal("0.07")  # 0.065 rounds up, not to even
    discount = services.line_amounts("discount", 1, Decimal("5000"), Decimal("0.13"))
    assert (discount.net, discount.tax, discount.gross) == (
        Decimal("-5000.00"),
        Decimal("-650.00"),
        Decimal("-5650.00"),
    )


def test_a_quote_stores_its_lines_and_totals(seller: Any, opportunity: Opportunity) -> None:
    quote = _quote(seller, opportunity)
    assert quote.number == f"Q{quote.pk:09d}"
    assert (quote.revision, quote.status) == (1, "draft")
    assert (quote.customer, quote.dealer) == (opportunity.customer, opportunity.dealer)
    # 176,991.15 + 99.99 - 5,000 = 172,091.14 net; tax 23,008.85 + 13.00 - 650 = 22,371.85
    assert (quote.net_total, quote.tax_total, quote.gross_total) == (
        Decimal("172091.14"),
        Decimal("22371.85"),
        Decimal("194462.99"),
    )
    stored = Quote.objects.get(pk=quote.pk)
    assert stored.gross_total == Decimal("194462.99")
    assert list(stored.lines.values_list("position", "kind", "gross")) == [
        (1, "vehicle", Decimal("200000.00")),
        (2, "accessory", Decimal("112.99")),
        (3, "discount", Decimal("-5650.00")),
    ]
    assert quote.valid_until == timezone.localdate() + datetime.timedelta(days=14)


def test_a_negative_price_and_a_zero_quantity_are_refused_naming_the_line(
    seller: Any, opportunity: Opportunity
) -> None:
    with pytest.raises(ValidationError) as refusal:
        _quote(seller, opportunity, CAR, {**MATS, "unit_price": "-10"}, {**MATS, "quantity": 0})
    assert refusal.value.message_dict == {
        "lines[2].unit_price": [
            "Line 2: a price cannot be negative; a discount is a discount line with a "
            "positive amount."
        ],
        "lines[3].quantity": ["Line 3: the quantity must be at least 1."],
    }
    assert not Quote.objects.exists()
    assert not QuoteLine.objects.exists()


def test_a_quote_needs_lines_and_discounts_cannot_exceed_it(
    seller: Any, opportunity: Opportunity
) -> None:
    with pytest.raises(ValidationError) as empty:
        services.quote_create(actor=seller, opportunity=opportunity, lines=[])
    assert empty.value.message_dict == {"lines": ["A quote needs at least one line."]}
    with pytest.raises(ValidationError) as too_much:
        _quote(seller, opportunity, MATS, DISCOUNT)
    assert too_much.value.message_dict == {"lines": ["The discounts exceed the quote's total."]}


def test_a_closed_opportunity_takes_no_quote(seller: Any, opportunity: Opportunity) -> None:
    Opportunity.objects.filter(pk=opportunity.pk).update(stage="lost")
    opportunity.refresh_from_db()
    with pytest.raises(ValidationError) as refusal:
        _quote(seller, opportunity)
    assert refusal.value.messages == ["This opportunity is closed; it takes no new quotes."]


def test_readers_may_not_quote(user_in: Any, opportunity: Opportunity) -> None:
    with pytest.raises(PermissionDenied):
        _quote(user_in(Role.ANALYST), opportunity)


def test_revising_copies_to_a_new_version_and_supersedes_the_old(
    seller: Any, opportunity: Opportunity
) -> None:
    first = _quote(seller, opportunity)
    services.quote_send(actor=seller, quote=first)
    second = services.quote_revise(actor=seller, quote=first, lines=[CAR])
    first.refresh_from_db()
    assert first.status == "superseded"
    assert (second.number, second.revision, second.status) == (first.number, 2, "draft")
    assert second.gross_total == Decimal("200000.00")
    third = services.quote_revise(actor=seller, quote=second)
    assert third.revision == 3
    assert third.gross_total == second.gross_total
    with pytest.raises(ValidationError) as refusal:
        services.quote_revise(actor=seller, quote=first)
    assert refusal.value.message_dict["status"] == [
        "A Superseded quote cannot do this; it must be Draft or Sent or Rejected."
    ]


def test_send_then_reject(seller: Any, opportunity: Opportunity) -> None:
    quote = _quote(seller, opportunity)
    with pytest.raises(ValidationError):
        services.quote_reject(actor=seller, quote=quote)
    sent = services.quote_send(actor=seller, quote=quote)
    assert (sent.status, sent.sent_at is not None) == ("sent", True)
    rejected = services.quote_reject(actor=seller, quote=quote)
    assert rejected.status == "rejected"


def test_accepting_creates_the_vehicle_order_and_moves_the_opportunity_to_order(
    seller: Any, opportunity: Opportunity
) -> None:
    quote = _quote(seller, opportunity)
    services.quote_send(actor=seller, quote=quote)
    accepted = services.quote_accept(actor=seller, quote=quote)
    assert accepted.status == "accepted"
    order = accepted.vehicle_order
    assert order is not None
    assert (order.dealer, order.customer, order.vehicle_model) == (
        opportunity.dealer,
        opportunity.customer,
        opportunity.vehicle_model,
    )
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == ("order", 80)
    assert list(opportunity.stage_changes.values_list("from_stage", "to_stage")) == [
        ("negotiation", "order")
    ]


def test_accepting_needs_negotiation_and_a_valid_quote(
    seller: Any, opportunity: Opportunity
) -> None:
    quote = _quote(seller, opportunity)
    services.quote_send(actor=seller, quote=quote)
    Opportunity.objects.filter(pk=opportunity.pk).update(stage="test_drive")
    with pytest.raises(ValidationError) as early:
        services.quote_accept(actor=seller, quote=quote)
    assert early.value.message_dict["stage"] == [
        "The opportunity is at Test drive; a quote is accepted once it has reached negotiation."
    ]
    Opportunity.objects.filter(pk=opportunity.pk).update(stage="negotiation")
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(1)
    )
    with pytest.raises(ValidationError) as expired:
        services.quote_accept(actor=seller, quote=quote)
    assert expired.value.message_dict["valid_until"] == ["This quote has expired; revise it first."]
    assert Quote.objects.get(pk=quote.pk).vehicle_order is None


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_is_in_chinese_with_dealer_customer_lines_and_totals(
    seller: Any, opportunity: Opportunity
) -> None:
    from django.utils import translation

    quote = _quote(seller, opportunity)
    with translation.override("zh-hans"):
        content = quote_pdf(quote)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    for expected in (
        "上海浦东4S店",
        "张三丰",
        "君威 2.0T 精英型",
        "店庆优惠",
        "194,462.99",
        "22,371.85",
        str(quote),
    ):
        assert expected in text, expected
