"""Interaction filters shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import (
    AppointmentKind,
    AppointmentStatus,
    InteractionChannel,
    TaskKind,
    TaskStatus,
)
from autocrm.activities.models import Appointment, Interaction, Task
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


class TaskFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=TaskKind.choices)
    assignee_id = IdFilter(label=_("Assignee"), field_name="assignee_id")
    customer_id = IdFilter(label=_("Customer"), field_name="customer_id")
    dealer_id = IdFilter(label=_("Dealer"), field_name="dealer_id")
    due_from = django_filters.DateFilter(
        label=_("Due from"), field_name="due_on", lookup_expr="gte"
    )
    due_until = django_filters.DateFilter(
        label=_("Due until"), field_name="due_on", lookup_expr="lte"
    )

    class Meta:
        model = Task
        fields = ["status", "kind", "assignee_id", "customer_id", "dealer_id"]


class AppointmentFilterSet(django_filters.FilterSet):
    """``since``/``until``: bookings overlapping that range."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=AppointmentStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AppointmentKind.choices)
    owner_id = IdFilter(label=_("With"), field_name="owner_id")
    customer_id = IdFilter(label=_("Customer"), field_name="customer_id")
    vehicle_id = IdFilter(label=_("Vehicle"), field_name="vehicle_id")
    since = django_filters.IsoDateTimeFilter(
        label=_("Since"), field_name="ends_at", lookup_expr="gt"
    )
    until = django_filters.IsoDateTimeFilter(
        label=_("Until"), field_name="starts_at", lookup_expr="lt"
    )

    class Meta:
        model = Appointment
        fields = ["status", "kind", "owner_id", "customer_id", "vehicle_id"]
