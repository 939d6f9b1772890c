"""Reads of the interaction timeline, always starting from the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from autocrm.activities.models import Interaction
from autocrm.core.pagination import KeysetPage, keyset_page

# The timeline's order, backed by interaction_timeline_idx (customer, -occurred_at, -id) and,
# with a channel, interaction_channel_idx.
TIMELINE_ORDERING = ("-occurred_at", "-id")
TIMELINE_PAGE_SIZE = 20


def interactions_visible(user: Any) -> QuerySet[Interaction]:
    """The interactions ``user`` may see, with what a row shows, in one query."""
    return Interaction.objects.visible_to(user).select_related(
        "customer", "user", "dealer", "vehicle"
    )


def customer_timeline(
    user: Any,
    customer: Any,
    *,
    channel: str = "",
    cursor: str | None = None,
    limit: int = TIMELINE_PAGE_SIZE,
) -> KeysetPage[Interaction]:
    """One page of ``customer``'s timeline, newest first; raises ``InvalidCursor``."""
    rows = (
        Interaction.objects.visible_to(user)
        .filter(customer_id=customer.pk)
        .select_related("user", "dealer", "vehicle")
    )
    if channel:
        rows = rows.filter(channel=channel)
    return keyset_page(rows, ordering=TIMELINE_ORDERING, cursor=cursor, limit=limit)
