"""Commissions endpoints: plans (read within scope; dealer managers write their dealer's), the
month statement and its cars (a salesperson sees their own), closing and reopening a month."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from autocrm.commissions import selectors, services
from autocrm.commissions.computation import Line
from autocrm.commissions.filters import CommissionPlanFilterSet
from autocrm.commissions.models import CommissionMonth, CommissionPlan
from autocrm.commissions.schemas import (
    LineOut,
    MonthIn,
    MonthOut,
    PlanIn,
    PlanOut,
    PlanPatch,
    RateIn,
    ReopenIn,
    StatementOut,
    TierIn,
)
from autocrm.core.api_helpers import filtered, resolve_reference
from autocrm.core.api_schemas import PageOut, PageParams, answers
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object
from autocrm.network.models import Dealer
from autocrm.vehicles.models import VehicleModel

router = Router(tags=["commissions"])


def _plans(request: HttpRequest) -> Any:
    selectors.require_reader(request.user)
    return CommissionPlan.objects.visible_to(request.user).prefetch_related("rates", "bonus_tiers")


def _rates(user: Any, rates: list[RateIn] | None) -> list[services.RateInput] | None:
    if rates is None:
        return None
    return [
        services.RateInput(
            amount=rate.amount,
            vehicle_model=resolve_reference(
                user, VehicleModel, "vehicle_model_id", rate.vehicle_model_id
            ),
            series=rate.series,
        )
        for rate in rates
    ]


def _tiers(tiers: list[TierIn] | None) -> list[services.TierInput] | None:
    if tiers is None:
        return None
    return [services.TierInput(min_cars=tier.min_cars, bonus=tier.bonus) for tier in tiers]


class StatementParams(Schema):
    dealer_id: int
    month: str


class LineParams(StatementParams):
    salesperson_id: int | None = None


def _dealer_month(request: HttpRequest, dealer_id: int, month: str) -> tuple[Dealer, datetime.date]:
    selectors.require_reader(request.user)
    dealer = access_object(request.user, Dealer.objects.all(), pk=dealer_id)
    return dealer, selectors.parse_month(month)


# --- plans -----------------------------------------------------------------------------------


@router.get(
    "/commission-plans",
    response=answers({200: PageOut[PlanOut]}, 400, 403, 422),
    summary="Commission plans, newest first",
    description="Filters: dealer_id, in_force_on (a date).",
)
def plan_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    queryset = filtered(CommissionPlanFilterSet, request.GET, _plans(request))
    result = keyset_page(queryset, ordering=("-id",), cursor=page.cursor, limit=page.limit)
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/commission-plans/{plan_id}", response=answers({200: PlanOut}, 403, 404, 422))
def plan_detail(request: HttpRequest, plan_id: int) -> CommissionPlan:
    return access_object(request.user, _plans(request), pk=plan_id)


@router.post("/commission-plans", response=answers({201: PlanOut}, 400, 403, 422))
def plan_create(request: HttpRequest, payload: PlanIn) -> Status:
    user = request.user
    # Unknown and out-of-scope dealers get the same answer as a dealer one may not manage.
    dealer = Dealer.objects.visible_to(user).filter(pk=payload.dealer_id).first()
    if dealer is None:
        raise ValidationError(
            {"dealer_id": _("You may set commissions only for the dealer you manage.")}
        )
    data = payload.dict(exclude={"dealer_id", "rates", "bonus_tiers"})
    plan = services.commission_plan_create(
        actor=user,
        dealer=dealer,
        data=data,
        rates=_rates(user, payload.rates) or [],
        bonus_tiers=_tiers(payload.bonus_tiers) or [],
    )
    return Status(201, plan)


@router.patch(
    "/commission-plans/{plan_id}", response=answers({200: PlanOut}, 400, 403, 404, 409, 422)
)
def plan_update(request: HttpRequest, plan_id: int, payload: PlanPatch) -> CommissionPlan:
    user = request.user
    plan = access_object(user, _plans(request).select_related("dealer"), pk=plan_id)
    sent = payload.dict(exclude_unset=True)
    data = {k: v for k, v in sent.items() if k not in {"version", "rates", "bonus_tiers"}}
    return services.commission_plan_update(
        actor=user,
        plan=plan,
        data=data,
        version=payload.version,
        rates=_rates(user, payload.rates),
        bonus_tiers=_tiers(payload.bonus_tiers),
    )


# --- statements ------------------------------------------------------------------------------


@router.get(
    "/commission-statements",
    response=answers({200: StatementOut}, 403, 404, 422),
    summary="A dealer's month: each salesperson's commission (a salesperson: their own)",
)
def statement(request: HttpRequest, params: Query[StatementParams]) -> dict[str, Any]:
    dealer, month = _dealer_month(request, params.dealer_id, params.month)
    result = selectors.month_statement(request.user, dealer, month)
    return {
        "dealer_id": dealer.pk,
        "month": f"{month:%Y-%m}",
        "status": result.status,
        "total": result.total,
        "rows": [
            {
                "salesperson_id": row.salesperson_id,
                "salesperson_name": str(row.salesperson or ""),
                "cars": row.cars,
                "per_car_total": row.per_car_total,
                "margin_total": row.margin_total,
                "margin_share_total": row.margin_share_total,
                "bonus": row.bonus,
                "bonus_tier_cars": row.bonus_tier_cars,
                "total": row.total,
            }
            for row in result.rows
        ],
    }


def _line_out(line: Line) -> dict[str, Any]:
    return {
        "order_item_id": line.item_id,
        "salesperson_id": line.salesperson_id,
        "delivered_on": line.delivered_on,
        "order_number": line.order_number,
        "vin": line.vin,
        "vehicle_model": line.vehicle_model_label,
        "price": line.price,
        "dealer_cost": line.dealer_cost,
        "margin": line.margin,
        "plan_id": line.plan_id,
        "plan_name": line.plan_name,
        "per_car_amount": line.per_car_amount,
        "margin_share": line.margin_share,
        "total": line.total,
    }


@router.get(
    "/commission-statements/lines",
    response=answers({200: list[LineOut]}, 403, 404, 422),
    summary="The cars of a dealer's month with what each earned",
)
def statement_lines(request: HttpRequest, params: Query[LineParams]) -> list[dict[str, Any]]:
    dealer, month = _dealer_month(request, params.dealer_id, params.month)
    lines = selectors.month_lines(request.user, dealer, month, salesperson_id=params.salesperson_id)
    return [_line_out(line) for line in lines]


def _month_out(row: CommissionMonth) -> dict[str, Any]:
    return {
        "dealer_id": row.dealer_id,
        "month": f"{row.month:%Y-%m}",
        "status": row.status,
        "version": row.version,
    }


@router.post(
    "/commission-months/close",
    response=answers({200: MonthOut}, 400, 403, 404, 422),
    summary="Close a month: store every salesperson's statement",
)
def month_close(request: HttpRequest, payload: MonthIn) -> dict[str, Any]:
    dealer, month = _dealer_month(request, payload.dealer_id, payload.month)
    row = services.commission_month_close(actor=request.user, dealer=dealer, month=month)
    return _month_out(row)


@router.post(
    "/commission-months/reopen",
    response=answers({200: MonthOut}, 400, 403, 404, 422),
    summary="Reopen a closed month (a manager, with a reason)",
)
def month_reopen(request: HttpRequest, payload: ReopenIn) -> dict[str, Any]:
    dealer, month = _dealer_month(request, payload.dealer_id, payload.month)
    row = services.commission_month_reopen(
        actor=request.user, dealer=dealer, month=month, reason=payload.reason
    )
    return _month_out(row)
