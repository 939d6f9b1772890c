"""Writes to customers: create and update (with the duplicate check and optimistic locking),
contact points, consents and preferences, relationships, dealer links, tags, and reading an ID
number in full. Every service is atomic, validates before saving and writes the audit trail.

``actor`` is the user doing the work; ``None`` means the system itself (commands, seeding),
which is not subject to the role check. Scope is the caller's job: views and the API fetch the
customer with ``access_object`` before calling a service.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Membership, Role
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.core.models import AuditAction
from autocrm.customers import identifiers
from autocrm.customers.choices import (
    ConsentChannel,
    ConsentPurpose,
    ContactKind,
    ContactLabel,
    CustomerKind,
    DealerRelation,
    RelationshipKind,
)
from autocrm.customers.models import (
    Consent,
    ConsentChange,
    ContactPoint,
    Customer,
    CustomerDealer,
    CustomerRelationship,
    Tag,
)
from autocrm.customers.permissions import may_edit_customers, may_see_full_id_number

# Fields only people have; a company leaves them empty.
PERSONAL_FIELDS = (
    "gender",
    "birth_date",
    "marital_status",
    "household_size",
    "family_notes",
    "occupation",
    "nationality",
    "education",
    "income_band",
    "hobbies",
    "lifestyle",
)
COMPANY_FIELDS = ("credit_code", "industry", "company_size")
# What callers may set through ``data``; the rest is derived (number, folded name, ID columns).
EDITABLE_FIELDS = frozenset(
    {
        "kind",
        "name",
        "status",
        "purchase_type",
        "interest_level",
        "owner_club_member",
        "owner_club_since",
        "manager",
        "city",
        "preferred_channel",
        "preferred_time",
        "max_contacts_per_month",
        "notes",
        *PERSONAL_FIELDS,
        *COMPANY_FIELDS,
    }
)


@dataclass(frozen=True)
class ContactInput:
    """A contact point to add with a new customer; ``field`` names it in error messages."""

    kind: str
    value: str
    label: str = ""
    is_primary: bool | None = None
    field: str = "value"


def _require_editor(actor: Any) -> None:
    if actor is not None and not may_edit_customers(actor):
        raise PermissionDenied


def _empty(value: Any) -> bool:
    return value in (None, "", False)


def _check_kind_fields(customer: Customer, errors: dict[str, list[str]]) -> None:
    if customer.kind == CustomerKind.COMPANY:
        for name in PERSONAL_FIELDS:
            if not _empty(getattr(customer, name)):
                errors.setdefault(name, []).append(_("A company has no personal details."))
    elif customer.credit_code:
        errors.setdefault("credit_code", []).append(
            _("Only a company has a unified social credit code.")
        )


def _apply_id_number(
    customer: Customer, id_number: str, errors: dict[str, list[str]], *, store: bool = True
) -> None:
    """Validate and (with ``store``) protect the ID number; fill birth date and gender from it
    when empty, and refuse ones that contradict it."""
    if not id_number:
        if store:
            for name, value in identifiers.protected_id_number_fields("").items():
                setattr(customer, name, value)
        return
    if customer.kind == CustomerKind.COMPANY:
        errors.setdefault("id_number", []).append(_("A company has no resident ID number."))
        return
    try:
        number = identifiers.validate_resident_id(id_number)
    except ValidationError as error:
        errors.setdefault("id_number", []).extend(error.messages)
        return
    if store:
        for name, value in identifiers.protected_id_number_fields(number).items():
            setattr(customer, name, value)
    born = identifiers.birth_date_from_resident_id(number)
    gender = identifiers.gender_from_resident_id(number)
    if customer.birth_date is None:
        customer.birth_date = born
    elif customer.birth_date != born:
        errors.setdefault("birth_date", []).append(
            _("The ID number gives the birth date %(date)s.") % {"date": born.isoformat()}
        )
    if not customer.gender:
        customer.gender = gender
    elif customer.gender != gender:
        errors.setdefault("gender", []).append(_("The ID number gives another gender."))


def _apply_credit_code(customer: Customer, errors: dict[str, list[str]]) -> None:
    if customer.kind != CustomerKind.COMPANY or not customer.credit_code:
        customer.credit_code = customer.credit_code or None
        return
    try:
        customer.credit_code = identifiers.validate_credit_code(customer.credit_code)
    except ValidationError as error:
        errors.setdefault("credit_code", []).extend(error.messages)


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


def find_duplicate(customer: Customer, mobiles: Iterable[str] = ()) -> tuple[str, Customer] | None:
    """An active customer other than ``customer`` that is the same one: same ID number, same
    credit code, or same mobile with the same folded name. Each probe is one index lookup.
    Answers (the field that matched, the existing customer)."""
    others = Customer.objects.filter(is_active=True).exclude(pk=customer.pk).only("id", "number")
    if customer.id_number_hash:
        found = others.filter(id_number_hash=customer.id_number_hash).first()
        if found:
            return "id_number", found
    if customer.credit_code:
        found = others.filter(credit_code=customer.credit_code).first()
        if found:
            return "credit_code", found
    mobiles = list(mobiles)
    if mobiles and customer.name_folded:
        phone = (
            ContactPoint.objects.filter(
                kind=ContactKind.PHONE,
                normalised__in=mobiles,
                customer__name_folded=customer.name_folded,
                customer__is_active=True,
            )
            .exclude(customer_id=customer.pk)
            .select_related("customer")
            .only("customer_id", "customer__id", "customer__number")
            .first()
        )
        if phone:
            return "phone", phone.customer
    return None


def _refuse_duplicate(customer: Customer, mobiles: Iterable[str], phone_field: str) -> None:
    duplicate = find_duplicate(customer, mobiles)
    if duplicate is None:
        return
    field, existing = duplicate
    messages = {
        "id_number": _("A customer with this ID number already exists: %(number)s."),
        "credit_code": _("A company with this credit code already exists: %(number)s."),
        "phone": _("A customer with this name and mobile number already exists: %(number)s."),
    }
    key = phone_field if field == "phone" else field
    raise ValidationError({key: messages[field] % {"number": existing.number}})


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _current_id_number(customer: Customer) -> str:
    if not customer.id_number_encrypted:
        return ""
    return identifiers.decrypt_identifier(customer.id_number_encrypted)


@transaction.atomic
def customer_create(
    *,
    actor: Any,
    data: dict[str, Any],
    contact_points: Sequence[ContactInput] = (),
    id_number: str = "",
    dealer: Any = None,
    tags: Sequence[str] = (),
) -> Customer:
    """Create a customer with its contact points, refusing a duplicate of an existing one
    (the message names its number). The number (C + 9-digit id) is set in the same transaction.
    Dealer staff's customers are assigned to their dealer (a salesperson becomes the manager);
    others may name a ``dealer`` to assign the customer to."""
    _require_editor(actor)
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("This field is not allowed.") for name in sorted(unknown)})
    customer = Customer(**data)
    customer.name = (customer.name or "").strip()
    customer.name_folded = identifiers.fold_name(customer.name)
    customer.name_initials = identifiers.name_initials(customer.name)
    if actor is not None and actor.role == Role.SALESPERSON and customer.manager_id is None:
        customer.manager = actor
    errors: dict[str, list[str]] = {}
    _check_kind_fields(customer, errors)
    _apply_credit_code(customer, errors)
    _apply_id_number(customer, id_number, errors)
    normalised: list[tuple[ContactInput, str, bool]] = []
    for contact in contact_points:
        try:
            value, mobile = normalise_contact(contact.kind, contact.value)
        except ValidationError as error:
            errors.setdefault(contact.field, []).extend(error.messages)
            continue
        if any(n[0].kind == contact.kind and n[1] == value for n in normalised):
            errors.setdefault(contact.field, []).append(_("This contact is entered twice."))
            continue
        normalised.append((contact, value, mobile))
    _raise(errors)
    mobiles = [value for _c, value, mobile in normalised if mobile]
    phone_field = next((c.field for c, _v, mobile in normalised if mobile), "phone")
    _refuse_duplicate(customer, mobiles, phone_field)
    customer.full_clean(exclude=["number"])
    customer.save()
    customer.number = f"C{customer.pk:09d}"
    Customer.objects.filter(pk=customer.pk).update(number=customer.number)
    audit.record_creation(customer, actor=actor)
    for contact, value, mobile in normalised:
        _contact_point_create(actor, customer, contact, value, mobile)
    dealer = _dealer_of_staff(actor) or dealer
    if dealer is not None:
        link = CustomerDealer.objects.create(
            customer=customer, dealer=dealer, relation=DealerRelation.ASSIGNED_TO
        )
        audit.record_creation(link, actor=actor)
    if tags:
        customer.tags.set(_tags_named(tags))
    return customer


def _dealer_of_staff(actor: Any) -> Any:
    if actor is None or not actor.role or actor.membership != Membership.DEALER:
        return None
    return actor.dealer


def _contact_point_create(
    actor: Any, customer: Customer, contact: ContactInput, value: str, mobile: bool
) -> ContactPoint:
    has_primary = ContactPoint.objects.filter(
        customer=customer, kind=contact.kind, is_primary=True
    ).first()
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
    point.full_clean(validate_unique=False, validate_constraints=False)
    point.save()
    audit.record_creation(point, actor=actor)
    return point


def _lock(customer: Customer, expected_version: int | None) -> Customer:
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    return locked


@transaction.atomic
def customer_update(
    *,
    actor: Any,
    customer: Customer,
    data: dict[str, Any],
    id_number: str | None = None,
    expected_version: int | None = None,
) -> Customer:
    """Change a customer. ``id_number``: None leaves it, "" removes it, else replaces it.
    With ``expected_version`` (the version the editor read), a save after someone else's is
    refused (StaleRecord) and nothing is written."""
    _require_editor(actor)
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("This field is not allowed.") for name in sorted(unknown)})
    locked = _lock(customer, expected_version)
    if not locked.is_active:
        raise ValidationError(_("This customer was merged into another and cannot be changed."))
    before = audit.snapshot(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.name = (locked.name or "").strip()
    locked.name_folded = identifiers.fold_name(locked.name)
    locked.name_initials = identifiers.name_initials(locked.name)
    errors: dict[str, list[str]] = {}
    _check_kind_fields(locked, errors)
    _apply_credit_code(locked, errors)
    if id_number is None:
        # Unchanged: only checked against the birth date and gender (no new ciphertext).
        _apply_id_number(locked, _current_id_number(locked), errors, store=False)
    else:
        _apply_id_number(locked, id_number, errors)
    _raise(errors)
    mobiles = ContactPoint.objects.filter(customer=locked, kind=ContactKind.PHONE, is_mobile=True)
    _refuse_duplicate(locked, mobiles.values_list("normalised", flat=True), "name")
    locked.full_clean()
    # The row is locked until commit, so a plain increment cannot lose an update.
    locked.version += 1
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


def preferences_set(
    *,
    actor: Any,
    customer: Customer,
    preferred_channel: str,
    preferred_time: str,
    max_contacts_per_month: int | None,
    expected_version: int | None = None,
) -> Customer:
    """The customer's contact preferences (consents themselves are ``consent_set``)."""
    return customer_update(
        actor=actor,
        customer=customer,
        expected_version=expected_version,
        data={
            "preferred_channel": preferred_channel,
            "preferred_time": preferred_time,
            "max_contacts_per_month": max_contacts_per_month,
        },
    )


