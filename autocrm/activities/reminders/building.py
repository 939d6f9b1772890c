"""Pieces the rules share to annotate a queryset with a task's columns (``inserting``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    Expression,
    F,
    IntegerField,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.activities.models import ReminderRule

TITLE_LENGTH = 200


@dataclass(frozen=True)
class RunContext:
    """One run of a rule: the day it runs for and the rule's settings. ``restrict`` narrows it
    to some records (an event: one lead, one ownership)."""

    today: datetime.date
    setting: ReminderRule
    restrict: dict[str, Any]
    full: bool = False  # look at the whole window again, as if never run

    @property
    def covered_until(self) -> datetime.date | None:
        """The last day an earlier daily run looked at (``ReminderRule.covered_until``); None
        for an event, a full run, or the first run. The rules read only what came after it;
        what came before was read then (and the unique ``dedupe_key`` guards either way)."""
        if self.restrict or self.full:
            return None
        return self.setting.covered_until

    @property
    def last_run_at(self) -> datetime.datetime | None:
        """When the last daily run started (None as for ``covered_until``)."""
        if self.covered_until is None:
            return None
        return self.setting.last_run_at

    def since(self, earliest: datetime.date) -> datetime.date:
        """The first day to look at: the day after the covered one, not before ``earliest``."""
        covered = self.covered_until
        if covered is None:
            return earliest
        return max(earliest, covered + datetime.timedelta(days=1))

    def number(self, name: str) -> int:
        value = getattr(self.setting, name)
        if value is None:
            from autocrm.activities.reminders.rules import RULES

            defaults = RULES[self.setting.key].defaults()
            value = defaults[name]
        return int(value)


def date_value(day: datetime.date) -> Expression:
    return Cast(Value(day, output_field=DateField()), DateField())


def date_cases(field: str, mapping: dict[Any, datetime.date]) -> Expression:
    """The date that ``mapping`` gives the row's ``field`` value (one branch per value)."""
    whens = [
        When(**{field: key}, then=Value(day, output_field=DateField()))
        for key, day in mapping.items()
    ]
    return Cast(Case(*whens, output_field=DateField()), DateField())


def text_cases(field: str, mapping: dict[Any, str]) -> Expression:
    whens = [When(**{field: key}, then=Value(text)) for key, text in mapping.items()]
    return Case(*whens, output_field=CharField())


def text(*parts: Any) -> Expression:
    """Concatenated text: strings as values, ``F`` and other expressions as they are, numbers
    (ids) cast to text."""
    expressions: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            expressions.append(Value(part))
        elif isinstance(part, F):
            expressions.append(Cast(part, CharField()))
        else:
            expressions.append(part)
    return Concat(*expressions, output_field=CharField())


def title(prefix: str, label: Any) -> Expression:
    """``prefix · label``, cut to the title's length."""
    return Substr(Concat(Value(f"{prefix} · "), label, output_field=CharField()), 1, TITLE_LENGTH)


def no_id() -> Expression:
    return Cast(Value(None), IntegerField())


def first_dealer_manager(dealer: Any) -> Subquery:
    """The id of the dealer's first active dealer manager (``dealer``: an OuterRef or
    expression giving the dealer's id)."""
    return Subquery(
        User.objects.filter(dealer_id=dealer, role=Role.DEALER_MANAGER, is_active=True)
        .order_by("pk")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def customer_manager(customer_path: str = "customer") -> Expression:
    """The customer's manager when active, else NULL."""
    prefix = f"{customer_path}__" if customer_path else ""
    return Case(
        When(**{f"{prefix}manager__is_active": True}, then=F(f"{prefix}manager_id")),
        output_field=IntegerField(),
    )


def manager_or_dealer_manager(dealer: Any, customer_path: str = "customer") -> Expression:
    """Loyalty and after-delivery tasks go to the customer's manager, else to the selling
    dealer's (first active) dealer manager."""
    return Coalesce(customer_manager(customer_path), first_dealer_manager(dealer))


def task_rows(
    rows: QuerySet[Any],
    *,
    title: Expression,
    kind: Any,
    priority: int,
    due_on: Expression,
    assignee: Any,
    customer: Any,
    source_key: Expression,
    vehicle: Any = None,
    **extra: Any,
) -> QuerySet[Any]:
    """``rows`` annotated with the ``r_<column>`` values ``inserting.insert_tasks`` reads."""
    return rows.annotate(
        r_title=title,
        r_kind=kind if isinstance(kind, Expression) else Value(str(kind)),
        r_priority=Value(int(priority), output_field=IntegerField()),
        r_due_on=due_on,
        r_assignee=assignee,
        r_customer=customer,
        r_vehicle=vehicle if vehicle is not None else no_id(),
        r_source_key=source_key,
        **extra,
    )
