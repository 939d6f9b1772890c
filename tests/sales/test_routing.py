"""Routing HQ leads: territory specificity, ties by open leads, round robin, manual mode."""

from __future__ import annotations

from typing import Any

import pytest

from autocrm.accounts.choices import Role
from autocrm.sales import routing, services
from tests.factories import DealerFactory, UserFactory
from tests.sales.factories import LeadFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def _web_lead(agent: Any, network: dict, n: int, postcode: str = "") -> Any:
    return services.lead_create(
        actor=agent,
        data={
            "source": "website",
            "name": f"访客{n}",
            "phone": f"1390000{n:04d}",
            "timeframe": "3_months",
            "city": network["east"]["city"],
            "postcode": postcode,
        },
    )


def test_the_most_specific_territory_wins(network: dict) -> None:
    east = network["east"]
    province_dealer, city_dealer, postcode_dealer = (
        network["west_dealer"],
        network["east_other_dealer"],
        network["east_dealer"],
    )
    TerritoryFactory(dealer=province_dealer, region=east["province"])
    TerritoryFactory(dealer=city_dealer, region=east["city"])
    TerritoryFactory(dealer=postcode_dealer, region=east["city"], postcode_prefix="2001")
    assert routing.dealer_for(east["city"], "200120") == postcode_dealer.pk
    assert routing.dealer_for(east["city"], "201100") == city_dealer.pk
    other_city = DealerFactory().region
    other_city.parent = east["province"]
    other_city.save()
    assert routing.dealer_for(other_city, "") == province_dealer.pk
    assert routing.dealer_for(network["west"]["city"], "") is None


def test_a_tie_goes_to_the_dealer_with_fewer_open_leads(network: dict) -> None:
    city = network["east"]["city"]
    busy, quiet = network["east_dealer"], network["east_other_dealer"]
    TerritoryFactory(dealer=busy, region=city)
    TerritoryFactory(dealer=quiet, region=city)
    LeadFactory(dealer=busy)
    LeadFactory(dealer=quiet, status="lost")
    assert routing.dealer_for(city) == quiet.pk


def test_round_robin_is_fair_and_manual_leaves_the_choice(
    user_in: Any, network: dict, salespeople: list
) -> None:
    agent = user_in(Role.CALL_CENTER_AGENT)
    TerritoryFactory(dealer=network["east_dealer"], region=network["east"]["city"])
    UserFactory(role=Role.SALESPERSON, dealer=network["east_dealer"], is_active=False)
    leads = [_web_lead(agent, network, n) for n in range(7)]
    assert {lead.dealer for lead in leads} == {network["east_dealer"]}
    assert [lead.salesperson for lead in leads] == [*salespeople, *salespeople, salespeople[0]]
    assert leads[0].assignments.get().reason == "Routed by territory"
    services.dealer_rule_set(
        actor=user_in(Role.DEALER_MANAGER), dealer=network["east_dealer"], rule="manual"
    )
    manual = _web_lead(agent, network, 8)
    assert (manual.dealer, manual.salesperson) == (network["east_dealer"], None)


def test_a_lead_no_territory_matches_waits_at_headquarters(user_in: Any, network: dict) -> None:
    lead = _web_lead(user_in(Role.CALL_CENTER_AGENT), network, 1)
    assert (lead.dealer, lead.salesperson) == (None, None)
    assert lead.assignments.get().reason == "No territory matches the city"
