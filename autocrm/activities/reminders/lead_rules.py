"""The rules about open leads (and other records a salesperson works): the timeframe
treatment, the lead card review, calls and visits by grade, and inactivity."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import (
    CharField,
    Exists,
    Expression,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Substr, TruncDate
from django.utils.translation import gettext as _

from autocrm.activities.choices import TaskKind, TaskStatus
from autocrm.activities.models import Interaction, Task
from autocrm.activities.planning import local_midnight
from autocrm.activities.reminders.building import (
    TITLE_LENGTH,
    RunContext,
    date_cases,
    date_value,
    task_rows,
    text,
    text_cases,
    title,
)
from autocrm.activities.reminders.consent import reachable_for
from autocrm.activities.reminders.dates import period_keys
from autocrm.activities.reminders.inserting import Batch
from autocrm.activities.reminders.keys import RuleKey
from autocrm.activities.reminders.rules import TIMEFRAME_WINDOW_DAYS
from autocrm.customers.choices import ConsentPurpose
from autocrm.customers.models import Consent
from autocrm.sales.choices import OPEN_STATUSES, LeadGrade, PurchaseTimeframe
from autocrm.sales.models import Lead

MATERIAL_TIMEFRAMES = (PurchaseTimeframe.WITHIN_6_MONTHS, PurchaseTimeframe.WITHIN_1_YEAR)


def open_leads(context: RunContext) -> QuerySet[Lead]:
    """Open leads with a salesperson (a lead nobody works yet gets its tasks when the dealer
    assigns it: that change is an event), narrowed by ``context.restrict``."""
    rows = Lead.objects.filter(status__in=OPEN_STATUSES, salesperson__isnull=False)
    return rows.filter(**context.restrict) if context.restrict else rows


def _lead_label() -> Expression:
    return Coalesce(F("name"), F("number"))


def timeframe_batches(context: RunContext) -> list[Batch]:
    """One task per lead and timeframe (``lead:<id>:<timeframe>``): a changed timeframe gets
    its own treatment, the same one again nothing. The daily run looks at the leads created in
    the last ``TIMEFRAME_WINDOW_DAYS`` days; material tasks only for customers who agreed to
    marketing on some channel (one who agrees later gets it on the next run)."""
    candidates = [open_leads(context)]
    if not context.restrict:
        # Leads created since the last run started (the events treated them; this is the
        # safety net), else in the last TIMEFRAME_WINDOW_DAYS days; and, apart (an OR of the
        # two makes PostgreSQL expect thousands of rows and hash every opt-in of every
        # customer), leads of customers who agreed to marketing since the last run.
        earliest = local_midnight(context.today - datetime.timedelta(days=TIMEFRAME_WINDOW_DAYS))
        last_run = context.last_run_at
        recent = candidates[0].filter(
            created_at__gte=earliest if last_run is None else max(earliest, last_run)
        )
        candidates = [recent]
        if last_run is not None:
            agreed = Consent.objects.filter(
                purpose=ConsentPurpose.MARKETING, granted=True, changed_at__gte=last_run
            ).values("customer_id")
            candidates.append(
                open_leads(context).filter(
                    created_at__gte=earliest,
                    created_at__lt=last_run,
                    timeframe__in=MATERIAL_TIMEFRAMES,
                    customer_id__in=agreed,
                )
            )
    marketing = reachable_for(ConsentPurpose.MARKETING, "customer")
    candidates = [
        rows.filter(~Q(timeframe__in=MATERIAL_TIMEFRAMES) | marketing) for rows in candidates
    ]
    later = context.today + datetime.timedelta(days=context.number("days"))
    titles = {
        PurchaseTimeframe.IMMEDIATELY: _("Follow up the new lead today"),
        PurchaseTimeframe.WITHIN_3_MONTHS: _("Try to bring the purchase forward"),
        PurchaseTimeframe.WITHIN_6_MONTHS: _("Send detailed material"),
        PurchaseTimeframe.WITHIN_1_YEAR: _("Send general material"),
    }
    kinds = {
        PurchaseTimeframe.IMMEDIATELY: TaskKind.FOLLOW_UP,
        PurchaseTimeframe.WITHIN_3_MONTHS: TaskKind.CALL,
        PurchaseTimeframe.WITHIN_6_MONTHS: TaskKind.SEND_MATERIAL,
        PurchaseTimeframe.WITHIN_1_YEAR: TaskKind.SEND_MATERIAL,
    }
    dues = dict.fromkeys(PurchaseTimeframe.values, later)
    dues[PurchaseTimeframe.IMMEDIATELY] = context.today
    return [
        Batch(
            task_rows(
                rows,
                title=title_by_case(titles),
                kind=text_cases("timeframe", dict(kinds)),
                priority=context.setting.priority,
                due_on=date_cases("timeframe", dues),
                assignee=F("salesperson_id"),
                customer=F("customer_id"),
                source_key=text("lead:", F("id"), ":", F("timeframe")),
            )
        )
        for rows in candidates
    ]


def title_by_case(titles: dict[Any, str]) -> Expression:
    """The title for the lead's timeframe, followed by the lead."""
    prefix = text_cases("timeframe", {key: f"{value} · " for key, value in titles.items()})
    return Substr(Concat(prefix, _lead_label(), output_field=CharField()), 1, TITLE_LENGTH)


