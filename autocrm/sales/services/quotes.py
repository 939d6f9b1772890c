"""Quotes: creating a draft with its lines, sending, revising (a new revision supersedes the
old), accepting (which orders the car and moves the opportunity to "order") and rejecting.

Amounts: a line's net is quantity x unit price (before tax), its tax the net x the tax rate,
each rounded half up to the fen; a discount line carries a positive amount that is subtracted.
The quote's totals are the sums of its lines, stored on the quote.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.core.errors import PermissionDenied
from autocrm.sales.choices import OpportunityStage, QuoteLineKind, QuoteStatus
from autocrm.sales.models import Opportunity, Quote, QuoteLine
from autocrm.sales.models.quotes import DEFAULT_TAX_RATE
from autocrm.sales.permissions import may_work_opportunities
from autocrm.sales.services.opportunities import opportunity_advance_system

FEN = Decimal("0.01")
# How long a new quote is valid when no date is given.
DEFAULT_VALIDITY_DAYS = 14
# Quotes a revision may start from: an accepted or superseded one is history.
REVISABLE = (QuoteStatus.DRAFT, QuoteStatus.SENT, QuoteStatus.REJECTED)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    gross: Decimal


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def line_amounts(kind: str, quantity: int, unit_price: Decimal, tax_rate: Decimal) -> LineAmounts:
    """A line's net, tax and gross, rounded half up to the fen, negative for a discount."""
    net = fen(Decimal(quantity) * Decimal(unit_price))
    tax = fen(net * Decimal(tax_rate))
    if kind == QuoteLineKind.DISCOUNT:
        net, tax = -net, -tax
    return LineAmounts(net=net, tax=tax, gross=net + tax)


def _decimal(value: Any, field: str, index: int) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({f"lines[{index}].{field}": _("Enter a number.")}) from error


