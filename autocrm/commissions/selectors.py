"""Reading commissions as a user: a dealer-month's statement (stored when the month is closed,
computed live while it is open) and a salesperson's cars. The dealer is fetched within the
user's scope by the caller; a salesperson sees only their own statement."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.commissions import computation, permissions
from autocrm.commissions.choices import MonthStatus
from autocrm.commissions.computation import ZERO, Line, Row
from autocrm.commissions.models import (
    CommissionMonth,
    CommissionStatement,
    CommissionStatementLine,
)
from autocrm.core.errors import PermissionDenied
from autocrm.network.models import Dealer

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: Any, *, field_name: str = "month") -> datetime.date:
    """``YYYY-MM`` to the first day of that month; anything else is a validation error."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or "").strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValidationError({field_name: _("Enter a month as YYYY-MM, for example 2026-03.")})
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def previous_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def sees_own_only(user: Any) -> bool:
    return getattr(user, "role", None) == Role.SALESPERSON and not user.is_superuser


def require_reader(user: Any) -> None:
    if not permissions.may_read_commissions(user):
        raise PermissionDenied


@dataclass
class MonthStatement:
    dealer: Dealer
    month: datetime.date
    status: str
    month_row: CommissionMonth | None
    rows: list[Row] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.status == MonthStatus.CLOSED

    @property
    def cars(self) -> int:
        return sum(row.cars for row in self.rows)

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.rows), ZERO)


def _stored_row(statement: CommissionStatement) -> Row:
    return Row(
        dealer_id=statement.dealer_id,
        salesperson_id=statement.salesperson_id,
        cars=statement.cars,
        per_car_total=statement.per_car_total,
        margin_total=statement.margin_total,
        margin_share_total=statement.margin_share_total,
        bonus=statement.bonus,
        bonus_plan_id=statement.bonus_plan_id,
        bonus_tier_cars=statement.bonus_tier_cars,
        salesperson=statement.salesperson,
    )


def month_statement(user: Any, dealer: Dealer, month: datetime.date) -> MonthStatement:
    """Every salesperson's totals for the dealer-month the user may see (a salesperson: their
    own), stored when the month is closed, live otherwise."""
    require_reader(user)
    month = computation.first_of_month(month)
    month_row = CommissionMonth.objects.filter(dealer=dealer, month=month).first()
    status = month_row.status if month_row is not None else MonthStatus.OPEN
    result = MonthStatement(dealer=dealer, month=month, status=status, month_row=month_row)
    if result.is_closed:
        statements = (
            CommissionStatement.objects.visible_to(user, owner_field="salesperson")
            .filter(dealer=dealer, month=month)
            .select_related("salesperson")
            .order_by("salesperson__display_name", "salesperson_id")
        )
        result.rows = [_stored_row(statement) for statement in statements]
        return result
    own = user.pk if sees_own_only(user) else None
    rows = computation.month_totals(dealer, month, salesperson_id=own)
    people = User.objects.in_bulk([row.salesperson_id for row in rows])
    for row in rows:
        row.salesperson = people.get(row.salesperson_id)
    result.rows = sorted(
        rows, key=lambda row: (getattr(row.salesperson, "display_name", ""), row.salesperson_id)
    )
    return result


def _stored_line(line: CommissionStatementLine) -> Line:
    return Line(
        item_id=line.order_item_id,
        dealer_id=line.statement.dealer_id,
        salesperson_id=line.statement.salesperson_id,
        delivered_on=line.delivered_on,
        order_number=line.order_number,
        vin=line.vin,
        vehicle_model_label=line.vehicle_model_label,
        price=line.price,
        dealer_cost=line.dealer_cost,
        margin=line.margin,
        plan_id=line.plan_id,
        plan_name=line.plan_name,
        per_car_amount=line.per_car_amount,
        margin_share=line.margin_share,
    )


def month_lines(
    user: Any, dealer: Dealer, month: datetime.date, *, salesperson_id: int | None = None
) -> list[Line]:
    """The cars of the dealer-month the user may see (of one salesperson when given); a
    salesperson asking for someone else's gets "not found"."""
    require_reader(user)
    month = computation.first_of_month(month)
    if sees_own_only(user):
        if salesperson_id not in (None, user.pk):
            raise Http404
        salesperson_id = user.pk
    closed = CommissionMonth.objects.filter(
        dealer=dealer, month=month, status=MonthStatus.CLOSED
    ).exists()
    if not closed:
        return computation.month_lines(dealer, month, salesperson_id=salesperson_id)
    statements = CommissionStatement.objects.visible_to(user, owner_field="salesperson").filter(
        dealer=dealer, month=month
    )
    if salesperson_id is not None:
        statements = statements.filter(salesperson_id=salesperson_id)
    lines = (
        CommissionStatementLine.objects.filter(statement__in=statements.values("pk"))
        .select_related("statement")
        .order_by("statement__salesperson_id", "delivered_on", "id")
    )
    return [_stored_line(line) for line in lines]
