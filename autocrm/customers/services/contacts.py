"""Contact points (phones, e-mail, addresses, messaging handles) and consents: the channels a
customer is reachable on, and what they agreed to be contacted for."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.customers import identifiers
from autocrm.customers.choices import ConsentChannel, ConsentPurpose, ContactKind, ContactLabel
from autocrm.customers.models import Consent, ConsentChange, ContactPoint, Customer
from autocrm.customers.services.common import raise_errors, require_editor


@dataclass(frozen=True)
class ContactInput:
    """A contact point to add with a new customer; ``field`` names it in error messages."""

    kind: str
    value: str
    label: str = ""
    is_primary: bool | None = None
    field: str = "value"


def normalise_contact(kind: str, value: str) -> tuple[str, bool]:
    """(normalised value, is a mobile phone), or a ValidationError on ``value``."""
    if kind not in ContactKind.values:
        raise ValidationError({"kind": _("Select one of the allowed values.")})
    try:
        if kind == ContactKind.PHONE:
            normalised = identifiers.normalise_phone(value)
            return normalised, identifiers.is_mobile(normalised)
        if kind == ContactKind.EMAIL:
            return identifiers.normalise_email(value), False
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    normalised = identifiers.normalise_handle(value)
    if not normalised:
        raise ValidationError({"value": _("This field is required.")})
    return normalised, False


def contact_point_insert(
    *,
    actor: Any,
    customer: Customer,
    contact: ContactInput,
    value: str,
    mobile: bool,
    primaries: dict[str, ContactPoint | None] | None = None,
    created: list[Any] | None = None,
) -> ContactPoint:
    """Save ``contact`` for ``customer`` as ``value`` (already normalised by
    ``normalise_contact`` and checked against repeats): the first of its kind, or one marked
    primary, becomes the primary one. ``primaries`` (kind -> primary point), when the caller
    knows them all (a customer created in this transaction), saves looking them up; with
    ``created``, the new point is added there for the caller to audit with its other records."""
    if primaries is None:
        has_primary = ContactPoint.objects.filter(
            customer=customer, kind=contact.kind, is_primary=True
        ).first()
    else:
        has_primary = primaries.get(contact.kind)
    primary = contact.is_primary if contact.is_primary is not None else has_primary is None
    if primary and has_primary is not None:
        before = audit.snapshot(has_primary)
        has_primary.is_primary = False
        has_primary.save(update_fields=["is_primary", "updated_at"])
        audit.record_change(has_primary, before, actor=actor)
    label = contact.label or (ContactLabel.MOBILE if mobile else ContactLabel.OTHER)
    point = ContactPoint(
        customer=customer,
        kind=contact.kind,
        label=label,
        value=contact.value.strip(),
        normalised=value,
        is_primary=primary,
        is_mobile=mobile,
    )
    # The customer is the saved instance in hand: no need to query that it exists.
    point.full_clean(exclude=["customer"], validate_unique=False, validate_constraints=False)
    point.save()
    if created is None:
        audit.record_creation(point, actor=actor)
    else:
        created.append(point)
    if primaries is not None and primary:
        primaries[contact.kind] = point
    return point


# --- contact points --------------------------------------------------------------------------


def _refuse_repeated_contact(point: ContactPoint) -> None:
    repeated = ContactPoint.objects.filter(
        customer_id=point.customer_id, kind=point.kind, normalised=point.normalised
    ).exclude(pk=point.pk)
    if repeated.exists():
        raise ValidationError({"value": _("This customer already has this contact.")})


@transaction.atomic
def contact_point_add(
    *,
    actor: Any,
    customer: Customer,
    kind: str,
    value: str,
    label: str = "",
    is_primary: bool | None = None,
) -> ContactPoint:
    """Add a contact point, normalised by kind; the first of a kind becomes primary, and
    making one primary unsets the previous primary of its kind."""
    require_editor(actor)
    if label and label not in ContactLabel.values:
        raise ValidationError({"label": _("Select one of the allowed values.")})
    normalised, mobile = normalise_contact(kind, value)
    probe = ContactPoint(customer=customer, kind=kind, normalised=normalised)
    _refuse_repeated_contact(probe)
    contact = ContactInput(kind=kind, value=value, label=label, is_primary=is_primary)
    return contact_point_insert(
        actor=actor, customer=customer, contact=contact, value=normalised, mobile=mobile
    )


@transaction.atomic
def contact_point_update(
    *, actor: Any, contact_point: ContactPoint, data: dict[str, Any]
) -> ContactPoint:
    """Change a contact point's value, label or primary flag (kind stays)."""
    require_editor(actor)
    point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
    before = audit.snapshot(point)
    if "value" in data:
        point.value = str(data["value"]).strip()
        point.normalised, point.is_mobile = normalise_contact(point.kind, point.value)
        _refuse_repeated_contact(point)
    if "label" in data:
        if data["label"] not in ContactLabel.values:
            raise ValidationError({"label": _("Select one of the allowed values.")})
        point.label = data["label"]
    if data.get("is_primary") and not point.is_primary:
        previous = ContactPoint.objects.filter(
            customer_id=point.customer_id, kind=point.kind, is_primary=True
        ).first()
        if previous is not None:
            previous_before = audit.snapshot(previous)
            previous.is_primary = False
            previous.save(update_fields=["is_primary", "updated_at"])
            audit.record_change(previous, previous_before, actor=actor)
        point.is_primary = True
    elif data.get("is_primary") is False:
        point.is_primary = False
    point.full_clean(validate_unique=False, validate_constraints=False)
    point.save()
    audit.record_change(point, before, actor=actor)
    return point