def _build_lines(quote: Quote, lines: list[dict[str, Any]]) -> list[QuoteLine]:
    """Validated, priced lines for ``quote``; every refusal names the line (1-based)."""
    if not lines:
        raise ValidationError({"lines": _("A quote needs at least one line.")})
    built: list[QuoteLine] = []
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(lines, start=1):
        errors_before = len(errors)
        kind = data.get("kind") or ""
        quantity = data.get("quantity", 1)
        unit_price = _decimal(data.get("unit_price", ""), "unit_price", index)
        tax_rate = data.get("tax_rate")
        tax_rate = (
            DEFAULT_TAX_RATE if tax_rate in (None, "") else _decimal(tax_rate, "tax_rate", index)
        )
        key = f"lines[{index}]"
        if unit_price < 0:
            errors.setdefault(f"{key}.unit_price", []).append(
                _(
                    "Line %(line)s: a price cannot be negative; a discount is a discount line "
                    "with a positive amount."
                )
                % {"line": index}
            )
        if not isinstance(quantity, int) or quantity < 1:
            errors.setdefault(f"{key}.quantity", []).append(
                _("Line %(line)s: the quantity must be at least 1.") % {"line": index}
            )
        if kind not in QuoteLineKind.values:
            errors.setdefault(f"{key}.kind", []).append(
                _("Line %(line)s: choose a kind of line.") % {"line": index}
            )
        description = (data.get("description") or "").strip()
        if not description:
            errors.setdefault(f"{key}.description", []).append(
                _("Line %(line)s: describe the line.") % {"line": index}
            )
        if len(errors) > errors_before:
            continue
        amounts = line_amounts(kind, quantity, unit_price, tax_rate)
        line = QuoteLine(
            quote=quote,
            position=index,
            kind=kind,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            tax_rate=tax_rate,
            net=amounts.net,
            tax=amounts.tax,
            gross=amounts.gross,
        )
        try:
            line.full_clean(exclude=["quote"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(f"{key}.{name}", []).extend(
                    f"{_('Line %(line)s') % {'line': index}}: {message}" for message in messages
                )
        built.append(line)
    if errors:
        raise ValidationError(errors)
    return built


def _store(quote: Quote, lines: list[QuoteLine]) -> None:
    quote.net_total = sum((line.net for line in lines), Decimal("0"))
    quote.tax_total = sum((line.tax for line in lines), Decimal("0"))
    quote.gross_total = sum((line.gross for line in lines), Decimal("0"))
    if quote.gross_total < 0:
        raise ValidationError({"lines": _("The discounts exceed the quote's total.")})
    quote.save()
    for line in lines:
        line.quote = quote
    QuoteLine.objects.bulk_create(lines)


def _check_actor(actor: Any) -> None:
    if not may_work_opportunities(actor):
        raise PermissionDenied


def _valid_until(value: Any) -> datetime.date:
    if value is None:
        return timezone.localdate() + datetime.timedelta(days=DEFAULT_VALIDITY_DAYS)
    if value < timezone.localdate():
        raise ValidationError({"valid_until": _("The validity cannot end in the past.")})
    return value


@transaction.atomic
def quote_create(
    *,
    actor: Any,
    opportunity: Opportunity,
    lines: list[dict[str, Any]],
    valid_until: datetime.date | None = None,
    notes: str = "",
) -> Quote:
    """A draft quote for an open opportunity (fetched in the actor's scope), numbered Q + the
    9-digit key, revision 1, for the opportunity's customer and dealer."""
    _check_actor(actor)
    if not opportunity.is_open:
        raise ValidationError(_("This opportunity is closed; it takes no new quotes."))
    quote = Quote(
        opportunity=opportunity,
        customer_id=opportunity.customer_id,
        dealer_id=opportunity.dealer_id,
        valid_until=_valid_until(valid_until),
        notes=(notes or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    built = _build_lines(quote, lines)
    _store(quote, built)
    quote.number = f"Q{quote.pk:09d}"
    Quote.objects.filter(pk=quote.pk).update(number=quote.number)
    audit.record_creation(quote, actor=actor)
    return quote


def _lock(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().select_related("opportunity").get(pk=quote.pk)


def _set_status(locked: Quote, status: str, *, actor: Any, **extra: Any) -> Quote:
    before = audit.snapshot(locked)
    locked.status = status
    for name, value in extra.items():
        setattr(locked, name, value)
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


def _refuse_status(locked: Quote, *allowed: str) -> None:
    if locked.status not in allowed:
        raise ValidationError(
            {
                "status": _("A %(status)s quote cannot do this; it must be %(allowed)s.")
                % {
                    "status": QuoteStatus(locked.status).label,
                    "allowed": _(" or ").join(str(QuoteStatus(s).label) for s in allowed),
                }
            }
        )


def _line_data(quote: Quote) -> list[dict[str, Any]]:
    return [
        {
            "kind": line.kind,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
        }
        for line in quote.lines.order_by("position", "id")
    ]


@transaction.atomic
def quote_revise(
    *,
    actor: Any,
    quote: Quote,
    lines: list[dict[str, Any]] | None = None,
    valid_until: datetime.date | None = None,
    notes: str | None = None,
) -> Quote:
    """Copy a draft, sent or rejected quote to a new draft revision (the same number, revision
    + 1), with new lines, validity or notes where given, and mark the old one superseded."""
    _check_actor(actor)
    locked = _lock(quote)
    _refuse_status(locked, *REVISABLE)
    if not locked.opportunity.is_open:
        raise ValidationError(_("This opportunity is closed; it takes no new quotes."))
    newest = (
        Quote.objects.filter(number=locked.number)
        .order_by("-revision")
        .values_list("revision", flat=True)
    ).first() or locked.revision
    revision = Quote(
        number=locked.number,
        revision=newest + 1,
        opportunity_id=locked.opportunity_id,
        customer_id=locked.customer_id,
        dealer_id=locked.dealer_id,
        valid_until=_valid_until(
            valid_until
            if valid_until is not None
            else max(locked.valid_until, timezone.localdate())
        ),
        notes=locked.notes if notes is None else notes.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    built = _build_lines(revision, _line_data(locked) if lines is None else lines)
    _set_status(locked, QuoteStatus.SUPERSEDED, actor=actor)
    _store(revision, built)
    audit.record_creation(revision, actor=actor)
    return revision


@transaction.atomic
def quote_send(*, actor: Any, quote: Quote) -> Quote:
    """Mark a draft as sent to the customer; its lines no longer change."""
    _check_actor(actor)
    locked = _lock(quote)
    _refuse_status(locked, QuoteStatus.DRAFT)
    if locked.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This quote has expired; revise it first.")})
    return _set_status(locked, QuoteStatus.SENT, actor=actor, sent_at=timezone.now())


@transaction.atomic
def quote_reject(*, actor: Any, quote: Quote) -> Quote:
    """The customer declined a sent quote."""
    _check_actor(actor)
    locked = _lock(quote)
    _refuse_status(locked, QuoteStatus.SENT)
    return _set_status(locked, QuoteStatus.REJECTED, actor=actor, decided_at=timezone.now())


def _order_for(actor: Any, locked: Quote) -> Any:
    """The vehicle order for an accepted quote, through the orders app's service: the
    opportunity's model, as many cars as the vehicle lines, the vehicle line's unit price."""
    from autocrm.orders.services import vehicle_order_create

    opportunity = locked.opportunity
    if opportunity.vehicle_model_id is None:
        raise ValidationError(
            {"vehicle_model": _("Choose the opportunity's model before accepting its quote.")}
        )
    vehicle_lines = [line for line in locked.lines.all() if line.kind == QuoteLineKind.VEHICLE]
    quantity = sum(line.quantity for line in vehicle_lines) or 1
    unit_price = vehicle_lines[0].unit_price if vehicle_lines else None
    return vehicle_order_create(
        actor=actor,
        dealer=locked.dealer,
        vehicle_model=opportunity.vehicle_model,
        quantity=quantity,
        customer=locked.customer,
        salesperson=opportunity.salesperson,
        unit_price=unit_price,
        notes=_("From quote %(quote)s") % {"quote": str(locked)},
    )


@transaction.atomic
def quote_accept(*, actor: Any, quote: Quote) -> Quote:
    """The customer accepted a sent, still valid quote: the vehicle order is created through
    ``orders.services.vehicle_order_create`` and linked, and the opportunity moves to "order"
    (it must have reached negotiation)."""
    _check_actor(actor)
    locked = _lock(quote)
    _refuse_status(locked, QuoteStatus.SENT)
    if locked.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This quote has expired; revise it first.")})
    opportunity = locked.opportunity
    if opportunity.stage not in (OpportunityStage.NEGOTIATION, OpportunityStage.ORDER):
        raise ValidationError(
            {
                "stage": _(
                    "The opportunity is at %(stage)s; a quote is accepted once it has reached "
                    "negotiation."
                )
                % {"stage": OpportunityStage(opportunity.stage).label}
            }
        )
    order = _order_for(actor, locked)
    _set_status(
        locked, QuoteStatus.ACCEPTED, actor=actor, decided_at=timezone.now(), vehicle_order=order
    )
    opportunity_advance_system(opportunity.pk, to=(OpportunityStage.ORDER,))
    return locked
