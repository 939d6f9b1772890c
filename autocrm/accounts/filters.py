"""Filters of the user list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.core.filters import IdFilter


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    dealer = IdFilter(label=_("Dealer"), field_name="dealer_id")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "dealer", "is_active"]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        """User name from its start, names anywhere."""
        value = value.strip()
        return queryset.filter(
            Q(username__istartswith=value)
            | Q(display_name__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )
