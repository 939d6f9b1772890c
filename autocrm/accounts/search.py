"""Global search over users: by user name prefix or name, within the searcher's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from autocrm.accounts.models import User
from autocrm.core.scoping import visible_to
from autocrm.core.search import SearchHit, SearchProvider


def search_users(user: Any, query: str, limit: int) -> list[SearchHit]:
    query = query.strip()
    users = (
        visible_to(user, User.objects.all())
        .filter(
            Q(username__istartswith=query)
            | Q(display_name__icontains=query)
            | Q(last_name__istartswith=query)
        )
        .select_related("dealer", "region", "hq_department")
        .order_by("username")[:limit]
    )
    return [
        SearchHit(
            title=f"{found} ({found.username})",
            subtitle=" · ".join(
                str(part)
                for part in (
                    found.get_role_display(),
                    found.dealer or found.region or found.hq_department,
                )
                if part
            ),
            url=found.get_absolute_url(),
        )
        for found in users
    ]


PROVIDER = SearchProvider(key="users", label=gettext_lazy("Users"), search=search_users, order=90)
