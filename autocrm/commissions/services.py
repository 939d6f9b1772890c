"""Writes to the commissions app: plans with their per-car rates and bonus tiers, and closing and
reopening a dealer's month. Each service checks the actor's permission and scope, validates
(a message per field), saves in one transaction under a lock on the dealer row (so two plans
cannot be saved overlapping and a month cannot be closed twice at once) and writes the audit
trail."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from autocrm.commissions import computation, permissions
from autocrm.commissions.choices import MonthStatus, RateBasis
from autocrm.commissions.models import (
    CommissionBonusTier,
    CommissionMonth,
    CommissionPlan,
    CommissionRate,
    CommissionStatement,
    CommissionStatementLine,
)
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.network.models import Dealer

PLAN_FIELDS = ("name", "valid_from", "valid_to", "margin_percent", "notes")


@dataclass(frozen=True)
class RateInput:
    """A per-car rate as sent: a catalogue model, or a series, or neither (any model)."""

    amount: Any
    vehicle_model: Any = None
    series: str = ""


@dataclass(frozen=True)
class TierInput:
    min_cars: Any
    bonus: Any


def _require_manager(actor: Any, dealer: Dealer | None = None) -> None:
    if not permissions.may_manage_commissions(actor):
        raise PermissionDenied
    if dealer is None:
        return
    in_scope = Dealer.objects.visible_to(actor).filter(pk=dealer.pk).exists()
    if not in_scope or not permissions.may_manage_commissions(actor, dealer):
        raise ValidationError(
            {"dealer": _("You may set commissions only for the dealer you manage.")}
        )


def _lock_dealer(dealer: Dealer) -> None:
    # Serialises plan saves and month closes per dealer (a no-op on SQLite, which locks the
    # whole database for the write transaction anyway).
    Dealer.objects.select_for_update().filter(pk=dealer.pk).first()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _money(value: Any, field: str, errors: dict[str, Any]) -> Decimal | None:
    amount = _decimal(value)
    if amount is None:
        errors.setdefault(field, _("Enter an amount."))
    elif amount < 0:
        errors.setdefault(field, _("An amount cannot be negative."))
    elif amount != amount.quantize(Decimal("0.01")):
        errors.setdefault(field, _("Enter an amount in yuan with at most two decimals (fen)."))
    return amount


def _check_plan_data(data: dict[str, Any]) -> None:
    errors: dict[str, Any] = {}
    percent = _decimal(data.get("margin_percent", 0))
    if "margin_percent" in data:
        if percent is None:
            errors["margin_percent"] = _("Enter a percentage between 0 and 100.")
        elif percent < 0:
            errors["margin_percent"] = _("A percentage cannot be negative.")
        elif percent > 100:
            errors["margin_percent"] = _("A percentage cannot be more than 100.")
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("A plan cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


def _check_overlap(plan: CommissionPlan) -> None:
    """One plan in force per dealer per day: refuse a validity that shares a day with another."""
    others = CommissionPlan.objects.filter(dealer_id=plan.dealer_id).exclude(pk=plan.pk)
    if plan.valid_to is not None:
        others = others.filter(valid_from__lte=plan.valid_to)
    clash = (
        others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=plan.valid_from))
        .order_by("valid_from")
        .first()
    )
    if clash is None:
        return
    until = date_format(clash.valid_to, "Y-m-d") if clash.valid_to else _("open-ended")
    raise ValidationError(
        {
            "valid_from": _(
                "The validity overlaps plan “%(name)s” (%(start)s to %(end)s): only one plan "
                "may be in force per dealer on any day."
            )
            % {"name": clash.name, "start": date_format(clash.valid_from, "Y-m-d"), "end": until}
        }
    )


def _clean_rates(rates: Iterable[RateInput]) -> list[CommissionRate]:
    errors: list[str] = []
    rows: list[CommissionRate] = []
    seen: set[tuple[str, Any]] = set()
    for number, rate in enumerate(rates, start=1):
        field_errors: dict[str, Any] = {}
        amount = _money(rate.amount, "amount", field_errors)
        series = (rate.series or "").strip()
        if rate.vehicle_model is not None and series:
            field_errors["basis"] = _("Name a model or a series, not both.")
        if rate.vehicle_model is not None:
            key: tuple[str, Any] = (RateBasis.MODEL, rate.vehicle_model.pk)
        elif series:
            key = (RateBasis.SERIES, series)
        else:
            key = (RateBasis.ANY, None)
        if key in seen and "basis" not in field_errors:
            field_errors["basis"] = _("The same model, series or any-model rate is given twice.")
        seen.add(key)
        for message in field_errors.values():
            errors.append(
                _("Rate %(number)s: %(message)s") % {"number": number, "message": message}
            )
        if not field_errors and amount is not None:
            rows.append(
                CommissionRate(
                    basis=key[0],
                    vehicle_model=rate.vehicle_model,
                    series=series,
                    amount=amount,
                )
            )
    if errors:
        raise ValidationError({"rates": errors})
    return rows


def _clean_tiers(tiers: Iterable[TierInput]) -> list[CommissionBonusTier]:
    errors: list[str] = []
    rows: list[CommissionBonusTier] = []
    seen: set[int] = set()
    for number, tier in enumerate(tiers, start=1):
        field_errors: dict[str, Any] = {}
        bonus = _money(tier.bonus, "bonus", field_errors)
        try:
            min_cars = int(tier.min_cars)
        except (TypeError, ValueError):
            min_cars = 0
        if min_cars < 1:
            field_errors["min_cars"] = _("A target is at least one car.")
        elif min_cars in seen:
            field_errors["min_cars"] = _("Two tiers have the same target.")
        seen.add(min_cars)
        for message in field_errors.values():
            errors.append(
                _("Tier %(number)s: %(message)s") % {"number": number, "message": message}
            )
        if not field_errors and bonus is not None:
            rows.append(CommissionBonusTier(min_cars=min_cars, bonus=bonus))
    if errors:
        raise ValidationError({"bonus_tiers": errors})
    return rows


def _rates_summary(plan: CommissionPlan) -> list[str]:
    return [str(rate) for rate in plan.rates.select_related("vehicle_model")]


def _tiers_summary(plan: CommissionPlan) -> list[str]:
    return [str(tier) for tier in plan.bonus_tiers.all()]


def _replace_rules(
    plan: CommissionPlan,
    rates: list[CommissionRate] | None,
    tiers: list[CommissionBonusTier] | None,
) -> None:
    if rates is not None:
        plan.rates.all().delete()
        for rate in rates:
            rate.plan = plan
        CommissionRate.objects.bulk_create(rates)
    if tiers is not None:
        plan.bonus_tiers.all().delete()
        for tier in tiers:
            tier.plan = plan
        CommissionBonusTier.objects.bulk_create(tiers)


@transaction.atomic
def commission_plan_create(
    *,
    actor: Any,
    dealer: Dealer,
    data: dict[str, Any],
    rates: Iterable[RateInput] = (),
    bonus_tiers: Iterable[TierInput] = (),
) -> CommissionPlan:
    """A new plan for ``dealer`` (its manager, or the administrator) with its per-car rates and
    bonus tiers; its validity must not share a day with another plan of the dealer."""
    _require_manager(actor, dealer)
    data = {name: value for name, value in data.items() if name in PLAN_FIELDS}
    _check_plan_data(data)
    rate_rows = _clean_rates(rates)
    tier_rows = _clean_tiers(bonus_tiers)
    _lock_dealer(dealer)
    plan = CommissionPlan(dealer=dealer, created_by=actor if actor.pk else None, **data)
    plan.full_clean()
    _check_overlap(plan)
    plan.save()
    _replace_rules(plan, rate_rows, tier_rows)
    audit.record_creation(plan, actor=actor)
    audit.record_changes(
        plan,
        {"rates": ([], _rates_summary(plan)), "bonus_tiers": ([], _tiers_summary(plan))},
        actor=actor,
    )
    plan.refresh_from_db()  # the values as stored (decimals at their scale)
    return plan


@transaction.atomic
def commission_plan_update(
    *,
    actor: Any,
    plan: CommissionPlan,
    data: dict[str, Any],
    version: int | None = None,
    rates: Iterable[RateInput] | None = None,
    bonus_tiers: Iterable[TierInput] | None = None,
) -> CommissionPlan:
    """Change a plan: only the fields in ``data`` change; ``rates`` / ``bonus_tiers``, when
    given, replace the plan's. ``version`` is the version the editor started from (a save after
    someone else's is refused). Closed months keep their stored statements."""
    _require_manager(actor, plan.dealer)
    data = {name: value for name, value in data.items() if name in PLAN_FIELDS}
    _check_plan_data(data)
    rate_rows = None if rates is None else _clean_rates(rates)
    tier_rows = None if bonus_tiers is None else _clean_tiers(bonus_tiers)
    _lock_dealer(plan.dealer)
    locked = CommissionPlan.objects.select_for_update().get(pk=plan.pk)
    if version is not None and version != locked.version:
        raise StaleRecord
    before = audit.snapshot(locked)
    rates_before, tiers_before = _rates_summary(locked), _tiers_summary(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    _check_overlap(locked)
    locked.version += 1
    locked.save()
    _replace_rules(locked, rate_rows, tier_rows)
    audit.record_change(locked, before, actor=actor)
    audit.record_changes(
        locked,
        {
            "rates": (rates_before, _rates_summary(locked)),
            "bonus_tiers": (tiers_before, _tiers_summary(locked)),
        },
        actor=actor,
    )
    locked.refresh_from_db()  # the values as stored (decimals at their scale)
    return locked


def current_rates(plan: CommissionPlan) -> list[RateInput]:
    """The plan's rates as inputs, for a page that adds or removes one and saves them all."""
    return [
        RateInput(amount=rate.amount, vehicle_model=rate.vehicle_model, series=rate.series)
        for rate in plan.rates.select_related("vehicle_model")
    ]


def current_tiers(plan: CommissionPlan) -> list[TierInput]:
    return [TierInput(min_cars=tier.min_cars, bonus=tier.bonus) for tier in plan.bonus_tiers.all()]


# --- months ----------------------------------------------------------------------------------


def _month_row(dealer: Dealer, month: datetime.date) -> CommissionMonth | None:
    return CommissionMonth.objects.select_for_update().filter(dealer=dealer, month=month).first()


@transaction.atomic
def commission_month_close(*, actor: Any, dealer: Dealer, month: datetime.date) -> CommissionMonth:
    """Close ``dealer``'s ``month`` (after it ended): compute every salesperson's commission and
    store it as statements with a line per car, so later plan edits do not change it. A closed
    month is refused until a manager reopens it."""
    _require_manager(actor, dealer)
    month = computation.first_of_month(month)
    last_day = computation.month_bounds(month)[1]
    if last_day >= timezone.localdate():
        raise ValidationError({"month": _("A month can be closed only after it has ended.")})
    _lock_dealer(dealer)
    row = _month_row(dealer, month)
    if row is not None and row.status == MonthStatus.CLOSED:
        raise ValidationError(
            {
                "month": _(
                    "This month is closed and its statements are stored; a manager must reopen "
                    "it before it can be recomputed."
                )
            }
        )
    result = computation.compute_month(dealer, month)
    _store_statements(dealer, month, result)
    now = timezone.now()
    if row is None:
        row = CommissionMonth(dealer=dealer, month=month)
        before = None
    else:
        before = audit.snapshot(row)
        row.version += 1
    row.status = MonthStatus.CLOSED
    row.closed_by = actor if actor.pk else None
    row.closed_at = now
    row.full_clean()
    row.save()
    if before is None:
        audit.record_creation(row, actor=actor)
    else:
        audit.record_change(row, before, actor=actor)
    return row


def _store_statements(
    dealer: Dealer, month: datetime.date, result: computation.MonthResult
) -> None:
    statements = [
        CommissionStatement(
            dealer=dealer,
            month=month,
            salesperson_id=row.salesperson_id,
            cars=row.cars,
            per_car_total=row.per_car_total,
            margin_total=row.margin_total,
            margin_share_total=row.margin_share_total,
            bonus=row.bonus,
            bonus_plan_id=row.bonus_plan_id,
            bonus_tier_cars=row.bonus_tier_cars,
            total=row.total,
        )
        for row in result.rows
    ]
    CommissionStatement.objects.bulk_create(statements)
    by_salesperson = {
        statement.salesperson_id: statement
        for statement in CommissionStatement.objects.filter(dealer=dealer, month=month)
    }
    CommissionStatementLine.objects.bulk_create(
        [
            CommissionStatementLine(
                statement=by_salesperson[line.salesperson_id],
                order_item_id=line.item_id,
                order_number=line.order_number,
                vin=line.vin,
                vehicle_model_label=line.vehicle_model_label[:255],
                delivered_on=line.delivered_on,
                price=line.price,
                dealer_cost=line.dealer_cost,
                margin=line.margin,
                plan_id=line.plan_id,
                plan_name=line.plan_name,
                per_car_amount=line.per_car_amount,
                margin_share=line.margin_share,
            )
            for line in result.lines
        ],
        batch_size=1000,
    )


@transaction.atomic
def commission_month_reopen(
    *, actor: Any, dealer: Dealer, month: datetime.date, reason: str
) -> CommissionMonth:
    """Reopen a closed month (a manager, with a reason, audited): its stored statements are
    dropped and the month is computed live again until it is closed again."""
    _require_manager(actor, dealer)
    month = computation.first_of_month(month)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for reopening the month.")})
    _lock_dealer(dealer)
    row = _month_row(dealer, month)
    if row is None or row.status != MonthStatus.CLOSED:
        raise ValidationError({"month": _("This month is not closed.")})
    before = audit.snapshot(row)
    CommissionStatement.objects.filter(dealer=dealer, month=month).delete()
    row.status = MonthStatus.OPEN
    row.reopened_by = actor if actor.pk else None
    row.reopened_at = timezone.now()
    row.reopen_reason = reason[:255]
    row.version += 1
    row.full_clean()
    row.save()
    audit.record_change(row, before, actor=actor)
    return row