@transaction.atomic
def contact_point_remove(*, actor: Any, contact_point: ContactPoint) -> None:
    """Remove a contact point; when it was primary, the oldest other one of its kind is."""
    require_editor(actor)
    audit.record_deletion(contact_point, actor=actor)
    was_primary = contact_point.is_primary
    customer_id, kind = contact_point.customer_id, contact_point.kind
    contact_point.delete()
    if was_primary:
        others = ContactPoint.objects.filter(customer_id=customer_id, kind=kind)
        successor = others.order_by("id").first()
        if successor is not None:
            contact_point_update(actor=actor, contact_point=successor, data={"is_primary": True})


# --- consents ----------------------------------------------------------------------------------


@transaction.atomic
def consent_set(
    *,
    actor: Any,
    customer: Customer,
    channel: str,
    purpose: str,
    granted: bool,
    source: str,
    at: datetime.datetime | None = None,
) -> Consent:
    """Record a grant or withdrawal for one channel and purpose, with its source and time.
    Every call adds a ConsentChange; the current answer is the latest by time, so entering an
    older paper form late keeps it in the history without undoing a newer answer."""
    require_editor(actor)
    errors: dict[str, list[str]] = {}
    if channel not in ConsentChannel.values:
        errors["channel"] = [_("Select one of the allowed values.")]
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Select one of the allowed values.")]
    source = (source or "").strip()
    if not source:
        errors["source"] = [_("Say where the consent comes from (a form, a call, …).")]
    now = timezone.now()
    at = at or now
    if at > now + datetime.timedelta(minutes=5):
        errors["at"] = [_("A consent cannot be given in the future.")]
    raise_errors(errors)
    change = ConsentChange(
        customer=customer,
        channel=channel,
        purpose=purpose,
        granted=granted,
        changed_at=at,
        source=source[:100],
        recorded_by=actor,
    )
    change.save()
    consent = (
        Consent.objects.select_for_update()
        .filter(customer=customer, channel=channel, purpose=purpose)
        .first()
    )
    if consent is None:
        consent = Consent.objects.create(
            customer=customer,
            channel=channel,
            purpose=purpose,
            granted=granted,
            changed_at=at,
            source=source[:100],
        )
        audit.record_creation(consent, actor=actor)
    elif consent.changed_at <= at:
        before = audit.snapshot(consent)
        consent.granted, consent.changed_at, consent.source = granted, at, source[:100]
        consent.save()
        audit.record_change(consent, before, actor=actor)
    return consent
