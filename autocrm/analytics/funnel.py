"""The sales funnel: how many leads came in (by source), how far they got (lead statuses, then
their opportunity's stages), how long they stayed in each stage, and why they were lost.

The funnel follows a cohort: the leads created in the period that the user sees
(``visible_to(owner_field="salesperson")``: a salesperson their own, dealer staff their dealer's,
a region manager the region's, headquarters all), narrowed by dealer, region, source and model.
The opportunity stages count the opportunities those leads converted into.

A lead "reached" a status when it is there or beyond (statuses move one step at a time); a lost
lead reached the furthest status its history (``LeadStatusChange``) shows. Opportunities the same
way: their current stage, or for a lost one the furthest stage of its ``OpportunityStageChange``
rows. Everything is set-based: one GROUP BY pass over the cohort for the stage counts per group
(month, unless grouped by dealer or region) and source (conditional aggregation), a second per
month for the line chart when grouped by dealer or region, one window query per history table
for the time per stage (``LEAD`` over ``changed_at``; the median from ``percentile_cont`` on
PostgreSQL, from ``ROW_NUMBER`` elsewhere), one GROUP BY per lost-reason list; Python only adds
up the grouped rows. A computed report is kept in the cache for ``CACHE_SECONDS``.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.analytics.stage_times import time_in_stages
from autocrm.core.scoping import scope_for, visible_to
from autocrm.network.models import Dealer, Region
from autocrm.sales.choices import (
    STAGE_SEQUENCE,
    LeadSource,
    LeadStatus,
    OpportunityStage,
)
from autocrm.sales.models import Lead, LeadStatusChange, Opportunity, OpportunityStageChange

GROUPINGS = [
    ("dealer", gettext_lazy("Dealer")),
    ("region", gettext_lazy("Region")),
    ("month", gettext_lazy("Month")),
]
# The group table's title per grouping.
GROUP_TITLES = {
    "dealer": gettext_lazy("By dealer"),
    "region": gettext_lazy("By region"),
    "month": gettext_lazy("By month"),
}
MAX_TOP = 50
# How long a computed report is reused for the same user, filters and language.
CACHE_SECONDS = 300

# The funnel's steps in order: the lead statuses, then the opportunity stages.
LEAD_STEPS: tuple[str, ...] = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.QUALIFIED,
    LeadStatus.CONVERTED,
)
OPPORTUNITY_STEPS: tuple[str, ...] = tuple(STAGE_SEQUENCE)
# The stages a lead or an opportunity spends time in before moving on.
LEAD_TIMED_STEPS = LEAD_STEPS[:-1]
OPPORTUNITY_TIMED_STEPS = OPPORTUNITY_STEPS[:-1]


@dataclass(frozen=True)
class FunnelFilters:
    """What the report covers: leads created from the first day of ``start``'s month to the
    last day of ``end``'s (local time), optionally of one dealer, region (subtree), source and
    model of interest; ``group_by`` dealer, region or month (empty: no group table)."""

    start: datetime.date
    end: datetime.date
    dealer: Dealer | None = None
    region: Region | None = None
    source: str = ""
    vehicle_model: Any = None
    group_by: str = ""
    top: int = 10

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _next_month(month)
        return months

    def as_parameters(self) -> dict[str, Any]:
        """The filters as the page's and the API's query parameters."""
        return {
            "from_month": self.start.strftime("%Y-%m"),
            "to_month": self.end.strftime("%Y-%m"),
            "dealer": self.dealer.pk if self.dealer else None,
            "region": self.region.pk if self.region else None,
            "source": self.source or None,
            "model": self.vehicle_model.pk if self.vehicle_model else None,
            "group_by": self.group_by or None,
            "top": self.top,
        }


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def lead_cohort(user: Any, filters: FunnelFilters) -> QuerySet[Lead]:
    """The leads the report counts: created in the period, within the user's scope."""
    leads = visible_to(user, Lead.objects.all(), owner_field="salesperson").filter(
        created_at__gte=_local_midnight(filters.start),
        created_at__lt=_local_midnight(_next_month(filters.end)),
    )
    if filters.dealer is not None:
        leads = leads.filter(dealer=filters.dealer)
    if filters.region is not None:
        leads = leads.filter(dealer__region__path__startswith=filters.region.path)
    if filters.source:
        leads = leads.filter(source=filters.source)
    if filters.vehicle_model is not None:
        leads = leads.filter(vehicle_model=filters.vehicle_model)
    return leads.order_by()


