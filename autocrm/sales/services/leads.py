"""Creating and working leads: attaching them to the customer, routing, editing with the
optimistic lock, and the allowed status steps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Role
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.sales import routing
from autocrm.sales.choices import (
    GRADE_OF_TIMEFRAME,
    NEXT_STATUSES,
    LeadStatus,
    PurchaseTimeframe,
)
from autocrm.sales.models import Lead, LeadStatusChange
from autocrm.sales.permissions import may_work_leads, own_dealer_id
from autocrm.sales.services.common import (
    known_customer,
    link_customer_to_dealer,
    new_prospect,
    normalised_contacts,
    record_assignment,
    refuse_second_open_lead,
)
from autocrm.sales.signals import lead_saved

# A lead's own fields, in the order the forms show them; what callers may set through
# ``data`` besides the source. The rest is derived or has its own service.
LEAD_FIELDS = (
    "kind",
    "name",
    "phone",
    "email",
    "city",
    "postcode",
    "vehicle_model",
    "configuration",
    "budget",
    "timeframe",
    "money",
    "money_note",
    "authority",
    "authority_note",
    "need",
    "need_note",
    "grade",
    "notes",
)
CREATE_FIELDS = frozenset({"source", *LEAD_FIELDS})
EDITABLE_FIELDS = frozenset((CREATE_FIELDS - {"source"}) | {"status"})
_TEXT_FIELDS = (
    "phone",
    "email",
    "postcode",
    "configuration",
    "money_note",
    "authority_note",
    "need_note",
    "notes",
)


def _refuse_unknown(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: _("This field is not allowed.") for name in sorted(unknown)})


def _clean_texts(lead: Lead) -> None:
    for name in _TEXT_FIELDS:
        setattr(lead, name, (getattr(lead, name) or "").strip())
    lead.name = (lead.name or "").strip()


def _place(*, actor: Any, lead: Lead, dealer: Any, salesperson: Any) -> str:
    """Set the lead's dealer and salesperson; answer why, for the assignment history.

    Dealer staff keep their leads (a salesperson takes their own); otherwise a named dealer is
    used, and without one the lead is routed by its city (HQ channels: call center, website).
    The dealer's rule picks the salesperson when none is named."""
    staff_dealer = own_dealer_id(actor)
    if staff_dealer is not None:
        lead.dealer_id = staff_dealer
        if salesperson is None and actor.role == Role.SALESPERSON:
            salesperson = actor
        reason = _("Entered at the dealer")
    elif dealer is not None:
        lead.dealer = dealer
        reason = _("Assigned to the dealer when entered")
    else:
        lead.dealer_id = routing.dealer_for(lead.city, lead.postcode)
        reason = _("Routed by territory") if lead.dealer_id else _("No territory matches the city")
    if salesperson is not None:
        if lead.dealer_id is None or salesperson.dealer_id != lead.dealer_id:
            raise ValidationError(
                {"salesperson": _("The salesperson must work at the lead's dealer.")}
            )
        lead.salesperson = salesperson
    elif lead.dealer_id is not None:
        lead.salesperson = routing.salesperson_for(lead.dealer)
    return str(reason)


@transaction.atomic
def lead_create(
    *,
    actor: Any,
    data: dict[str, Any],
    customer: Any = None,
    dealer: Any = None,
    salesperson: Any = None,
    submission_id: str | None = None,
) -> Lead:
    """Create a lead, numbered L + the 9-digit key, and its first assignment step.

    The lead attaches to ``customer`` (fetched in the actor's scope) or to the known customer
    with the same mobile and name, or the same e-mail; anyone else becomes a new prospect
    customer. A second open lead of the same customer at the same dealer is refused, naming
    the open one. ``actor`` ``None`` is the public web form."""
    if actor is not None and not may_work_leads(actor):
        raise PermissionDenied
    _refuse_unknown(data, CREATE_FIELDS)
    lead = Lead(**data)
    _clean_texts(lead)
    lead.phone, lead.email = normalised_contacts(lead.phone, lead.email)
    if not lead.grade and lead.timeframe in PurchaseTimeframe.values:
        lead.grade = GRADE_OF_TIMEFRAME[PurchaseTimeframe(lead.timeframe)]
    lead.submission_id = submission_id or None
    reason = _place(actor=actor, lead=lead, dealer=dealer, salesperson=salesperson)
    lead.full_clean(exclude=["number", "customer", "submission_id"])
    existing = customer or known_customer(name=lead.name, phone=lead.phone, email=lead.email)
    if existing is not None:
        refuse_second_open_lead(customer=existing, dealer=lead.dealer)
        link_customer_to_dealer(actor=actor, customer=existing, dealer=lead.dealer)
        lead.customer = existing
    else:
        lead.customer = new_prospect(actor=actor, lead=lead)
    lead.last_activity_at = timezone.now()
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError as error:
        # Two entries raced past the check above; the constraint kept one.
        refuse_second_open_lead(customer=lead.customer, dealer=lead.dealer)
        raise error
    lead.number = f"L{lead.pk:09d}"
    Lead.objects.filter(pk=lead.pk).update(number=lead.number)
    audit.record_creation(lead, actor=actor)
    record_assignment(
        lead=lead, actor=actor, from_dealer=None, from_salesperson=None, reason=reason
    )
    LeadStatusChange.objects.create(
        lead=lead,
        from_status="",
        to_status=lead.status,
        changed_at=lead.created_at,
        changed_by=actor if getattr(actor, "pk", None) else None,
    )
    lead_saved.send(sender=Lead, lead=lead, created=True, changed=frozenset(CREATE_FIELDS))
    return lead


