"""The customer 360 page's own panels: profile, contacts and consents, relationships, dealers,
history. Each context function reads a bounded number of rows within the user's scope.

A panel's forms come from ``request.customer_panel_forms`` when an inline action re-renders it
with errors (see ``views._panel``), else they are fresh.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from autocrm.core.history import history_rows
from autocrm.customers import consent, selectors
from autocrm.customers.choices import ConsentChannel, ConsentPurpose, RelationshipKind
from autocrm.customers.forms import (
    ConsentForm,
    ContactPointForm,
    PreferencesForm,
    RelationshipForm,
)
from autocrm.customers.models import Consent, Customer
from autocrm.customers.panels import CustomerPanel, register_panel
from autocrm.customers.permissions import may_edit_customers, may_see_full_id_number


def _forms(request: HttpRequest) -> dict[str, Any]:
    return getattr(request, "customer_panel_forms", {}) or {}


def _may_edit(request: HttpRequest, customer: Customer) -> bool:
    return may_edit_customers(request.user) and customer.is_active


def profile_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    contacts = []
    if customer.is_company:
        relationships = selectors.relationships_of(request.user, customer)["outgoing"]
        contacts = [r for r in relationships if r.kind == RelationshipKind.COMPANY_CONTACT]
    return {
        "company_contacts": contacts,
        "may_reveal": may_see_full_id_number(request.user) and bool(customer.id_number_masked),
    }


def contacts_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    forms = _forms(request)
    consents = {(c.channel, c.purpose): c for c in Consent.objects.filter(customer=customer)}
    decisions = consent.contact_matrix(customer)
    rows = [
        {
            "channel": channel,
            "cells": [
                {
                    "purpose": purpose,
                    "consent": consents.get((channel.value, purpose.value)),
                    "decision": decisions[(channel.value, purpose.value)],
                }
                for purpose in ConsentPurpose
            ],
        }
        for channel in ConsentChannel
    ]
    return {
        "contact_points": selectors.contact_points_of(customer),
        "consent_rows": rows,
        "purposes": list(ConsentPurpose),
        "may_edit": _may_edit(request, customer),
        "contact_form": forms.get("contact_form") or ContactPointForm(prefix="contact"),
        "consent_form": forms.get("consent_form") or ConsentForm(prefix="consent"),
        "preferences_form": forms.get("preferences_form")
        or PreferencesForm(instance=customer, prefix="preferences"),
    }


def relationships_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    forms = _forms(request)
    return {
        **selectors.relationships_of(request.user, customer),
        "may_edit": _may_edit(request, customer),
        "relationship_form": forms.get("relationship_form")
        or RelationshipForm(user=request.user, prefix="relationship"),
    }


def dealers_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    forms = _forms(request)
    may_edit = _may_edit(request, customer)
    # The form (a list of every dealer the user sees) is rendered when the user opens it.
    return {
        "links": selectors.dealer_links_of(customer),
        "may_edit": may_edit,
        "dealer_form": forms.get("dealer_form") if may_edit else None,
    }


def history_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"history": history_rows(customer, request.user)}


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
    for panel in (
        CustomerPanel(
            key="profile",
            title=_("Profile"),
            template="customers/panels/profile.html",
            context=profile_context,
            order=10,
            column="main",
        ),
        CustomerPanel(
            key="contacts",
            title=_("Contacts and consents"),
            template="customers/panels/contacts.html",
            context=contacts_context,
            order=10,
            column="side",
        ),
        CustomerPanel(
            key="relationships",
            title=_("Relationships"),
            template="customers/panels/relationships.html",
            context=relationships_context,
            order=30,
            column="side",
        ),
        CustomerPanel(
            key="dealers",
            title=_("Dealers"),
            template="customers/panels/dealers.html",
            context=dealers_context,
            order=40,
            column="side",
        ),
        CustomerPanel(
            key="history",
            title=_("History"),
            template="customers/panels/history.html",
            context=history_context,
            order=900,
            column="main",
        ),
    ):
        register_panel(panel)
