"""Interaction filters shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import InteractionChannel
from autocrm.activities.models import Interaction
from autocrm.core.filters import IdFilter


class InteractionFilterSet(django_filters.FilterSet):
    customer_id = IdFilter(label=_("Customer"), field_name="customer_id")
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=InteractionChannel.choices)
    user_id = IdFilter(label=_("By"), field_name="user_id")
    dealer_id = IdFilter(label=_("Dealer"), field_name="dealer_id")
    since = django_filters.IsoDateTimeFilter(
        label=_("Since"), field_name="occurred_at", lookup_expr="gte"
    )
    until = django_filters.IsoDateTimeFilter(
        label=_("Until"), field_name="occurred_at", lookup_expr="lt"
    )

    class Meta:
        model = Interaction
        fields = ["customer_id", "channel", "user_id", "dealer_id", "since", "until"]