def check_status_step(current: str, wanted: str) -> None:
    """Refuse a status change that skips a step, reopens a closed lead or loses it without
    approval, with a message saying what is allowed."""
    if wanted == current:
        return
    if wanted == LeadStatus.LOST:
        raise ValidationError(
            {"status": _("A lead is lost only when a manager approves a loss request.")}
        )
    allowed = NEXT_STATUSES.get(LeadStatus(current), ())
    if wanted in allowed:
        return
    if not allowed:
        message = _("A %(current)s lead is closed; its status no longer changes.") % {
            "current": LeadStatus(current).label
        }
    else:
        message = _("A %(current)s lead can only become %(next)s next, not %(wanted)s.") % {
            "current": LeadStatus(current).label,
            "next": ", ".join(str(LeadStatus(step).label) for step in allowed),
            "wanted": LeadStatus(wanted).label,
        }
    raise ValidationError({"status": message})


def lock(lead: Lead, expected_version: int | None) -> Lead:
    """The lead's row, locked until commit; ``StaleRecord`` when it moved past
    ``expected_version``."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    return locked


def save_change(locked: Lead, before: dict[str, Any], *, actor: Any) -> Lead:
    """Save a locked lead whose fields changed since ``before``: version up, activity now,
    audited. Nothing is written when nothing changed."""
    after = audit.snapshot(locked)
    if after == before:
        return locked
    # The row is locked until commit, so a plain increment cannot lose an update.
    locked.version += 1
    locked.last_activity_at = timezone.now()
    locked.save()
    audit.record_change(locked, before, actor=actor)
    changed = frozenset(name for name in after if after.get(name) != before.get(name))
    if "status" in changed:
        LeadStatusChange.objects.create(
            lead=locked,
            from_status=before.get("status") or "",
            to_status=locked.status,
            changed_at=locked.last_activity_at,
            changed_by=actor if getattr(actor, "pk", None) else None,
        )
    lead_saved.send(sender=Lead, lead=locked, created=False, changed=changed)
    return locked


@transaction.atomic
def lead_update(
    *,
    actor: Any,
    lead: Lead,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Lead:
    """Change a lead (fetched in the actor's scope): its details, qualification, grade, and
    its status one step on (new, contacted, qualified, converted). With ``expected_version``
    (the version the editor read), a save after someone else's is refused (``StaleRecord``)
    and nothing is written. The customer, the source and the assignment do not change here."""
    if not may_work_leads(actor):
        raise PermissionDenied
    _refuse_unknown(data, EDITABLE_FIELDS)
    locked = lock(lead, expected_version)
    before = audit.snapshot(locked)
    if not locked.is_open:
        raise ValidationError(_("This lead is closed and can no longer be changed."))
    if data.get("status"):
        check_status_step(locked.status, data["status"])
    for name, value in data.items():
        if name == "status" and not value:
            continue
        setattr(locked, name, "" if value is None and name in _TEXT_FIELDS else value)
    _clean_texts(locked)
    if "phone" in data or "email" in data:
        locked.phone, locked.email = normalised_contacts(locked.phone, locked.email)
    locked.full_clean(exclude=["number", "submission_id"], validate_constraints=False)
    return save_change(locked, before, actor=actor)