GRADE_REVIEW_PERIOD: dict[str, str] = {
    LeadGrade.A: "day",
    LeadGrade.B: "week",
    LeadGrade.C: "month",
}
GRADE_CALL_PERIOD: dict[str, str] = {
    LeadGrade.A: "month",
    LeadGrade.B: "quarter",
    LeadGrade.C: "half",
}
GRADE_VISIT_PERIOD: dict[str, str] = {
    LeadGrade.A: "quarter",
    LeadGrade.B: "half",
    LeadGrade.C: "year",
}


def _not_yet_seen(
    context: RunContext,
    rows: QuerySet[Lead],
    period_of_grade: Mapping[str, str],
    periods: dict[str, tuple[str, datetime.date, datetime.date]],
) -> QuerySet[Lead]:
    """The leads a period-per-grade rule must look at: every lead of a grade whose period
    began after the last run; in a period the last run already saw, only the leads created or
    changed (regraded, reassigned) since that run started."""
    covered, last_run = context.covered_until, context.last_run_at
    condition = Q()
    for grade, period in period_of_grade.items():
        _key, first, _last = periods[period]
        if covered is not None and last_run is not None and covered >= first:
            condition |= Q(grade=grade, updated_at__gte=last_run)
        else:
            condition |= Q(grade=grade)
    return rows.filter(condition)


def review_batches(context: RunContext) -> list[Batch]:
    """A review of each open lead card per period of its grade (A a day, B an ISO week, C a
    month), due the day the run first sees the period (``lead:<id>:<period>``). Reviews do not
    pile up: while the salesperson has an open review of the customer's card, no new one (a
    probe of the customer's tasks, ``activities_task_customer_id``)."""
    periods = period_keys(context.today)
    keys = {grade: periods[period][0] for grade, period in GRADE_REVIEW_PERIOD.items()}
    open_review = Task.objects.filter(
        customer_id=OuterRef("customer_id"),
        assignee_id=OuterRef("salesperson_id"),
        source=RuleKey.LEAD_REVIEW,
        status=TaskStatus.OPEN,
    )
    rows = _not_yet_seen(context, open_leads(context), GRADE_REVIEW_PERIOD, periods)
    annotated = task_rows(
        rows.filter(~Q(Exists(open_review))),
        title=title(_("Review the lead card"), _lead_label()),
        kind=TaskKind.REVIEW,
        priority=context.setting.priority,
        due_on=date_value(context.today),
        assignee=F("salesperson_id"),
        customer=F("customer_id"),
        source_key=text("lead:", F("id"), ":", text_cases("grade", keys)),
    )
    return [Batch(annotated)]


def contact_batches(context: RunContext) -> list[Batch]:
    """A call and a visit per period of the lead's grade (``call|visit:<id>:<period>``), due
    ``days`` after the period starts (not before the run, not after the period ends)."""
    periods = period_keys(context.today)
    delay = datetime.timedelta(days=context.number("days"))
    batches = []
    for kind, by_grade, label in (
        (TaskKind.CALL, GRADE_CALL_PERIOD, _("Call the lead")),
        (TaskKind.VISIT, GRADE_VISIT_PERIOD, _("Visit the lead")),
    ):
        keys = {grade: periods[period][0] for grade, period in by_grade.items()}
        dues = {}
        for grade, period in by_grade.items():
            _key, first, last = periods[period]
            dues[grade] = max(context.today, min(first + delay, last))
        annotated = task_rows(
            _not_yet_seen(context, open_leads(context), by_grade, periods),
            title=title(label, _lead_label()),
            kind=kind,
            priority=context.setting.priority,
            due_on=date_cases("grade", dues),
            assignee=F("salesperson_id"),
            customer=F("customer_id"),
            source_key=text(f"{kind}:", F("id"), ":", text_cases("grade", keys)),
        )
        batches.append(Batch(annotated))
    return batches


