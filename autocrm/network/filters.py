"""Filters shared by the list pages and the API, so both answer the same question the same way."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from autocrm.core.filters import IdFilter
from autocrm.network.choices import DealerType, RegionLevel
from autocrm.network.models import Dealer, DealerGroup, Region


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=RegionLevel.choices)
    parent = IdFilter(label=_("Parent region"), field_name="parent_id")

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]

    def search(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        value = value.strip()
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value))


class DealerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    dealer_type = django_filters.ChoiceFilter(label=_("Type"), choices=DealerType.choices)
    region = IdFilter(label=_("Region"), method="in_region")
    group = IdFilter(label=_("Dealer group"), field_name="group_id")
    service_station = django_filters.BooleanFilter(
        label=_("Service stations only"), field_name="services_vehicles"
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Dealer
        fields = ["q", "dealer_type", "region", "group", "service_station", "is_active"]

    def search(self, queryset: QuerySet[Dealer], name: str, value: str) -> QuerySet[Dealer]:
        value = value.strip()
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value))

    def in_region(self, queryset: QuerySet[Dealer], name: str, value: int) -> QuerySet[Dealer]:
        region = Region.objects.filter(pk=value).only("path").first()
        if region is None:
            return queryset.none()
        return queryset.filter(region__path__startswith=region.path)


class DealerGroupFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = DealerGroup
        fields = ["q"]

    def search(
        self, queryset: QuerySet[DealerGroup], name: str, value: str
    ) -> QuerySet[DealerGroup]:
        value = value.strip()
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value))
