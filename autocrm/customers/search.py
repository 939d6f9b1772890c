"""Search providers for the global search box: customers and vehicles, by phone, VIN, plate,
customer number, ID number, credit code, name or pinyin initials (``customers.lookup``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.core.search import SearchHit, SearchProvider, register_search_provider
from autocrm.customers.choices import CustomerStatus
from autocrm.customers.identifiers import display_phone
from autocrm.customers.lookup import CUSTOMER_KINDS, VEHICLE_KINDS, classify, find_customers
from autocrm.customers.lookup import find_vehicles as find_matching_vehicles
from autocrm.customers.models import ContactPoint
from autocrm.vehicles.choices import VehicleStatus


def _primary_phones(customer_ids: list[int]) -> dict[int, str]:
    rows = (
        ContactPoint.objects.filter(customer_id__in=customer_ids, kind="phone", is_primary=True)
        .order_by()
        .values_list("customer_id", "normalised")
    )
    return dict(rows)


def search_customers(user: Any, query: str, limit: int) -> list[SearchHit]:
    terms = [term for term in classify(query) if term.kind in CUSTOMER_KINDS]
    if not terms:
        return []
    customers = find_customers(user, terms, limit=limit)
    phones = _primary_phones([customer["id"] for customer in customers])
    hits = []
    for customer in customers:
        details = [str(CustomerStatus(customer["status"]).label)]
        if phone := phones.get(customer["id"]):
            details.append(display_phone(phone))
        hits.append(
            SearchHit(
                title=f"{customer['name']} ({customer['number']})",
                subtitle=" · ".join(details),
                url=reverse("customers:customer_detail", args=[customer["id"]]),
            )
        )
    return hits


def search_vehicles(user: Any, query: str, limit: int) -> list[SearchHit]:
    terms = [term for term in classify(query) if term.kind in VEHICLE_KINDS]
    if not terms:
        return []
    hits = []
    for vehicle in find_matching_vehicles(user, terms, limit=limit):
        details = [
            f"{vehicle['model__brand']} {vehicle['model__name']}",
            str(VehicleStatus(vehicle["status"]).label),
        ]
        owners = ", ".join(f"{owner['name']} ({owner['number']})" for owner in vehicle["owners"])
        if owners:
            details.append(_("Owner: %(owners)s") % {"owners": owners})
        title = f"{vehicle['vin']} {vehicle['plate']}".strip()
        hits.append(
            SearchHit(
                title=title,
                subtitle=" · ".join(details),
                url=reverse("vehicles:vehicle_detail", args=[vehicle["id"]]),
            )
        )
    return hits


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    register_search_provider(
        SearchProvider(
            key="customers", label=gettext_lazy("Customers"), search=search_customers, order=1
        )
    )
    register_search_provider(
        SearchProvider(
            key="vehicles", label=gettext_lazy("Vehicles"), search=search_vehicles, order=2
        )
    )
