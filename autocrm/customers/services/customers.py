"""Creating and changing customers: the duplicate check, ID numbers and credit codes, optimistic
locking, contact preferences, tags, and reading an ID number in full."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Role
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.customers import identifiers
from autocrm.customers.choices import ContactKind, CustomerKind, DealerRelation
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer, Tag
from autocrm.customers.permissions import may_see_full_id_number
from autocrm.customers.services.common import dealer_of_staff, raise_errors, require_editor
from autocrm.customers.services.contacts import (
    ContactInput,
    contact_point_insert,
    normalise_contact,
)

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
    require_editor(actor)
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
    raise_errors(errors)
    mobiles = [value for _c, value, mobile in normalised if mobile]
    phone_field = next((c.field for c, _v, mobile in normalised if mobile), "phone")
    _refuse_duplicate(customer, mobiles, phone_field)
    # The acting user as manager needs no query to prove they exist.
    acting_manager = actor is not None and customer.manager_id == actor.pk
    customer.full_clean(exclude=["number", "manager"] if acting_manager else ["number"])
    customer.save()
    customer.number = f"C{customer.pk:09d}"
    Customer.objects.filter(pk=customer.pk).update(number=customer.number)
    created: list[Any] = [customer]  # audited together, in one statement
    primaries: dict[str, Any] = {}  # a new customer has none yet
    for contact, value, mobile in normalised:
        contact_point_insert(
            actor=actor,
            customer=customer,
            contact=contact,
            value=value,
            mobile=mobile,
            primaries=primaries,
            created=created,
        )
    dealer = dealer_of_staff(actor) or dealer
    if dealer is not None:
        created.append(
            CustomerDealer.objects.create(
                customer=customer, dealer=dealer, relation=DealerRelation.ASSIGNED_TO
            )
        )
    audit.record_creations(created, actor=actor)
    if tags:
        customer.tags.set(_tags_named(tags))
    return customer


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
    require_editor(actor)
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
    raise_errors(errors)
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
    require_editor(actor)
    old = sorted(customer.tags.values_list("name", flat=True))
    tags = _tags_named(names)
    customer.tags.set(tags)
    new = sorted(tag.name for tag in tags)
    # Many-to-many values are not in snapshots, so the change is given as such.
    audit.record_changes(customer, {"tags": (old, new)}, actor=actor)
    return tags


# --- identifiers ---------------------------------------------------------------------------------


def id_number_reveal(*, actor: Any, customer: Customer) -> str:
    """The customer's ID number in full, for roles that may read it; each read is audited."""
    if not may_see_full_id_number(actor):
        raise PermissionDenied(_("Your role may not see ID numbers in full."))
    number = _current_id_number(customer)
    if number:
        audit.record_identifier_view(customer, "id_number_masked", actor=actor)
    return number