@dataclass(frozen=True)
class WorkableRecord:
    """A kind of record a salesperson works until it closes (a lead, an opportunity): what the
    inactivity rule needs to know about it. Its last activity is the latest of its own
    ``activity_field`` (its creation when empty) and the newest interaction with its customer at
    its dealer (an index probe on ``interaction_timeline_idx`` per record)."""

    name: str  # in the task's source key
    model: str  # app_label.ModelName
    status_field: str
    open_statuses: tuple[str, ...]
    label_field: str = "name"
    salesperson_field: str = "salesperson"
    dealer_field: str = "dealer"
    customer_field: str = "customer"
    activity_field: str = "last_activity_at"
    created_field: str = "created_at"

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def own_activity(self) -> Expression:
        return Coalesce(F(self.activity_field), F(self.created_field))

    def last_activity(self) -> Expression:
        newest_interaction = Subquery(
            Interaction.objects.filter(
                customer_id=OuterRef(f"{self.customer_field}_id"),
                dealer_id=OuterRef(f"{self.dealer_field}_id"),
            )
            .order_by("-occurred_at")
            .values("occurred_at")[:1]
        )
        own = self.own_activity()
        return Greatest(own, Coalesce(newest_interaction, own))


LEAD = WorkableRecord("lead", "sales.Lead", "status", tuple(OPEN_STATUSES))


def workable_records() -> list[WorkableRecord]:
    """Leads, and opportunities once the sales app has them."""
    records = [LEAD]
    try:
        apps.get_model("sales", "Opportunity")
    except LookupError:
        return records
    from autocrm.sales.choices import OPEN_STAGES

    records.append(
        WorkableRecord("opportunity", "sales.Opportunity", "stage", tuple(OPEN_STAGES),
                       label_field="number")
    )  # fmt: skip
    return records


def inactivity_batches(context: RunContext) -> list[Batch]:
    """An open record without activity since ``days`` days ago (local midnight) gives its
    salesperson a task; ``escalation_days`` later its dealer's managers get one each. One
    episode per last-activity date (``<record>:<id>:<date>``): activity starts a new one."""
    quiet = context.number("days")
    escalate = quiet + context.number("escalation_days")
    batches = []
    for record in workable_records():
        if context.restrict and record is not LEAD:
            continue  # a run narrowed to some leads
        rows = record.model_class()._default_manager.filter(
            **{f"{record.status_field}__in": record.open_statuses,
               f"{record.salesperson_field}__isnull": False},
            **context.restrict,
        )  # fmt: skip
        rows = rows.annotate(r_last_activity=record.last_activity())
        for days, to_managers, label in (
            (quiet, False, _("No activity: follow up")),
            (escalate, True, _("No activity: the salesperson has not followed up")),
        ):
            # Quiet since the start of the day ``days`` ago: the alert comes on the day after
            # the last activity's day plus ``days``. After a daily run, only the alerts due
            # since (the last activity's day at least ``days`` before the covered day).
            since = local_midnight(context.today - datetime.timedelta(days=days))
            rows_of_day = rows
            if context.covered_until is not None:
                # The candidates: their own activity, or an interaction with their customer
                # (a day's interactions, by interaction_recent_idx), falls in the new slice;
                # only those get the per-record probe of their last activity.
                earliest = local_midnight(context.covered_until - datetime.timedelta(days=days))
                in_slice = {"gte": earliest, "lt": since}
                talked_to = Interaction.objects.filter(
                    occurred_at__gte=earliest, occurred_at__lt=since
                ).values("customer_id")
                rows_of_day = rows.filter(
                    Q(**{f"{record.activity_field}__{op}": value for op, value in in_slice.items()})
                    | Q(
                        **{f"{record.activity_field}__isnull": True},
                        **{
                            f"{record.created_field}__{op}": value for op, value in in_slice.items()
                        },
                    )
                    | Q(**{f"{record.customer_field}_id__in": talked_to})
                ).filter(r_last_activity__gte=earliest)
            # The record's own activity is older (cheap, checked first), and so is the newest
            # interaction (the probe, for the rows left).
            own_quiet = Q(**{f"{record.activity_field}__lt": since}) | Q(
                **{f"{record.activity_field}__isnull": True, f"{record.created_field}__lt": since}
            )
            quiet_rows = rows_of_day.filter(own_quiet).filter(r_last_activity__lt=since)
            day = Cast(TruncDate("r_last_activity"), output_field=CharField())
            annotated = task_rows(
                quiet_rows,
                title=title(label, F(record.label_field)),
                kind=TaskKind.FOLLOW_UP,
                priority=context.setting.priority,
                due_on=date_value(context.today),
                assignee=F(f"{record.salesperson_field}_id"),
                customer=F(f"{record.customer_field}_id"),
                source_key=text(
                    f"{record.name}:", F("id"), ":", day, ":manager" if to_managers else ""
                ),
                r_record_dealer=F(f"{record.dealer_field}_id"),
            )
            batches.append(Batch(annotated, to_managers=to_managers))
    return batches
