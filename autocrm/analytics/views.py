"""The sales funnel page and its CSV export. Both read the filters with ``FunnelFilterForm``
and the figures with ``funnel_report`` (within the user's scope), like the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.analytics.exports import funnel_csv_text
from autocrm.analytics.forms import FunnelFilterForm
from autocrm.analytics.funnel import (
    CACHE_SECONDS,
    GROUP_TITLES,
    GROUPINGS,
    funnel_report,
    step_labels,
)
from autocrm.analytics.permissions import may_read_funnel
from autocrm.core.pages import crumb

FUNNEL = gettext_lazy("Sales funnel")
# The group table on the page shows the groups with the most leads; the CSV and the API have
# all of them (a large network has 1,500 dealers).
PAGE_GROUPS = 100


def _form(request: HttpRequest) -> FunnelFilterForm:
    if not may_read_funnel(request.user):
        raise PermissionDenied
    return FunnelFilterForm(request.GET, user=request.user)


def _chart_data(report: dict[str, Any]) -> dict[str, Any]:
    """What the page's script draws, with the series names already translated."""
    return {
        "stages": [
            {"name": stage["label"], "value": stage["reached"], "phase": stage["phase"]}
            for stage in report["stages"]
        ],
        "sources": {
            "labels": [source["label"] for source in report["sources"]],
            "leads": [source["leads"] for source in report["sources"]],
            "converted": [source["converted"] for source in report["sources"]],
            "won": [source["won"] for source in report["sources"]],
        },
        "lost": {
            "leads": report["lost_reasons"]["leads"],
            "opportunities": report["lost_reasons"]["opportunities"],
        },
        "months": {
            "labels": [month["month"] for month in report["months"]],
            "leads": [month["leads"] for month in report["months"]],
            "converted": [month["converted"] for month in report["months"]],
            "won": [month["won"] for month in report["months"]],
        },
        "names": {
            "leads": _("Leads in"),
            "converted": _("Converted"),
            "won": _("Won"),
            "lead_lost": _("Leads lost"),
            "opportunity_lost": _("Opportunities lost"),
        },
    }


@login_required
def funnel_page(request: HttpRequest) -> HttpResponse:
    """Charts (funnel, sources, lost reasons, months) and the tables with the same numbers."""
    form = _form(request)
    fresh = request.GET.get("fresh") == "1"
    report = funnel_report(request.user, form.filters(), fresh=fresh) if form.is_valid() else None
    query = request.GET.copy()
    query.pop("fresh", None)
    return render(
        request,
        "analytics/funnel.html",
        {
            "form": form,
            "report": report,
            "chart_data": _chart_data(report) if report else None,
            "steps": step_labels(),
            "cache_minutes": CACHE_SECONDS // 60,
            "groups": report["groups"][:PAGE_GROUPS] if report else [],
            "groups_left_out": max(0, len(report["groups"]) - PAGE_GROUPS) if report else 0,
            "group_title": GROUP_TITLES.get(report["group_by"], "") if report else "",
            "group_label": dict(GROUPINGS).get(report["group_by"], "") if report else "",
            "csv_query": query.urlencode(),
            "fresh_query": f"{query.urlencode()}&fresh=1" if query else "fresh=1",
            "breadcrumbs": [crumb(_("Reports")), crumb(FUNNEL)],
        },
        status=200 if report is not None else 400,
    )


@login_required
def funnel_csv(request: HttpRequest) -> HttpResponse:
    """The page's tables as one CSV file (UTF-8 with a byte-order mark, for spreadsheets)."""
    form = _form(request)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: "
            + " ".join(str(message) for message in messages)
            for name, messages in form.errors.items()
        )
        return HttpResponse(
            _("The filters are not valid: %(problems)s") % {"problems": problems},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    filters = form.filters()
    report = funnel_report(request.user, filters, fresh=request.GET.get("fresh") == "1")
    response = HttpResponse(
        funnel_csv_text(report, filters), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="sales-funnel-{stamp}.csv"'
    return response
