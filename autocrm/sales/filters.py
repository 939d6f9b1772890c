"""Lead filters shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from autocrm.core.filters import IdFilter
from autocrm.sales.choices import (
    LeadGrade,
    LeadSource,
    LeadStatus,
    OpportunityStage,
    PurchaseTimeframe,
    QuoteStatus,
)
from autocrm.sales.models import Lead, Opportunity, Quote


class LeadFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LeadStatus.choices)
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=LeadGrade.choices)
    timeframe = django_filters.ChoiceFilter(
        label=_("Purchase timeframe"), choices=PurchaseTimeframe.choices
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=LeadSource.choices)
    dealer_id = IdFilter(label=_("Dealer"), field_name="dealer_id")
    salesperson_id = IdFilter(label=_("Salesperson"), field_name="salesperson_id")
    customer_id = IdFilter(label=_("Customer"), field_name="customer_id")

    class Meta:
        model = Lead
        fields = [
            "status",
            "grade",
            "timeframe",
            "source",
            "dealer_id",
            "salesperson_id",
            "customer_id",
        ]


class OpportunityFilterSet(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=OpportunityStage.choices)
    dealer_id = IdFilter(label=_("Dealer"), field_name="dealer_id")
    salesperson_id = IdFilter(label=_("Salesperson"), field_name="salesperson_id")
    vehicle_model_id = IdFilter(label=_("Model"), field_name="vehicle_model_id")
    customer_id = IdFilter(label=_("Customer"), field_name="customer_id")

    class Meta:
        model = Opportunity
        fields = ["stage", "dealer_id", "salesperson_id", "vehicle_model_id", "customer_id"]


class QuoteFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=QuoteStatus.choices)
    opportunity_id = IdFilter(label=_("Opportunity"), field_name="opportunity_id")
    customer_id = IdFilter(label=_("Customer"), field_name="customer_id")

    class Meta:
        model = Quote
        fields = ["status", "opportunity_id", "customer_id"]
