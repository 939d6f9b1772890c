"""Reads of leads, always starting from the user's scope (a salesperson: their own only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from autocrm.sales.models import Lead, LeadAssignment, LeadLossRequest

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
