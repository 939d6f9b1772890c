"""What the sales services share: contact normalisation, the customer a lead belongs to, the
dealer link that lets the lead's dealer see that customer, and the assignment history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.customers import identifiers
from autocrm.customers import services as customer_services
from autocrm.customers.choices import ContactKind, CustomerStatus, DealerRelation
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer
from autocrm.sales.choices import OPEN_STATUSES
from autocrm.sales.models import Lead, LeadAssignment

# The code of the refusal of a second open lead of a customer at a dealer.
OPEN_LEAD_EXISTS = "open_lead_exists"


class OpenLeadExists(ValidationError):
    """The refusal of a second open lead; ``lead`` is the open one."""

    def __init__(self, message: str, lead: Lead) -> None:
        super().__init__(message, code=OPEN_LEAD_EXISTS)
        self.lead = lead


def normalised_contacts(phone: str, email: str) -> tuple[str, str]:
    """(phone in E.164 or "", e-mail normalised or ""); a lead needs at least one of them.
    Errors name the field (a phone's bad character, an e-mail's form)."""
    errors: dict[str, list[str]] = {}
    phone, email = (phone or "").strip(), (email or "").strip()
    if not phone and not email:
        message = _("Enter a phone number or an e-mail address: a lead needs one of them.")
        raise ValidationError({"phone": [message], "email": [message]})
    normalised_phone = normalised_email = ""
    if phone:
        try:
            normalised_phone = identifiers.normalise_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if email:
        try:
            normalised_email = identifiers.normalise_email(email)
        except ValidationError as error:
            errors["email"] = error.messages
    if errors:
        raise ValidationError(errors)
    return normalised_phone, normalised_email


def known_customer(*, name: str, phone: str, email: str) -> Customer | None:
    """The active customer a new lead is about: same mobile and same folded name, else same
    e-mail. Index probes on the contact points; not scoped (identity is global)."""
    folded = identifiers.fold_name(name)
    points = ContactPoint.objects.filter(customer__is_active=True).select_related("customer")
    if phone and folded and identifiers.is_mobile(phone):
        found = points.filter(
            kind=ContactKind.PHONE, normalised=phone, customer__name_folded=folded
        ).first()
        if found is not None:
            return found.customer
    if email:
        found = points.filter(kind=ContactKind.EMAIL, normalised=email).first()
        if found is not None:
            return found.customer
    return None


def new_prospect(*, actor: Any, lead: Lead) -> Customer:
    """A prospect customer for the person or company of ``lead``, through the customers
    service (its duplicate check and audit), assigned to the lead's dealer."""
    contacts = []
    if lead.phone:
        contacts.append(
            customer_services.ContactInput(ContactKind.PHONE, lead.phone, field="phone")
        )
    if lead.email:
        contacts.append(
            customer_services.ContactInput(ContactKind.EMAIL, lead.email, field="email")
        )
    return customer_services.customer_create(
        actor=actor,
        data={
            "kind": lead.kind,
            "name": lead.name,
            "city": lead.city,
            "status": CustomerStatus.PROSPECT,
        },
        contact_points=contacts,
        dealer=lead.dealer,
    )


def link_customer_to_dealer(*, actor: Any, customer: Customer, dealer: Any) -> None:
    """Let ``dealer``'s staff see the lead's customer (an "assigned to" link), if no link of
    theirs exists yet."""
    if dealer is None or CustomerDealer.objects.filter(customer=customer, dealer=dealer).exists():
        return
    customer_services.dealer_link_add(
        actor=actor, customer=customer, dealer=dealer, relation=DealerRelation.ASSIGNED_TO
    )


def refuse_second_open_lead(*, customer: Customer, dealer: Any, exclude: int | None = None) -> None:
    """A customer has at most one open lead per dealer; the message names the open one."""
    if dealer is None:
        return
    existing = (
        Lead.objects.filter(customer=customer, dealer=dealer, status__in=OPEN_STATUSES)
        .exclude(pk=exclude or 0)
        .only("number")
        .first()
    )
    if existing is not None:
        raise OpenLeadExists(
            _("%(customer)s already has an open lead at this dealer: %(number)s.")
            % {"customer": customer.name, "number": existing.number},
            existing,
        )


def record_assignment(
    *, lead: Lead, actor: Any, from_dealer: Any, from_salesperson: Any, reason: str
) -> LeadAssignment:
    """Write the assignment step from (``from_dealer``, ``from_salesperson``) to the lead's
    current dealer and salesperson."""
    assignment = LeadAssignment.objects.create(
        lead=lead,
        from_dealer=from_dealer,
        to_dealer=lead.dealer,
        from_salesperson=from_salesperson,
        to_salesperson=lead.salesperson,
        assigned_by=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )
    audit.record_creation(assignment, actor=actor)
    return assignment
