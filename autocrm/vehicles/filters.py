"""Filters shared by the vehicle list pages and the API, so both answer the same way."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from autocrm.core.filters import IdFilter
from autocrm.vehicles.choices import Powertrain, VehicleStatus
from autocrm.vehicles.models import Vehicle, VehicleModel
from autocrm.vehicles.vin import clean_vin, normalise_plate


class VehicleFilterSet(django_filters.FilterSet):
    vin = django_filters.CharFilter(
        label=_("VIN"), method="by_vin", help_text=_("The full VIN or its last characters")
    )
    plate = django_filters.CharFilter(label=_("Licence plate"), method="by_plate")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=VehicleStatus.choices)
    model_id = IdFilter(label=_("Model"), field_name="model_id")
    dealer_id = IdFilter(label=_("Dealer"), field_name="dealer_id")
    check_digit_ok = django_filters.BooleanFilter(
        label=_("VIN check digit correct"), field_name="vin_check_digit_ok"
    )

    class Meta:
        model = Vehicle
        fields = ["vin", "plate", "status", "model_id", "dealer_id", "check_digit_ok"]

    def by_vin(self, queryset: QuerySet[Vehicle], name: str, value: str) -> QuerySet[Vehicle]:
        vin = clean_vin(value)
        if len(vin) == 17:
            return queryset.filter(vin=vin)
        if 6 <= len(vin) < 17:
            # The serial number read out on the phone: the indexed last six, then the rest.
            return queryset.filter(vin_tail=vin[-6:], vin__endswith=vin)
        return queryset.filter(vin__startswith=vin)

    def by_plate(self, queryset: QuerySet[Vehicle], name: str, value: str) -> QuerySet[Vehicle]:
        return queryset.filter(plate=normalise_plate(value))


class VehicleModelFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    powertrain = django_filters.ChoiceFilter(label=_("Powertrain"), choices=Powertrain.choices)
    is_active = django_filters.BooleanFilter(label=_("On sale"))

    class Meta:
        model = VehicleModel
        fields = ["q", "powertrain", "is_active"]

    def search(
        self, queryset: QuerySet[VehicleModel], name: str, value: str
    ) -> QuerySet[VehicleModel]:
        value = value.strip()
        return queryset.filter(
            Q(code__istartswith=value)
            | Q(brand__icontains=value)
            | Q(series__icontains=value)
            | Q(name__icontains=value)
        )