def _tags_named(names: Iterable[str]) -> list[Tag]:
    cleaned = sorted({name.strip()[:50] for name in names if name and name.strip()})
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=name) for name in cleaned if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=cleaned))


@transaction.atomic
def tags_set(*, actor: Any, customer: Customer, names: Sequence[str]) -> list[Tag]:
    """Replace the customer's tags with ``names`` (new tags are created)."""
    _require_editor(actor)
    old = sorted(customer.tags.values_list("name", flat=True))
    tags = _tags_named(names)
    customer.tags.set(tags)
    new = sorted(tag.name for tag in tags)
    if old != new:
        # Many-to-many values are not in snapshots, so the change is written as such.
        audit._write(customer, AuditAction.UPDATE, actor, {"tags": [old, new]})
    return tags


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
    _require_editor(actor)
    if label and label not in ContactLabel.values:
        raise ValidationError({"label": _("Select one of the allowed values.")})
    normalised, mobile = normalise_contact(kind, value)
    probe = ContactPoint(customer=customer, kind=kind, normalised=normalised)
    _refuse_repeated_contact(probe)
    contact = ContactInput(kind=kind, value=value, label=label, is_primary=is_primary)
    return _contact_point_create(actor, customer, contact, normalised, mobile)


@transaction.atomic
def contact_point_update(
    *, actor: Any, contact_point: ContactPoint, data: dict[str, Any]
) -> ContactPoint:
    """Change a contact point's value, label or primary flag (kind stays)."""
    _require_editor(actor)
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
    _require_editor(actor)
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
    _require_editor(actor)
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
    _raise(errors)
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


