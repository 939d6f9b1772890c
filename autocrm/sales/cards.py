"""The pipeline's cards, rendered in Python: a board shows up to a hundred of them, and a
template include per card cost more than the queries behind the whole board."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _escape
from typing import Any

from django.urls import reverse
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
    # f-strings with the standard library's escape: a board draws up to 75 cards, and
    # format_html's per-argument machinery cost some 30 ms of it.
    e = _escape
    pk = card.pk
    border = " border-danger" if refusal else ""
    draggable = ' draggable="true"' if may_work else ""
    vehicle = f"{model.name} {model.configuration}".strip() if model is not None else "—"
    closes = card.expected_close.isoformat() if card.expected_close else "—"
    close_label = _("Close")  # outside the f-string, where makemessages finds it
    salesperson = str(card.salesperson) if card.salesperson_id else "—"
    in_stage = ngettext("%(days)s day in stage", "%(days)s days in stage", days) % {"days": days}
    refusal_html = (
        '<div class="small text-danger mt-1" data-testid="card-refusal" role="alert">'
        f"{e(' '.join(refusal))}</div>"
        if refusal
        else ""
    )
    return mark_safe(
        f'<div class="card card-sm mb-2 pipeline-card{border}" data-testid="pipeline-card" '
        f'id="opportunity-card-{pk}" data-id="{pk}" data-stage="{e(card.stage)}" '
        f'data-version="{card.version}" data-url="{e(prefix)}{pk}/stage/"{draggable}>'
        '<div class="card-body p-2">'
        f'<div class="d-flex"><a href="{e(prefix)}{pk}/" class="fw-bold text-truncate">'
        f"{e(card.customer.name)}</a>"
        f'<span class="ms-auto text-secondary small">{e(card.number or "")}</span></div>'
        f'<div class="small text-secondary text-truncate">{e(vehicle)}</div>'
        f'<div class="d-flex small"><span>{e(_money(card.amount))}</span>'
        f'<span class="ms-auto">{card.probability}%</span></div>'
        f'<div class="d-flex small text-secondary"><span>{e(close_label)} {closes}</span>'
        f'<span class="ms-auto">{e(salesperson)}</span></div>'
        f'<div class="small text-secondary" data-testid="days-in-stage">{e(in_stage)}</div>'
        f"{refusal_html}</div></div>"
    )


def cards_html(cards: Iterable[Opportunity], *, may_work: bool) -> SafeString:
    prefix = reverse("sales:opportunity_list")
    return mark_safe("".join(card_html(c, may_work=may_work, prefix=prefix) for c in cards))


def options_html(rows: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """``<option>`` elements for (value, label) pairs. Headquarters picks among 1,500 dealers:
    the standard library's ``escape`` keeps that list to a millisecond or two, where a
    ``format_html`` per option cost some 80 ms a page."""
    return mark_safe(
        "".join(
            f'<option value="{_escape(str(value))}"'
            f"{' selected' if value == selected else ''}>{_escape(str(label))}</option>"
            for value, label in rows
        )
    )
