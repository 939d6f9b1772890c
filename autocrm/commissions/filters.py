"""Filters shared by the commission plan list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from autocrm.commissions.models import CommissionPlan
from autocrm.core.filters import IdFilter


class CommissionPlanFilterSet(django_filters.FilterSet):
    dealer_id = IdFilter(label=_("Dealer"), field_name="dealer_id")
    in_force_on = django_filters.DateFilter(label=_("In force on"), method="by_day")

    class Meta:
        model = CommissionPlan
        fields = ["dealer_id", "in_force_on"]

    def by_day(
        self, queryset: QuerySet[CommissionPlan], name: str, value: object
    ) -> QuerySet[CommissionPlan]:
        return queryset.filter(
            Q(valid_from__lte=value), Q(valid_to__isnull=True) | Q(valid_to__gte=value)
        )