# -- stage counts ---------------------------------------------------------------------------


def _rank(field: str, steps: Sequence[str]) -> Case:
    """1 for the first step, 2 for the second...; 0 for anything else (or NULL)."""
    whens = [When(**{field: step}, then=Value(rank)) for rank, step in enumerate(steps, 1)]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _ranked(cohort: QuerySet[Lead], group_key: Any) -> QuerySet[Any, Any]:
    """The cohort with, per lead, its group key, source, the rank of the furthest lead status
    and the rank of its opportunity's furthest stage (0: no opportunity)."""
    lead_history = (
        LeadStatusChange.objects.filter(lead_id=OuterRef("pk"))
        .order_by()
        .values("lead_id")
        .annotate(furthest=Max(_rank("to_status", LEAD_STEPS)))
        .values("furthest")
    )
    opportunity_history = (
        OpportunityStageChange.objects.filter(opportunity_id=OuterRef("opportunity__id"))
        .order_by()
        .values("opportunity_id")
        .annotate(furthest=Max(_rank("to_stage", OPPORTUNITY_STEPS)))
        .values("furthest")
    )
    lead_rank = Case(
        When(status=LeadStatus.LOST, then=Coalesce(Subquery(lead_history), Value(1))),
        default=_rank("status", LEAD_STEPS),
        output_field=IntegerField(),
    )
    opportunity_rank = Case(
        When(
            opportunity__stage=OpportunityStage.LOST,
            then=Coalesce(Subquery(opportunity_history), Value(1)),
        ),
        default=_rank("opportunity__stage", OPPORTUNITY_STEPS),
        output_field=IntegerField(),
    )
    return cohort.annotate(
        group_key=group_key,
        source_key=F("source"),
        lead_rank=lead_rank,
        opportunity_rank=opportunity_rank,
    ).values("group_key", "source_key", "lead_rank", "opportunity_rank")


def _stage_counts(
    cohort: QuerySet[Lead], group_key: Any, *, by_source: bool
) -> list[tuple[Any, str, list[int]]]:
    """(group key, source, [leads, reached contacted, ..., reached won]) per group and source
    (or per group alone), in one GROUP BY over the ranked cohort."""
    inner = _ranked(cohort, group_key)
    try:
        inner_sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    except EmptyResultSet:  # a user who sees nothing
        return []
    reached = [
        f"SUM(CASE WHEN t.lead_rank >= {rank} THEN 1 ELSE 0 END)"
        for rank in range(2, len(LEAD_STEPS) + 1)
    ] + [
        f"SUM(CASE WHEN t.opportunity_rank >= {rank} THEN 1 ELSE 0 END)"
        for rank in range(1, len(OPPORTUNITY_STEPS) + 1)
    ]
    source = "t.source_key" if by_source else "''"
    grouping = "t.group_key, t.source_key" if by_source else "t.group_key"
    # MATERIALIZED: each lead's ranks are computed once, not once per SUM that reads them
    # (a plain subquery is flattened and its CASE, with the history subqueries, repeated).
    sql = (
        f"WITH t AS MATERIALIZED ({inner_sql}) "
        f"SELECT t.group_key, {source}, COUNT(*), {', '.join(reached)} "
        f"FROM t GROUP BY {grouping}"
    )
    with connections[inner.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1], [int(value or 0) for value in row[2:]]) for row in cursor]


def _month_key(filters: FunnelFilters) -> Any:
    """The lead's month as YYYYMM, by comparing ``created_at`` with the local month starts:
    comparisons are cheap, while turning every row's time into local time and extracting the
    month cost PostgreSQL 0.7 s per 200 k leads."""
    whens = [
        When(created_at__lt=_local_midnight(_next_month(month)), then=Value(_key_of(month)))
        for month in filters.months
    ]
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _group_key(filters: FunnelFilters) -> Any:
    if filters.group_by == "dealer":
        return F("dealer_id")
    if filters.group_by == "region":
        return F("dealer__region_id")
    return _month_key(filters)


# -- the report -------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _step_label(key: str) -> str:
    if key in LEAD_STEPS:
        return str(LeadStatus(key).label)
    return str(OpportunityStage(key).label)


