"""Reassigning leads, closing them as lost with a manager's approval, and the dealers' routing
set-up (territories and the salesperson rule)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Role
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied
from autocrm.network.choices import RegionLevel
from autocrm.sales import routing
from autocrm.sales.choices import AssignmentRule, LeadStatus, LossDecision
from autocrm.sales.models import DealerLeadRule, Lead, LeadLossRequest, Territory
from autocrm.sales.permissions import (
    may_approve_losses,
    may_manage_routing,
    may_reassign_leads,
    may_work_leads,
    own_dealer_id,
)
from autocrm.sales.services.common import (
    link_customer_to_dealer,
    record_assignment,
    refuse_second_open_lead,
)
from autocrm.sales.services.leads import lock, save_change


def _require_open(lead: Lead) -> None:
    if not lead.is_open:
        raise ValidationError(_("This lead is closed and can no longer be changed."))


@transaction.atomic
def lead_reassign(
    *,
    actor: Any,
    lead: Lead,
    dealer: Any,
    salesperson: Any = None,
    reason: str,
    expected_version: int | None = None,
) -> Lead:
    """Give an open lead to ``dealer`` and ``salesperson`` (``None``: the dealer's rule picks,
    or nobody under the manual rule), keeping the history. Headquarters may move a lead to any
    dealer; a dealer manager only among their own dealer's salespeople."""
    if not may_reassign_leads(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lead is reassigned.")})
    locked = lock(lead, expected_version)
    _require_open(locked)
    staff_dealer = own_dealer_id(actor)
    if staff_dealer is not None and (dealer is None or dealer.pk != staff_dealer):
        raise PermissionDenied(_("A dealer manager reassigns leads within their own dealer."))
    if dealer is None:
        raise ValidationError({"dealer": _("Choose the dealer.")})
    if salesperson is not None and (
        salesperson.dealer_id != dealer.pk
        or salesperson.role != Role.SALESPERSON
        or not salesperson.is_active
    ):
        raise ValidationError(
            {"salesperson": _("Choose an active salesperson of the chosen dealer.")}
        )
    if dealer.pk != locked.dealer_id:
        refuse_second_open_lead(customer=locked.customer, dealer=dealer, exclude=locked.pk)
    before = audit.snapshot(locked)
    from_dealer, from_salesperson = locked.dealer, locked.salesperson
    locked.dealer = dealer
    locked.salesperson = salesperson or routing.salesperson_for(dealer)
    if (locked.dealer_id, locked.salesperson_id) == (
        getattr(from_dealer, "pk", None),
        getattr(from_salesperson, "pk", None),
    ):
        return locked
    link_customer_to_dealer(actor=actor, customer=locked.customer, dealer=dealer)
    save_change(locked, before, actor=actor)
    record_assignment(
        lead=locked,
        actor=actor,
        from_dealer=from_dealer,
        from_salesperson=from_salesperson,
        reason=reason,
    )
    return locked


@transaction.atomic
def lead_loss_request(*, actor: Any, lead: Lead, reason: str) -> LeadLossRequest:
    """Ask to close an open lead as lost, with the reason; a manager decides
    (``lead_loss_decide``). One request at a time awaits a decision."""
    if not may_work_leads(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lead is lost.")})
    locked = lock(lead, None)
    _require_open(locked)
    if locked.loss_requests.filter(decision=LossDecision.PENDING).exists():
        raise ValidationError(_("A loss request for this lead awaits a decision."))
    request = LeadLossRequest(lead=locked, reason=reason[:255], requested_by=actor)
    request.full_clean(exclude=["lead", "requested_by", "decided_by"], validate_constraints=False)
    request.save()
    audit.record_creation(request, actor=actor)
    return request


@transaction.atomic
def lead_loss_decide(
    *, actor: Any, request: LeadLossRequest, approve: bool, note: str = ""
) -> LeadLossRequest:
    """Approve (the lead becomes lost, with the request's reason) or reject a pending loss
    request. The caller fetched the lead in the actor's scope."""
    if not may_approve_losses(actor):
        raise PermissionDenied(_("Only a manager approves or rejects a loss request."))
    locked_request = LeadLossRequest.objects.select_for_update().get(pk=request.pk)
    if locked_request.decision != LossDecision.PENDING:
        raise ValidationError(_("This loss request was already decided."))
    before_request = audit.snapshot(locked_request)
    locked_request.decision = LossDecision.APPROVED if approve else LossDecision.REJECTED
    locked_request.decided_by = actor
    locked_request.decided_at = timezone.now()
    locked_request.decision_note = (note or "").strip()[:255]
    locked_request.save()
    audit.record_change(locked_request, before_request, actor=actor)
    if approve:
        lead = lock(locked_request.lead, None)
        _require_open(lead)
        before = audit.snapshot(lead)
        lead.status = LeadStatus.LOST
        lead.lost_reason = locked_request.reason
        save_change(lead, before, actor=actor)
    return locked_request


# --- routing set-up ----------------------------------------------------------------------------


def _require_routing_manager(actor: Any, dealer: Any) -> None:
    if not may_manage_routing(actor, dealer):
        raise PermissionDenied(_("Only the HQ administrator or the dealer's manager may do this."))


@transaction.atomic
def territory_add(*, actor: Any, dealer: Any, region: Any, postcode_prefix: str = "") -> Territory:
    """Add a province or city (optionally narrowed to a postcode prefix) to the dealer's
    territory."""
    _require_routing_manager(actor, dealer)
    prefix = (postcode_prefix or "").strip()
    errors: dict[str, list[str]] = {}
    if region.level not in (RegionLevel.PROVINCE, RegionLevel.CITY):
        errors["region"] = [_("A territory is a province or a city.")]
    if prefix and not prefix.isdigit():
        errors["postcode_prefix"] = [_("A postcode prefix is made of digits only.")]
    if errors:
        raise ValidationError(errors)
    if Territory.objects.filter(dealer=dealer, region=region, postcode_prefix=prefix).exists():
        raise ValidationError(_("The dealer already has this territory."))
    territory = Territory(dealer=dealer, region=region, postcode_prefix=prefix)
    territory.full_clean(validate_constraints=False)
    territory.save()
    audit.record_creation(territory, actor=actor)
    return territory


@transaction.atomic
def territory_remove(*, actor: Any, territory: Territory) -> None:
    _require_routing_manager(actor, territory.dealer)
    audit.record_deletion(territory, actor=actor)
    territory.delete()


@transaction.atomic
def dealer_rule_set(*, actor: Any, dealer: Any, rule: str) -> DealerLeadRule:
    """Choose how the dealer's routed leads reach a salesperson (round robin or manual)."""
    _require_routing_manager(actor, dealer)
    if rule not in AssignmentRule.values:
        raise ValidationError({"rule": _("Select one of the allowed values.")})
    current = routing.rule_of(dealer)
    before = audit.snapshot(current)
    current.rule = rule
    current.save(update_fields=["rule"])
    audit.record_change(current, before, actor=actor)
    return current
