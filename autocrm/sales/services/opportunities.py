"""Opportunities: converting a lead, creating and editing them under the optimistic lock, and
the stage rules.

Stage rules (``check_stage_step``): forward one step at a time along need analysis, test drive,
negotiation, order, delivery, won ("won" therefore only after delivery); "lost" from any open
stage, with a reason; one step back only for a manager (dealer manager or administrator: a deal
that fell back is a correction the team lead makes); a closed opportunity no longer moves.
Every change writes an ``OpportunityStageChange`` with the time spent in the stage it left.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.network.models import Dealer
from autocrm.sales.choices import (
    DEFAULT_PROBABILITY,
    OPEN_STAGES,
    STAGE_SEQUENCE,
    LeadStatus,
    OpportunityStage,
    PurchaseTimeframe,
)
from autocrm.sales.models import Lead, Opportunity, OpportunityStageChange
from autocrm.sales.permissions import may_move_stages_back, may_work_opportunities, own_dealer_id
from autocrm.sales.services.common import link_customer_to_dealer

# What callers may set through ``data``; the stage has its own service.
OPPORTUNITY_FIELDS = (
    "vehicle_model",
    "amount",
    "probability",
    "expected_close",
    "competitor",
    "trade_in_vehicle",
    "trade_in_description",
    "trade_in_value",
    "notes",
)
_TEXT_FIELDS = ("competitor", "trade_in_description", "notes")
# How far ahead a converted lead's opportunity is expected to close, by its timeframe.
_CLOSE_IN_DAYS = {
    PurchaseTimeframe.IMMEDIATELY: 14,
    PurchaseTimeframe.WITHIN_3_MONTHS: 90,
    PurchaseTimeframe.WITHIN_6_MONTHS: 180,
    PurchaseTimeframe.WITHIN_1_YEAR: 365,
}


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _refuse_unknown(data: dict[str, Any]) -> None:
    unknown = set(data) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field is not allowed.") for name in sorted(unknown)})


def _apply(opportunity: Opportunity, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name in _TEXT_FIELDS:
            value = (value or "").strip()
        setattr(opportunity, name, value)


def _record_stage(
    opportunity: Opportunity, *, from_stage: str, since: Any, actor: Any
) -> OpportunityStageChange:
    now = opportunity.stage_changed_at
    return OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=opportunity.stage,
        changed_at=now,
        changed_by=_actor_or_none(actor),
        time_in_previous_stage=(now - since) if since is not None else None,
    )


def _check_salesperson(opportunity: Opportunity, salesperson: Any) -> None:
    if salesperson is not None and salesperson.dealer_id != opportunity.dealer_id:
        raise ValidationError(
            {"salesperson": _("The salesperson must work at the opportunity's dealer.")}
        )


@transaction.atomic
def opportunity_create(
    *,
    actor: Any,
    customer: Any,
    data: dict[str, Any],
    dealer: Any = None,
    salesperson: Any = None,
    lead: Lead | None = None,
) -> Opportunity:
    """Create an opportunity at its first stage (need analysis), numbered O + the 9-digit key,
    with its first stage-history row. Dealer staff create it at their own dealer (headquarters
    name one); a salesperson's opportunity is their own; the probability defaults to the
    stage's."""
    if not may_work_opportunities(actor):
        raise PermissionDenied
    _refuse_unknown(data)
    staff_dealer = own_dealer_id(actor)
    if staff_dealer is not None and lead is None:
        dealer = Dealer.objects.get(pk=staff_dealer)
    if dealer is None:
        raise ValidationError({"dealer": _("Choose the dealer.")})
    now = timezone.now()
    data = dict(data)
    probability = data.pop("probability", None)
    opportunity = Opportunity(
        customer=customer,
        dealer=dealer,
        lead=lead,
        stage=OpportunityStage.NEED_ANALYSIS,
        probability=DEFAULT_PROBABILITY[OpportunityStage.NEED_ANALYSIS],
        stage_changed_at=now,
        last_activity_at=now,
    )
    _apply(opportunity, data)
    if probability is not None:
        opportunity.probability = probability
    if salesperson is None and getattr(actor, "role", None) == "salesperson":
        salesperson = actor
    _check_salesperson(opportunity, salesperson)
    opportunity.salesperson = salesperson
    opportunity.full_clean(exclude=["number"])
    link_customer_to_dealer(actor=actor, customer=customer, dealer=dealer)
    opportunity.save()
    opportunity.number = f"O{opportunity.pk:09d}"
    Opportunity.objects.filter(pk=opportunity.pk).update(number=opportunity.number)
    opportunity.refresh_from_db()  # amounts as stored (to the fen)
    audit.record_creation(opportunity, actor=actor)
    _record_stage(opportunity, from_stage="", since=None, actor=actor)
    return opportunity


