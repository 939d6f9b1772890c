"""The funnel report as CSV: the page's tables one after the other, each under its title."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from autocrm.analytics.funnel import GROUP_TITLES, GROUPINGS, FunnelFilters, step_labels

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV injection); empty for None."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _filters(filters: FunnelFilters) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("From month"), f"{filters.start:%Y-%m}"],
        [_("To month"), f"{filters.end:%Y-%m}"],
    ]
    if filters.dealer is not None:
        rows.append([_("Dealer"), f"{filters.dealer.code} {filters.dealer.name}"])
    if filters.region is not None:
        rows.append([_("Region"), filters.region.name])
    if filters.source:
        from autocrm.sales.choices import LeadSource

        rows.append([_("Source"), str(LeadSource(filters.source).label)])
    if filters.vehicle_model is not None:
        rows.append([_("Model"), str(filters.vehicle_model)])
    return rows


def funnel_csv_rows(report: dict[str, Any], filters: FunnelFilters) -> list[list[Any]]:
    rows: list[list[Any]] = [[_("Sales funnel")], *_filters(filters), []]
    rows += [
        [_("Conversion per stage")],
        [_("Stage"), _("Reached"), _("Share of the step before (%)"), _("Share of leads in (%)")],
    ]
    rows += [
        [s["label"], s["reached"], s["percent_of_previous"], s["percent_of_leads"]]
        for s in report["stages"]
    ]
    rows += [
        [],
        [_("Leads in by source")],
        [_("Source"), _("Leads in"), _("Converted"), _("Converted (%)"), _("Won"), _("Won (%)")],
    ]
    rows += [
        [s["label"], s["leads"], s["converted"], s["converted_percent"], s["won"], s["won_percent"]]
        for s in report["sources"]
    ]
    rows += [
        [],
        [_("Time per stage")],
        [_("Stage"), _("Stays ended"), _("Average days"), _("Median days")],
    ]
    rows += [
        [t["label"], t["stays"], t["average_days"], t["median_days"]]
        for t in report["time_in_stage"]
    ]
    for title, key in (
        (_("Lead lost reasons"), "leads"),
        (_("Opportunity lost reasons"), "opportunities"),
    ):
        rows += [[], [title], [_("Reason"), _("Count")]]
        rows += [[r["reason"], r["count"]] for r in report["lost_reasons"][key]]
    rows += [
        [],
        [_("By month")],
        [_("Month"), _("Leads in"), _("Converted"), _("Converted (%)"), _("Won"), _("Won (%)")],
    ]
    rows += [
        [m["month"], m["leads"], m["converted"], m["converted_percent"], m["won"], m["won_percent"]]
        for m in report["months"]
    ]
    if report["groups"]:
        grouping = str(dict(GROUPINGS)[report["group_by"]])
        rows += [
            [],
            [str(GROUP_TITLES[report["group_by"]])],
            [
                grouping,
                *[step["label"] for step in step_labels()],
                _("Converted (%)"),
                _("Won (%)"),
            ],
        ]
        rows += [
            [g["label"], *g["counts"], g["converted_percent"], g["won_percent"]]
            for g in report["groups"]
        ]
    return rows


def funnel_csv_text(report: dict[str, Any], filters: FunnelFilters) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in funnel_csv_rows(report, filters):
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()