def _stages(counts: list[int]) -> list[dict[str, Any]]:
    keys = [*LEAD_STEPS, *OPPORTUNITY_STEPS]
    rows = []
    for index, (key, reached) in enumerate(zip(keys, counts, strict=True)):
        previous = counts[index - 1] if index else None
        rows.append(
            {
                "key": key,
                "label": _step_label(key),
                "phase": "lead" if key in LEAD_STEPS else "opportunity",
                "reached": reached,
                "percent_of_previous": None if previous is None else _percent(reached, previous),
                "percent_of_leads": _percent(reached, counts[0]),
            }
        )
    return rows


def _add(total: list[int], counts: list[int]) -> list[int]:
    return [a + b for a, b in zip(total, counts, strict=True)] if total else list(counts)


_CONVERTED = len(LEAD_STEPS) - 1
_WON = len(LEAD_STEPS) + len(OPPORTUNITY_STEPS) - 1


def _summary(counts: list[int]) -> dict[str, Any]:
    leads, converted, won = counts[0], counts[_CONVERTED], counts[_WON]
    return {
        "leads": leads,
        "converted": converted,
        "won": won,
        "converted_percent": _percent(converted, leads),
        "won_percent": _percent(won, leads),
    }


def _region_level_index(user: Any, filters: FunnelFilters) -> int:
    """Group regions one level below the narrowest region in view: areas for everyone's
    view, provinces inside an area, cities inside a province (or a city)."""
    scope = scope_for(user)
    anchor = filters.region.path if filters.region else (scope.region_path if scope else "")
    return len([part for part in anchor.split("/") if part])


def _group_labels(
    user: Any, filters: FunnelFilters, keys: list[Any]
) -> tuple[dict[Any, Any], dict[Any, str]]:
    """(group key -> display key, display key -> label): dealers by name; cities rolled up to
    the region level in view; months as YYYY-MM."""
    no_dealer = _("No dealer yet")
    if filters.group_by == "dealer":
        names = {
            dealer.pk: f"{dealer.name} ({dealer.code})"
            for dealer in Dealer.objects.filter(pk__in=[key for key in keys if key is not None])
        }
        return {key: key for key in keys}, {
            key: names.get(key, no_dealer) if key is not None else no_dealer for key in keys
        }
    if filters.group_by == "region":
        level = _region_level_index(user, filters)
        paths = dict(
            Region.objects.filter(pk__in=[key for key in keys if key is not None]).values_list(
                "pk", "path"
            )
        )
        rolled: dict[Any, Any] = {}
        for key in keys:
            ids = [int(part) for part in paths.get(key, "").split("/") if part]
            rolled[key] = ids[min(level, len(ids) - 1)] if ids else None
        names = dict(
            Region.objects.filter(pk__in={v for v in rolled.values() if v}).values_list(
                "pk", "name"
            )
        )
        return rolled, {
            value: names.get(value, no_dealer) if value else no_dealer for value in rolled.values()
        }
    return {key: key for key in keys}, {key: _month_text(key) for key in keys}


def _month_text(key: Any) -> str:
    return f"{int(key) // 100:04d}-{int(key) % 100:02d}" if key is not None else ""


def _groups(
    user: Any, filters: FunnelFilters, grouped: dict[Any, list[int]]
) -> list[dict[str, Any]]:
    display, labels = _group_labels(user, filters, list(grouped))
    rolled: dict[Any, list[int]] = {}
    for key, counts in grouped.items():
        rolled[display[key]] = _add(rolled.get(display[key], []), counts)
    rows = [
        {"key": key, "label": labels[key], "counts": counts, **_summary(counts)}
        for key, counts in rolled.items()
    ]
    if filters.group_by == "month":
        rows.sort(key=lambda row: row["label"])
    else:
        rows.sort(key=lambda row: (-row["leads"], row["label"]))
    return rows


def _lost_reasons(rows: QuerySet[Any], top: int) -> list[dict[str, Any]]:
    counted = (
        rows.order_by()
        .values("lost_reason")
        .annotate(count=Count("pk"))
        .order_by("-count", "lost_reason")[:top]
    )
    return [
        {"reason": row["lost_reason"] or _("No reason given"), "count": row["count"]}
        for row in counted
    ]