@transaction.atomic
def lead_convert(
    *,
    actor: Any,
    lead: Lead,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Opportunity:
    """Convert a qualified lead (fetched in the actor's scope): the lead becomes "converted" and
    its opportunity is created for the same customer, dealer, salesperson and model, with the
    budget as the amount and an expected close date from the purchase timeframe."""
    from autocrm.sales.services.leads import check_status_step, save_change
    from autocrm.sales.services.leads import lock as lock_lead

    if not may_work_opportunities(actor):
        raise PermissionDenied
    locked = lock_lead(lead, expected_version)
    if locked.dealer_id is None:
        raise ValidationError(_("Assign the lead to a dealer before converting it."))
    if not locked.is_open:
        raise ValidationError(_("This lead is closed and can no longer be changed."))
    check_status_step(locked.status, LeadStatus.CONVERTED)
    before = audit.snapshot(locked)
    locked.status = LeadStatus.CONVERTED
    save_change(locked, before, actor=actor)
    amount = locked.budget
    if amount is None and locked.vehicle_model is not None:
        amount = locked.vehicle_model.price
    days = _CLOSE_IN_DAYS.get(PurchaseTimeframe(locked.timeframe), 90)
    defaults: dict[str, Any] = {
        "vehicle_model": locked.vehicle_model,
        "amount": amount or Decimal("0"),
        "expected_close": timezone.localdate() + datetime.timedelta(days=days),
        "notes": locked.notes,
    }
    defaults.update(data or {})
    return opportunity_create(
        actor=actor,
        customer=locked.customer,
        dealer=locked.dealer,
        salesperson=locked.salesperson,
        lead=locked,
        data=defaults,
    )


def lock(opportunity: Opportunity, expected_version: int | None) -> Opportunity:
    """The opportunity's row, locked until commit; ``StaleRecord`` when it moved past
    ``expected_version``."""
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    return locked


def _save(locked: Opportunity, before: dict[str, Any], *, actor: Any) -> Opportunity:
    if audit.snapshot(locked) == before:
        return locked
    locked.version += 1
    locked.last_activity_at = timezone.now()
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


@transaction.atomic
def opportunity_update(
    *,
    actor: Any,
    opportunity: Opportunity,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Opportunity:
    """Change an open opportunity's details (fetched in the actor's scope). With
    ``expected_version`` a save after someone else's is refused (``StaleRecord``) and nothing
    is written."""
    if not may_work_opportunities(actor):
        raise PermissionDenied
    _refuse_unknown(data)
    locked = lock(opportunity, expected_version)
    if not locked.is_open:
        raise ValidationError(_("This opportunity is closed and can no longer be changed."))
    before = audit.snapshot(locked)
    _apply(locked, data)
    locked.full_clean(exclude=["number"])
    return _save(locked, before, actor=actor)


def allowed_stages(stage: str, *, may_move_back: bool) -> list[OpportunityStage]:
    """The stages an opportunity in ``stage`` may move to next."""
    if stage not in OPEN_STAGES:
        return []
    position = STAGE_SEQUENCE.index(OpportunityStage(stage))
    steps = [STAGE_SEQUENCE[position + 1]]
    if may_move_back and position > 0:
        steps.append(STAGE_SEQUENCE[position - 1])
    steps.append(OpportunityStage.LOST)
    return steps


def check_stage_step(current: str, wanted: str, *, may_move_back: bool, lost_reason: str) -> None:
    """Refuse a stage change the rules do not allow, with a message naming what is allowed."""
    if wanted not in OpportunityStage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    current_label = OpportunityStage(current).label
    if current not in OPEN_STAGES:
        raise ValidationError(
            {
                "stage": _("A %(current)s opportunity is closed; its stage no longer changes.")
                % {"current": current_label}
            }
        )
    if wanted == current:
        raise ValidationError(
            {"stage": _("The opportunity is already at %(stage)s.") % {"stage": current_label}}
        )
    if wanted == OpportunityStage.LOST and not lost_reason.strip():
        raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")})
    allowed = allowed_stages(current, may_move_back=may_move_back)
    if wanted in allowed:
        return
    position = STAGE_SEQUENCE.index(OpportunityStage(current))
    if not may_move_back and position > 0 and wanted == STAGE_SEQUENCE[position - 1]:
        message = _("Only a manager may move an opportunity back to %(wanted)s.")
    elif wanted == OpportunityStage.WON:
        message = _(
            "An opportunity is won only after delivery; from %(current)s it can move to %(next)s."
        )
    else:
        message = _(
            "An opportunity at %(current)s can move to %(next)s, not to %(wanted)s: stages are "
            "taken one at a time."
        )
    raise ValidationError(
        {
            "stage": message
            % {
                "current": current_label,
                "wanted": OpportunityStage(wanted).label,
                "next": ", ".join(str(step.label) for step in allowed),
            }
        }
    )


def move_stage(locked: Opportunity, stage: str, *, actor: Any, lost_reason: str = "") -> None:
    """Put a locked opportunity in ``stage`` (already checked), with the stage's probability,
    and write the history row. The caller saves."""
    since, from_stage = locked.stage_changed_at, locked.stage
    locked.stage = stage
    locked.probability = DEFAULT_PROBABILITY[OpportunityStage(stage)]
    locked.stage_changed_at = timezone.now()
    if stage == OpportunityStage.LOST:
        locked.lost_reason = lost_reason.strip()
    _record_stage(locked, from_stage=from_stage, since=since, actor=actor)


@transaction.atomic
def opportunity_change_stage(
    *,
    actor: Any,
    opportunity: Opportunity,
    stage: str,
    lost_reason: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """Move an opportunity (fetched in the actor's scope) to ``stage`` under the stage rules
    (module docstring); the probability becomes the new stage's default."""
    if not may_work_opportunities(actor):
        raise PermissionDenied
    locked = lock(opportunity, expected_version)
    check_stage_step(
        locked.stage, stage, may_move_back=may_move_stages_back(actor), lost_reason=lost_reason
    )
    before = audit.snapshot(locked)
    move_stage(locked, stage, actor=actor, lost_reason=lost_reason)
    return _save(locked, before, actor=actor)


def opportunity_advance_system(opportunity_id: int, *, to: tuple[str, ...]) -> Opportunity | None:
    """Move an opportunity forward through ``to`` as the system (an accepted quote, a delivered
    car), skipping the steps it has already taken; nothing happens to a closed one."""
    locked = Opportunity.objects.select_for_update().filter(pk=opportunity_id).first()
    if locked is None or not locked.is_open:
        return locked
    before = audit.snapshot(locked)
    for stage in to:
        if STAGE_SEQUENCE.index(OpportunityStage(stage)) <= STAGE_SEQUENCE.index(
            OpportunityStage(locked.stage)
        ):
            continue
        move_stage(locked, stage, actor=None)
    return _save(locked, before, actor=None)