# --- relationships and dealer links ------------------------------------------------------------


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
    _require_editor(actor)
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
    _raise(errors)
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
    _require_editor(actor)
    audit.record_deletion(relationship, actor=actor)
    relationship.delete()


def _require_own_dealer(actor: Any, dealer_id: int) -> None:
    own = _dealer_of_staff(actor)
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
    _require_editor(actor)
    _require_own_dealer(actor, dealer.pk)
    if relation not in DealerRelation.values:
        raise ValidationError({"relation": _("Select one of the allowed values.")})
    link, created = CustomerDealer.objects.get_or_create(
        customer=customer, dealer=dealer, relation=relation, defaults={"since": since}
    )
    if created:
        audit.record_creation(link, actor=actor)
    return link


@transaction.atomic
def dealer_link_remove(*, actor: Any, link: CustomerDealer) -> None:
    _require_editor(actor)
    _require_own_dealer(actor, link.dealer_id)
    audit.record_deletion(link, actor=actor)
    link.delete()


# --- identifiers ---------------------------------------------------------------------------------


def id_number_reveal(*, actor: Any, customer: Customer) -> str:
    """The customer's ID number in full, for roles that may read it; each read is audited."""
    if not may_see_full_id_number(actor):
        raise PermissionDenied(_("Your role may not see ID numbers in full."))
    number = _current_id_number(customer)
    if number:
        audit.record_identifier_view(customer, "id_number_masked", actor=actor)
    return number
