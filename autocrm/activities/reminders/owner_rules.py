"""The rules about owners: the visit or call after delivery, keeping in touch for years after
the purchase, the purchase anniversary, the birthday, and the repurchase offer.

Occurrences are dated from the ownership's start (the purchase). The daily run creates each
occurrence from ``days`` before it is due (the notice) until ``CATCH_UP_DAYS`` after (missed
runs), due on its day; which purchases have an occurrence in that window is worked out in Python
once per run (``dates.anchors_for``) and asked of the database as a list of dates.

Assignee: the customer's manager (``Customer.manager``, when active), else the first active
dealer manager of the selling dealer: the relationship belongs to the customer's manager, and a
dealer without one still has someone responsible. Consent: greetings and keeping in touch are
service contacts (allowed unless withdrawn on every channel); the repurchase offer is marketing
(needs an opt-in on some channel).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth
from django.utils.translation import gettext as _

from autocrm.activities.choices import TaskKind
from autocrm.activities.reminders.building import (
    RunContext,
    customer_manager,
    date_cases,
    date_value,
    first_dealer_manager,
    manager_or_dealer_manager,
    task_rows,
    text,
    text_cases,
    title,
)
from autocrm.activities.reminders.consent import reachable_for
from autocrm.activities.reminders.dates import anchors_for, birthdays_in, days
from autocrm.activities.reminders.inserting import Batch
from autocrm.activities.reminders.rules import CATCH_UP_DAYS
from autocrm.customers.choices import ConsentPurpose, CustomerStatus
from autocrm.customers.models import Customer
from autocrm.vehicles.choices import OwnershipRole
from autocrm.vehicles.models import Ownership

# Anniversaries are greeted for this many years of ownership.
ANNIVERSARY_YEARS = 30


def covered_through(context: RunContext) -> datetime.date:
    """The last occurrence day a daily run of an occurrence rule looks at: today plus the
    notice."""
    return context.today + datetime.timedelta(days=context.number("days"))


def _window(context: RunContext) -> tuple[datetime.date, datetime.date] | None:
    """The occurrence days to look at: up to today plus the notice, from ``CATCH_UP_DAYS``
    ago or the day after the last run's last one. None when there is nothing new."""
    first = context.since(context.today - datetime.timedelta(days=CATCH_UP_DAYS))
    last = covered_through(context)
    return (first, last) if first <= last else None


def current_ownerships(context: RunContext) -> QuerySet[Ownership]:
    """Current owners' ownerships (not drivers or fleet users), of active customers."""
    rows = Ownership.objects.filter(
        role=OwnershipRole.OWNER, ended_on__isnull=True, customer__is_active=True
    )
    return rows.filter(**context.restrict) if context.restrict else rows


def _vehicle_label() -> Any:
    return F("vehicle__vin")


def _occurrence_batch(
    context: RunContext,
    *,
    steps: list[int],
    purpose: str,
    kind: str,
    label: str,
    source_prefix: str,
) -> Batch | None:
    window = _window(context)
    if window is None:
        return None
    anchors = anchors_for(window, steps)
    rows = current_ownerships(context).filter(started_on__in=list(anchors))
    rows = rows.filter(reachable_for(purpose, "customer"))
    dues = {anchor: occurrence for anchor, (occurrence, _step) in anchors.items()}
    occurrences = {anchor: str(step) for anchor, (_occurrence, step) in anchors.items()}
    annotated = task_rows(
        rows,
        title=title(label, F("customer__name")),
        kind=kind,
        priority=context.setting.priority,
        due_on=date_cases("started_on", dues),
        assignee=manager_or_dealer_manager(OuterRef("selling_dealer_id")),
        customer=F("customer_id"),
        vehicle=F("vehicle_id"),
        source_key=text(source_prefix, F("id"), ":", text_cases("started_on", occurrences)),
    )
    return Batch(annotated)


def _batches(*batches: Batch | None) -> list[Batch]:
    return [batch for batch in batches if batch is not None]


def loyalty_contact_batches(context: RunContext) -> list[Batch]:
    """Every ``months`` months for ``years`` years after the purchase
    (``ownership:<id>:<months since the purchase>``)."""
    every, years = context.number("months"), context.number("years")
    steps = list(range(every, years * 12 + 1, every))
    if not steps:
        return []
    return _batches(
        _occurrence_batch(
            context,
            steps=steps,
            purpose=ConsentPurpose.SERVICE,
            kind=TaskKind.CALL,
            label=_("Keep in touch with the owner"),
            source_prefix="ownership:",
        )
    )


def anniversary_batches(context: RunContext) -> list[Batch]:
    """The yearly anniversary of the purchase (``ownership:<id>:<months since>``)."""
    return _batches(
        _occurrence_batch(
            context,
            steps=[12 * year for year in range(1, ANNIVERSARY_YEARS + 1)],
            purpose=ConsentPurpose.SERVICE,
            kind=TaskKind.OTHER,
            label=_("Purchase anniversary greeting"),
            source_prefix="ownership:",
        )
    )


