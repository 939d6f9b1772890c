"""The pipeline's cards, rendered in Python: a board shows up to a hundred of them, and a
template include per card cost more than the queries behind the whole board."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autocrm.sales.models import Opportunity


def _money(value: Any) -> str:
    return f"¥{value:,.0f}"


def card_html(
    card: Opportunity, *, may_work: bool, refusal: Iterable[str] = (), prefix: str = ""
) -> SafeString:
    """One card: customer, model, amount and probability, expected close, salesperson, days
    in the stage; the refusal of a drop, if any. ``prefix`` is ``/sales/opportunities/``."""
    prefix = prefix or reverse("sales:opportunity_list")
    model = card.vehicle_model
    days = card.days_in_stage
    refusal = list(refusal)
    return format_html(
        '<div class="card card-sm mb-2 pipeline-card{}" data-testid="pipeline-card" '
        'id="opportunity-card-{}" data-id="{}" data-stage="{}" data-version="{}" '
        'data-url="{}{}/stage/"{}><div class="card-body p-2">'
        '<div class="d-flex"><a href="{}{}/" class="fw-bold text-truncate">{}</a>'
        '<span class="ms-auto text-secondary small">{}</span></div>'
        '<div class="small text-secondary text-truncate">{}</div>'
        '<div class="d-flex small"><span>{}</span><span class="ms-auto">{}%</span></div>'
        '<div class="d-flex small text-secondary"><span>{} {}</span>'
        '<span class="ms-auto">{}</span></div>'
        '<div class="small text-secondary" data-testid="days-in-stage">{}</div>{}</div></div>',
        " border-danger" if refusal else "",
        card.pk,
        card.pk,
        card.stage,
        card.version,
        prefix,
        card.pk,
        mark_safe(' draggable="true"') if may_work else "",
        prefix,
        card.pk,
        card.customer.name,
        card.number or "",
        f"{model.name} {model.configuration}".strip() if model is not None else "—",
        _money(card.amount),
        card.probability,
        _("Close"),
        card.expected_close.isoformat() if card.expected_close else "—",
        str(card.salesperson) if card.salesperson_id else "—",
        ngettext("%(days)s day in stage", "%(days)s days in stage", days) % {"days": days},
        format_html(
            '<div class="small text-danger mt-1" data-testid="card-refusal" role="alert">{}</div>',
            " ".join(refusal),
        )
        if refusal
        else "",
    )


def cards_html(cards: Iterable[Opportunity], *, may_work: bool) -> SafeString:
    prefix = reverse("sales:opportunity_list")
    return mark_safe("".join(card_html(c, may_work=may_work, prefix=prefix) for c in cards))


def options_html(rows: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """``<option>`` elements for (value, label) pairs."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value == selected else "", label)
            for value, label in rows
        ),
    )
