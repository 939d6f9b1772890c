"""Routing: which dealer a lead goes to, and which of its salespeople.

A dealer's territories name provinces and cities, optionally narrowed by a postcode prefix. A
lead's city (and postcode) matches the territories of that city and of its province; the most
specific match wins (a postcode prefix over a city over a province, a longer prefix over a
shorter one), ties go to the dealer with the fewest open leads, then the lower dealer id. Within
the dealer, the rule decides: round robin over its active salespeople, or manual (no
salesperson: the dealer manager assigns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.sales.choices import OPEN_STATUSES, AssignmentRule
from autocrm.sales.models import DealerLeadRule, Lead, Territory

# Specificity of a match: a postcode prefix adds its length on top of the city's level.
_PROVINCE, _CITY, _POSTCODE = 1, 2, 10


@dataclass(frozen=True)
class DealerMatch:
    dealer_id: int
    specificity: int


def _specificity(territory: Territory, city: Any, postcode: str) -> int | None:
    prefix = territory.postcode_prefix
    if prefix:
        if not postcode.startswith(prefix):
            return None
        return _POSTCODE + len(prefix)
    return _CITY if territory.region_id == city.pk else _PROVINCE


def dealer_for(city: Any, postcode: str = "") -> int | None:
    """The id of the dealer whose territory fits ``city`` (a Region) and ``postcode`` best, or
    ``None`` when no active dealer selling cars holds one. Two queries at most."""
    if city is None:
        return None
    regions = [city.pk] + ([city.parent_id] if city.parent_id else [])
    territories = Territory.objects.filter(
        region_id__in=regions, dealer__is_active=True, dealer__sells_vehicles=True
    ).only("dealer_id", "region_id", "postcode_prefix")
    best: dict[int, int] = {}
    for territory in territories:
        specificity = _specificity(territory, city, postcode.strip())
        if specificity is not None:
            best[territory.dealer_id] = max(specificity, best.get(territory.dealer_id, 0))
    if not best:
        return None
    top = max(best.values())
    tied = sorted(dealer for dealer, specificity in best.items() if specificity == top)
    if len(tied) == 1:
        return tied[0]
    open_counts = dict(
        Lead.objects.filter(dealer_id__in=tied, status__in=OPEN_STATUSES)
        .values_list("dealer_id")
        .annotate(count=Count("id"))
        .values_list("dealer_id", "count")
    )
    return min(tied, key=lambda dealer: (open_counts.get(dealer, 0), dealer))


def salespeople_of(dealer_id: int) -> Any:
    """The dealer's active salespeople, in the round robin's order."""
    return User.objects.filter(dealer_id=dealer_id, role=Role.SALESPERSON, is_active=True).order_by(
        "id"
    )


def rule_of(dealer: Any) -> DealerLeadRule:
    """The dealer's rule row, locked until the transaction ends (so two leads routed at once
    do not go to the same salesperson); created with the default rule when missing."""
    DealerLeadRule.objects.get_or_create(dealer_id=dealer.pk)
    return DealerLeadRule.objects.select_for_update().get(dealer_id=dealer.pk)


def salesperson_for(dealer: Any) -> Any:
    """The salesperson the dealer's rule gives the next lead to (``None``: manual, or no
    salesperson). Round robin moves the dealer's position on; call inside a transaction."""
    rule = rule_of(dealer)
    if rule.rule == AssignmentRule.MANUAL:
        return None
    people = salespeople_of(dealer.pk)
    after = rule.last_salesperson_id or 0
    chosen = people.filter(id__gt=after).first() or people.first()
    if chosen is not None:
        DealerLeadRule.objects.filter(pk=rule.pk).update(last_salesperson=chosen)
    return chosen