@contextmanager
def _report_session(using: str) -> Iterator[None]:
    """On PostgreSQL, the report's queries run in one transaction with JIT off and more sort
    memory. JIT compiles a query costlier than ``jit_above_cost`` to machine code, which for
    these wide CASE aggregations took seconds longer than running them (measured at 200 k
    leads: 7 s of JIT for a query that runs in 0.3 s); the medians sort a few hundred
    thousand stays, which spilled to disk with the default 4 MB."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _cache_key(user: Any, filters: FunnelFilters) -> str:
    """The same figures for the same scope (role, placement, user), filters and language; a
    user whose role or placement changed gets a new key, never the old scope's figures."""
    scope = scope_for(user)
    parts = [
        repr(scope),
        str(getattr(user, "role", "")),
        translation.get_language() or "",
        repr(sorted(filters.as_parameters().items())),
    ]
    return "analytics:funnel:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def funnel_report(user: Any, filters: FunnelFilters, *, fresh: bool = False) -> dict[str, Any]:
    """The funnel of the leads ``user`` sees, as plain data: the page, the CSV export and the
    API all render this. A report is kept for ``CACHE_SECONDS`` (it scans every lead of the
    period; at 200 k leads that takes PostgreSQL about a second) and says when it was
    computed; ``fresh`` computes it again."""
    key = _cache_key(user, filters)
    if not fresh:
        cached: dict[str, Any] | None = cache.get(key)
        if cached is not None:
            return cached
    cohort = lead_cohort(user, filters)
    with _report_session(cohort.db):
        report = _report(user, filters, cohort)
    report["computed_at"] = timezone.now()
    cache.set(key, report, CACHE_SECONDS)
    return report


def _report(user: Any, filters: FunnelFilters, cohort: QuerySet[Lead]) -> dict[str, Any]:
    empty = [0] * (len(LEAD_STEPS) + len(OPPORTUNITY_STEPS))
    totals: list[int] = []
    sources: dict[str, list[int]] = {}
    grouped: dict[Any, list[int]] = {}
    # Without a grouping, the one pass counts per month and source (the line chart's months).
    by_month = filters.group_by in ("", "month")
    group_key = _group_key(filters)
    for group, source, counts in _stage_counts(cohort, group_key, by_source=True):
        totals = _add(totals, counts)
        sources[source] = _add(sources.get(source, []), counts)
        grouped[group] = _add(grouped.get(group, []), counts)
    if by_month:
        monthly = grouped
    else:
        monthly = {
            group: counts
            for group, _source, counts in _stage_counts(
                cohort, _month_key(filters), by_source=False
            )
        }
    opportunities = Opportunity.objects.filter(lead__in=cohort.values("pk"))
    lead_times = time_in_stages(LeadStatusChange, "lead_id", cohort, LEAD_TIMED_STEPS)
    opportunity_times = time_in_stages(
        OpportunityStageChange, "opportunity_id", opportunities, OPPORTUNITY_TIMED_STEPS
    )
    times = {**lead_times, **opportunity_times}
    totals = totals or empty
    return {
        "period": {
            "from_month": filters.start.strftime("%Y-%m"),
            "to_month": filters.end.strftime("%Y-%m"),
        },
        "summary": _summary(totals),
        "stages": _stages(totals),
        "sources": [
            {"key": key, "label": str(label), **_summary(sources.get(key, empty))}
            for key, label in LeadSource.choices
            if key in sources or not filters.source
        ],
        "time_in_stage": [
            {
                "key": key,
                "label": _step_label(key),
                "phase": "lead" if key in LEAD_STEPS else "opportunity",
                "stays": times.get(key, (0, None, None))[0],
                "average_days": _days(times.get(key, (0, None, None))[1]),
                "median_days": _days(times.get(key, (0, None, None))[2]),
            }
            for key in (*LEAD_TIMED_STEPS, *OPPORTUNITY_TIMED_STEPS)
        ],
        "lost_reasons": {
            "leads": _lost_reasons(cohort.filter(status=LeadStatus.LOST), filters.top),
            "opportunities": _lost_reasons(
                opportunities.filter(stage=OpportunityStage.LOST), filters.top
            ),
        },
        "months": [
            {"month": month.strftime("%Y-%m"), **_summary(monthly.get(_key_of(month), empty))}
            for month in filters.months
        ],
        "group_by": filters.group_by,
        "groups": _groups(user, filters, grouped) if filters.group_by else [],
    }


def _key_of(month: datetime.date) -> int:
    return month.year * 100 + month.month


def step_labels() -> list[dict[str, str]]:
    """The funnel's steps, in order, with their labels (the group table's columns)."""
    return [
        {
            "key": key,
            "label": _step_label(key),
            "phase": "lead" if key in LEAD_STEPS else "opportunity",
        }
        for key in (*LEAD_STEPS, *OPPORTUNITY_STEPS)
    ]
