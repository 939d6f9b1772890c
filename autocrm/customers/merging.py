"""The merge registry: every record that points at a customer is listed here, so merging
customers moves all of them. Apps register their relations in ``AppConfig.ready``::

    register_merge_relation(Interaction, "customer")
    register_merge_relation(CustomerDealer, "customer", unique_with=("dealer", "relation"))

``unique_with`` names the other fields of a unique constraint that includes the customer field:
rows of the merged customer that would duplicate a row of the survivor are deleted instead of
moved (the survivor's row wins). The merge service (``merge_customers`` below) runs
the moves as set-based UPDATEs, one per relation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _

from autocrm.core.audit import record_change, record_creation, snapshot
from autocrm.core.errors import ApplicationError
from autocrm.core.scoping import visible_to


@dataclass(frozen=True)
class MergeRelation:
    model: type[models.Model]
    field: str
    unique_with: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


_relations: dict[str, MergeRelation] = {}


def register_merge_relation(
    model: type[models.Model], field: str, *, unique_with: tuple[str, ...] = ()
) -> None:
    relation = MergeRelation(model=model, field=field, unique_with=unique_with)
    _relations[relation.label] = relation


def merge_relations() -> list[MergeRelation]:
    return sorted(_relations.values(), key=lambda relation: relation.label)


# A check gets (survivor id, merged ids) and answers why they cannot be merged, or None.
MergeCheck = Callable[[int, list[int]], str | None]
_checks: list[MergeCheck] = []


def register_merge_check(check: MergeCheck) -> None:
    """A rule of another app that a merge would break and that no row can be dropped for (two
    open leads at one dealer): the merge is refused with the check's message."""
    if check not in _checks:
        _checks.append(check)


# --- the merge service ----------------------------------------------------------------------

# Profile fields copied from a merged customer when the survivor's are empty. The three ID
# number columns travel together (they describe one number).
_PROFILE_FIELDS = (
    "manager_id",
    "city_id",
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
    "credit_code",
    "industry",
    "company_size",
    "preferred_channel",
    "max_contacts_per_month",
    "interest_level",
    "owner_club_since",
    "notes",
)
_ID_NUMBER_FIELDS = ("id_number_encrypted", "id_number_hash", "id_number_masked")


class InvalidMerge(ApplicationError):
    default_message = _("These customers cannot be merged.")


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _customer_fields(model: type[models.Model]) -> list[str]:
    from autocrm.customers.models import Customer

    return [
        field.name
        for field in model._meta.concrete_fields
        if getattr(field, "related_model", None) is Customer
    ]


def _drop_rows_between(relation: MergeRelation, ids: list[int]) -> int:
    """A relation whose ``unique_with`` names another customer field pairs two customers (a
    household member, a referral); such a pair of two merged customers would relate the survivor
    to itself: drop it. Other rows naming two customers (a review's pair) just move."""
    dropped = 0
    for other_field in _customer_fields(relation.model):
        if other_field == relation.field or other_field not in relation.unique_with:
            continue
        dropped += relation.model._default_manager.filter(
            **{f"{relation.field}__in": ids, f"{other_field}__in": ids}
        ).delete()[0]
    return dropped


def _move(relation: MergeRelation, survivor_id: int, other_id: int) -> int:
    """Move ``other``'s rows of one relation to the survivor; rows that would duplicate one of
    the survivor's (per ``unique_with``) are deleted, the survivor's row wins."""
    manager = relation.model._default_manager
    rows = manager.filter(**{relation.field: other_id})
    if relation.unique_with:
        survivor_rows = manager.filter(
            **{relation.field: survivor_id},
            **{name: OuterRef(name) for name in relation.unique_with},
        )
        rows.filter(Exists(survivor_rows)).delete()
    return rows.update(**{relation.field: survivor_id})


def _fill_profile(survivor: Any, others: list[Any]) -> None:
    for other in others:
        for name in _PROFILE_FIELDS:
            if _empty(getattr(survivor, name)) and not _empty(getattr(other, name)):
                setattr(survivor, name, getattr(other, name))
        if not survivor.id_number_hash and other.id_number_hash:
            for name in _ID_NUMBER_FIELDS:
                setattr(survivor, name, getattr(other, name))
        if survivor.owner_club_member is False and other.owner_club_member:
            survivor.owner_club_member = True


def merge_customers(*, actor: Any, survivor: Any, others: list[Any], reason: str = "") -> Any:
    """Fold ``others`` into ``survivor`` and keep the history of it.

    Every registered relation moves with one UPDATE per relation and merged customer; rows that
    would break a unique constraint are deleted (the survivor's kept); the survivor's empty
    profile fields are filled from the others; the others stay, inactive, with ``merged_into``
    set. Preconditions: the actor sees every customer (otherwise 404, as if they did not exist);
    nobody is merged into themselves; none of them is already merged. Returns the CustomerMerge.
    """
    from autocrm.customers.models import ContactPoint, Customer, CustomerMerge

    other_ids = sorted({other.pk for other in others})
    if not other_ids:
        raise InvalidMerge(_("Choose at least one customer to merge into the survivor."))
    if survivor.pk in other_ids:
        raise InvalidMerge(_("A customer cannot be merged into themselves."))
    all_ids = [survivor.pk, *other_ids]
    with transaction.atomic():
        locked = {
            customer.pk: customer
            for customer in Customer.objects.select_for_update().filter(pk__in=all_ids)
        }
        visible = set(
            visible_to(actor, Customer.objects.filter(pk__in=all_ids)).values_list("pk", flat=True)
        )
        if len(locked) != len(all_ids) or visible != set(all_ids):
            raise Http404
        already = [c for c in locked.values() if c.merged_into_id is not None or not c.is_active]
        if already:
            raise InvalidMerge(
                _("%(customer)s was already merged or is inactive; it cannot be merged again.")
                % {"customer": already[0]}
            )
        for check in _checks:
            refusal = check(survivor.pk, other_ids)
            if refusal:
                raise InvalidMerge(refusal)
        survivor = locked[survivor.pk]
        merged = [locked[pk] for pk in other_ids]
        before = {customer.pk: snapshot(customer) for customer in locked.values()}

        # The survivor keeps its primary contact points; the others' become secondary.
        primary_kinds = ContactPoint.objects.filter(customer=survivor, is_primary=True).values(
            "kind"
        )
        ContactPoint.objects.filter(
            customer_id__in=other_ids, is_primary=True, kind__in=primary_kinds
        ).update(is_primary=False)
        moved: dict[str, int] = {}
        for relation in merge_relations():
            _drop_rows_between(relation, all_ids)
            moved[relation.label] = sum(_move(relation, survivor.pk, pk) for pk in other_ids)
        Customer.objects.filter(merged_into_id__in=other_ids).update(merged_into=survivor)

        _fill_profile(survivor, merged)
        # Unique values move to the survivor: free them on the merged customers first.
        Customer.objects.filter(pk__in=other_ids).update(
            is_active=False, merged_into=survivor, credit_code=None
        )
        survivor.version += 1
        survivor.save()
        merge = CustomerMerge.objects.create(
            survivor=survivor,
            merged_customer_ids=other_ids,
            snapshots=[before[pk] for pk in other_ids],
            moved=moved,
            reason=reason[:255],
            merged_by=actor if getattr(actor, "pk", None) else None,
        )
        record_creation(merge, actor=actor)
        record_change(survivor, before[survivor.pk], actor=actor)
        for customer in Customer.objects.filter(pk__in=other_ids):
            record_change(customer, before[customer.pk], actor=actor)
    return merge
