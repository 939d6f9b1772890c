"""Customer filters shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from autocrm.core.filters import IdFilter
from autocrm.customers import identifiers
from autocrm.customers.choices import CustomerKind, CustomerStatus, InterestLevel
from autocrm.customers.models import Customer, CustomerDealer


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or number"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CustomerKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CustomerStatus.choices)
    interest_level = django_filters.ChoiceFilter(
        label=_("Interest level"), choices=InterestLevel.choices
    )
    manager_id = IdFilter(label=_("Customer manager"), field_name="manager_id")
    dealer_id = IdFilter(label=_("Dealer"), method="linked_to_dealer")
    tag = django_filters.CharFilter(label=_("Tag"), method="tagged")

    class Meta:
        model = Customer
        fields = ["q", "kind", "status", "interest_level", "manager_id", "dealer_id", "tag"]

    def search(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        """A customer number, a name's beginning (as folded) or its pinyin initials: each an
        indexed prefix match."""
        value = value.strip()
        if not value:
            return queryset
        folded = identifiers.fold_name(value)
        condition = Q(number__istartswith=value) | Q(name_folded__startswith=folded)
        if identifiers.looks_like_initials(value):
            condition |= Q(name_initials__startswith=value.lower())
        return queryset.filter(condition)

    def linked_to_dealer(
        self, queryset: QuerySet[Customer], name: str, value: int
    ) -> QuerySet[Customer]:
        links = CustomerDealer.objects.filter(dealer_id=value).values("customer_id")
        return queryset.filter(pk__in=links)

    def tagged(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        value = value.strip()
        return queryset.filter(tags__name=value) if value else queryset
