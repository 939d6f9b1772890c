"""Reads of leads, always starting from the user's scope (a salesperson: their own only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from autocrm.sales.choices import OPEN_STATUSES
from autocrm.sales.models import (
    Lead,
    LeadAssignment,
    LeadLossRequest,
    Opportunity,
    OpportunityStageChange,
    Quote,
)

# Newest first; backed by the (…, -id) indexes of Lead.
LEAD_ORDERING = ("-id",)
CUSTOMER_PANEL_LIMIT = 20


def leads_visible(user: Any) -> QuerySet[Lead]:
    """The leads ``user`` may see, with what a list row shows, in one query."""
    return Lead.objects.visible_to(user, owner_field="salesperson").select_related(
        "dealer", "salesperson", "city", "vehicle_model"
    )


def assignment_history(lead: Lead) -> list[LeadAssignment]:
    return list(
        lead.assignments.select_related(
            "from_dealer", "to_dealer", "from_salesperson", "to_salesperson", "assigned_by"
        ).order_by("-id")
    )


def loss_requests(lead: Lead) -> list[LeadLossRequest]:
    return list(lead.loss_requests.select_related("requested_by", "decided_by").order_by("-id"))


def customer_leads(user: Any, customer: Any) -> list[Lead]:
    """The customer's leads the user may see, newest first (the 360 page's panel)."""
    return list(
        leads_visible(user)
        .filter(customer_id=customer.pk)
        .order_by(*LEAD_ORDERING)[:CUSTOMER_PANEL_LIMIT]
    )


def open_leads_clashing_in_merge(survivor_id: int, merged_ids: list[int]) -> str | None:
    """Why these customers cannot be merged yet: two of them have an open lead at the same
    dealer, and a customer has at most one there (which one goes on is the salespeople's call,
    not the merge's). ``None`` when nothing clashes."""
    rows = (
        Lead.objects.filter(
            customer_id__in=[survivor_id, *merged_ids],
            status__in=OPEN_STATUSES,
            dealer__isnull=False,
        )
        .order_by("dealer_id", "number")
        .values_list("dealer_id", "dealer__name", "number")
    )
    by_dealer: dict[int, list[tuple[str, str]]] = {}
    for dealer_id, dealer_name, number in rows:
        by_dealer.setdefault(dealer_id, []).append((dealer_name, number or ""))
    for leads in by_dealer.values():
        if len(leads) > 1:
            return _(
                "These customers each have an open lead at %(dealer)s (%(numbers)s); a customer "
                "has at most one there. Convert or close all but one first."
            ) % {"dealer": leads[0][0], "numbers": ", ".join(number for _d, number in leads)}
    return None


# --- opportunities and quotes -------------------------------------------------------------------

OPPORTUNITY_ORDERING = ("-id",)
QUOTE_ORDERING = ("-id",)


def opportunities_visible(user: Any) -> QuerySet[Opportunity]:
    """The opportunities ``user`` may see (a salesperson: their own), with what a row shows."""
    return Opportunity.objects.visible_to(user, owner_field="salesperson").select_related(
        "customer", "dealer", "salesperson", "vehicle_model"
    )


def quotes_visible(user: Any) -> QuerySet[Quote]:
    """The quotes ``user`` may see: those of the opportunities they see."""
    return Quote.objects.visible_to(user, owner_field="opportunity__salesperson").select_related(
        "opportunity", "customer", "dealer"
    )


def stage_history(opportunity: Opportunity) -> list[OpportunityStageChange]:
    return list(opportunity.stage_changes.select_related("changed_by").order_by("-id"))


def customer_opportunities(user: Any, customer: Any) -> list[Opportunity]:
    """The customer's opportunities the user may see, newest first, each with its quotes (the
    360 page's panel): two queries."""
    rows = list(
        opportunities_visible(user)
        .filter(customer_id=customer.pk)
        .order_by(*OPPORTUNITY_ORDERING)[:CUSTOMER_PANEL_LIMIT]
    )
    quotes: dict[int, list[Quote]] = {}
    for quote in Quote.objects.filter(opportunity_id__in=[row.pk for row in rows]).order_by("-id"):
        quotes.setdefault(quote.opportunity_id, []).append(quote)
    for row in rows:
        row.quote_rows = quotes.get(row.pk, [])  # type: ignore[attr-defined]
    return rows
