"""Factories for the sales tests: leads written directly (no routing, no audit) and routing
set-up. Behaviour under test goes through the services."""

from __future__ import annotations

import factory

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
