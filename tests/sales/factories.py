"""Factories for the sales tests: leads written directly (no routing, no audit) and routing
set-up. Behaviour under test goes through the services."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories import CustomerFactory


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.Lead"

    source = "walk_in"
    name = factory.Sequence(lambda n: f"线索{n}")
    phone = factory.Sequence(lambda n: f"+86137{n:08d}")
    timeframe = "3_months"
    grade = "B"
    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"L{900000000 + n:09d}")


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.Territory"

    postcode_prefix = ""


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An opportunity written directly at ``stage`` (no history, no audit)."""

    class Meta:
        model = "sales.Opportunity"

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"O{900000000 + n:09d}")
    stage = "need_analysis"
    amount = Decimal("200000.00")
    probability = 10
    stage_changed_at = factory.LazyFunction(timezone.now)
