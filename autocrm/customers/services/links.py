"""How a customer relates to others and to dealers: relationships (household, company contacts,
referrals), dealer links (the links that scope customers), and what owning a vehicle changes on
the customer (status and the selling dealer's link)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.core.errors import PermissionDenied
from autocrm.customers.choices import CustomerStatus, DealerRelation, RelationshipKind
from autocrm.customers.models import Customer, CustomerDealer, CustomerRelationship
from autocrm.customers.services.common import dealer_of_staff, raise_errors, require_editor


@transaction.atomic
def relationship_add(
    *,
    actor: Any,
    customer: Customer,
    other: Customer,
    kind: str,
    role: str = "",
    department: str = "",
    note: str = "",
) -> CustomerRelationship:
    """Relate ``other`` to ``customer``: a household member, a contact person of a company
    (with role and department), or the customer who referred ``customer``."""
    require_editor(actor)
    errors: dict[str, list[str]] = {}
    if kind not in RelationshipKind.values:
        errors["kind"] = [_("Select one of the allowed values.")]
    if other.pk == customer.pk:
        errors["other"] = [_("A customer cannot be related to themselves.")]
    elif not other.is_active:
        errors["other"] = [
            _("%(customer)s was merged into another customer.") % {"customer": other}
        ]
    if kind == RelationshipKind.COMPANY_CONTACT and not customer.is_company:
        errors["kind"] = [_("Only a company has contact persons.")]
    if kind == RelationshipKind.COMPANY_CONTACT and other.is_company:
        errors["other"] = [_("A contact person is a person, not a company.")]
    raise_errors(errors)
    if CustomerRelationship.objects.filter(customer=customer, other=other, kind=kind).exists():
        raise ValidationError({"other": _("This relationship is already recorded.")})
    relationship = CustomerRelationship(
        customer=customer, other=other, kind=kind, role=role, department=department, note=note
    )
    relationship.full_clean(validate_unique=False, validate_constraints=False)
    relationship.save()
    audit.record_creation(relationship, actor=actor)
    return relationship


@transaction.atomic
def relationship_remove(*, actor: Any, relationship: CustomerRelationship) -> None:
    require_editor(actor)
    audit.record_deletion(relationship, actor=actor)
    relationship.delete()


def _require_own_dealer(actor: Any, dealer_id: int) -> None:
    own = dealer_of_staff(actor)
    if own is not None and own.pk != dealer_id:
        raise PermissionDenied(_("Dealer staff manage their own dealer's links only."))


@transaction.atomic
def dealer_link_add(
    *,
    actor: Any,
    customer: Customer,
    dealer: Any,
    relation: str,
    since: datetime.date | None = None,
) -> CustomerDealer:
    """Link the customer to a dealer (sold by, serviced by, assigned to); its staff then see it."""
    require_editor(actor)
    _require_own_dealer(actor, dealer.pk)
    if relation not in DealerRelation.values:
        raise ValidationError({"relation": _("Select one of the allowed values.")})
    return _link(actor=actor, customer=customer, dealer=dealer, relation=relation, since=since)


def _link(
    *, actor: Any, customer: Customer, dealer: Any, relation: str, since: datetime.date | None
) -> CustomerDealer:
    """The customer's link to ``dealer`` as ``relation``, created (and audited) if missing."""
    link, created = CustomerDealer.objects.get_or_create(
        customer=customer, dealer=dealer, relation=relation, defaults={"since": since}
    )
    if created:
        audit.record_creation(link, actor=actor)
    return link


@transaction.atomic
def dealer_link_remove(*, actor: Any, link: CustomerDealer) -> None:
    require_editor(actor)
    _require_own_dealer(actor, link.dealer_id)
    audit.record_deletion(link, actor=actor)
    link.delete()


# --- what owning a vehicle changes -------------------------------------------------------------


def _status_set(customer: Customer, status: str, *, actor: Any) -> None:
    """Move the customer to ``status``, audited; the version moves on, so an editor who opened
    the customer before does not silently put the old status back."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.status == status:
        return
    before = audit.snapshot(locked)
    locked.status = status
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    audit.record_change(locked, before, actor=actor)


@transaction.atomic
def customer_mark_owner(
    *, actor: Any, customer: Customer, sold_by: Any, since: datetime.date
) -> None:
    """``customer`` now owns a vehicle: their status becomes "owner" and the selling dealer
    ``sold_by`` (if any) gets a "sold by" link from ``since``, so its staff see them.

    Called by the vehicles services when an owning ownership starts; they have checked the
    actor's right to record the sale, so the right to edit customers is not asked for here.
    Calling it again changes nothing."""
    _status_set(customer, CustomerStatus.OWNER, actor=actor)
    if sold_by is not None:
        _link(
            actor=actor,
            customer=customer,
            dealer=sold_by,
            relation=DealerRelation.SOLD_BY,
            since=since,
        )


@transaction.atomic
def customer_mark_former_owner(*, actor: Any, customer: Customer) -> None:
    """``customer`` no longer owns any vehicle: their status becomes "former owner". The caller
    (the vehicles services, which know the ownerships) has checked that none is left."""
    _status_set(customer, CustomerStatus.FORMER_OWNER, actor=actor)