def repurchase_batches(context: RunContext) -> list[Batch]:
    """An offer when the car reaches ``years`` since the purchase (``ownership:<id>:<months>``)."""
    return _batches(
        _occurrence_batch(
            context,
            steps=[12 * context.number("years")],
            purpose=ConsentPurpose.MARKETING,
            kind=TaskKind.FOLLOW_UP,
            label=_("Offer a new car: the current one reaches the replacement age"),
            source_prefix="ownership:",
        )
    )


def birthday_batches(context: RunContext) -> list[Batch]:
    """Owners' birthdays (``customer:<id>:<year>``), for owners who have not withdrawn service
    contacts. The dealer falls back to the selling dealer of their newest current car."""
    window = _window(context)
    if window is None:
        return []
    celebrations = birthdays_in(window)
    days_wanted = Q()
    for month, day in celebrations:
        days_wanted |= Q(birth_month=month, birth_day=day)
    owners = Customer.objects.filter(status=CustomerStatus.OWNER, birth_date__isnull=False)
    if context.restrict:
        owners = owners.filter(**context.restrict)
    rows = owners.annotate(
        birth_month=ExtractMonth("birth_date"), birth_day=ExtractDay("birth_date")
    ).filter(days_wanted)
    rows = rows.filter(reachable_for(ConsentPurpose.SERVICE))
    selling_dealer = Subquery(
        Ownership.objects.filter(
            customer_id=OuterRef(OuterRef("pk")),
            role=OwnershipRole.OWNER,
            ended_on__isnull=True,
            selling_dealer__isnull=False,
        )
        .order_by("-started_on", "-id")
        .values("selling_dealer_id")[:1],
        output_field=IntegerField(),
    )
    assignee = Coalesce(customer_manager(""), first_dealer_manager(selling_dealer))
    dues = {}
    keys = {}
    for (month, day), celebrated in celebrations.items():
        dues[(month, day)] = celebrated
        keys[(month, day)] = str(celebrated.year)
    due_whens = date_cases_pairs(dues)
    annotated = task_rows(
        rows,
        title=title(_("Birthday greeting"), F("name")),
        kind=TaskKind.OTHER,
        priority=context.setting.priority,
        due_on=due_whens,
        assignee=assignee,
        customer=F("pk"),
        source_key=text("customer:", F("id"), ":", text_pairs(keys)),
    )
    return [Batch(annotated)]


def date_cases_pairs(mapping: dict[tuple[int, int], datetime.date]) -> Any:
    whens = [
        When(birth_month=month, birth_day=day, then=Value(due, output_field=DateField()))
        for (month, day), due in mapping.items()
    ]
    return Cast(Case(*whens, output_field=DateField()), DateField())


def text_pairs(mapping: dict[tuple[int, int], str]) -> Any:
    whens = [
        When(birth_month=month, birth_day=day, then=Value(key))
        for (month, day), key in mapping.items()
    ]
    return Case(*whens, output_field=CharField())


def after_delivery_batches(
    context: RunContext,
    *,
    salesperson_id: int | None = None,
    delivered_on: datetime.date | None = None,
) -> list[Batch]:
    """A visit or call ``days`` after the delivery (``ownership:<id>``). Daily: ownerships that
    started in the last ``days`` days with a selling dealer (the catch-all for deliveries the
    orders app did not report). On the delivery event (``context.restrict`` names the
    ownership): due ``days`` after ``delivered_on``, for the delivering salesperson first."""
    delay = context.number("days")
    assignee: Any = manager_or_dealer_manager(OuterRef("selling_dealer_id"))
    rows = current_ownerships(context)
    if delivered_on is not None:
        due_on = date_value(delivered_on + datetime.timedelta(days=delay))
        if salesperson_id is not None:
            assignee = Coalesce(Value(salesperson_id, output_field=IntegerField()), assignee)
    else:
        first = context.since(context.today - datetime.timedelta(days=delay))
        if first > context.today:
            return []
        rows = rows.filter(
            selling_dealer__isnull=False, started_on__gte=first, started_on__lte=context.today
        )
        due_on = date_cases(
            "started_on",
            {day: day + datetime.timedelta(days=delay) for day in days(first, context.today)},
        )
    annotated = task_rows(
        rows,
        title=title(_("Visit or call the new owner"), F("customer__name")),
        kind=TaskKind.CALL,
        priority=context.setting.priority,
        due_on=due_on,
        assignee=assignee,
        customer=F("customer_id"),
        vehicle=F("vehicle_id"),
        source_key=text("ownership:", F("id")),
    )
    return [Batch(annotated)]
