"""Global search over the dealer network: dealers and regions by code prefix or name, within
the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.core.search import SearchHit, SearchProvider
from autocrm.network.models import Dealer, Region


def _matching(query: str) -> Q:
    return Q(code__istartswith=query) | Q(name__icontains=query)


def search_dealers(user: Any, query: str, limit: int) -> list[SearchHit]:
    dealers = (
        Dealer.objects.visible_to(user)
        .filter(_matching(query.strip()))
        .select_related("region")
        .order_by("code")[:limit]
    )
    return [
        SearchHit(
            title=str(dealer),
            subtitle=f"{dealer.get_dealer_type_display()} · {dealer.region.name}"
            + ("" if dealer.is_active else f" · {_('inactive')}"),
            url=dealer.get_absolute_url(),
        )
        for dealer in dealers
    ]


def search_regions(user: Any, query: str, limit: int) -> list[SearchHit]:
    regions = Region.objects.visible_to(user).filter(_matching(query.strip())).order_by("code")
    return [
        SearchHit(
            title=f"{region.name} ({region.code})",
            subtitle=str(region.get_level_display()),
            url=region.get_absolute_url(),
        )
        for region in regions[:limit]
    ]


PROVIDERS = (
    SearchProvider(key="dealers", label=gettext_lazy("Dealers"), search=search_dealers, order=10),
    SearchProvider(key="regions", label=gettext_lazy("Regions"), search=search_regions, order=20),
)
