"""Where a rule's task came from, for people: the rule's label and a link to the record it is
about (the lead, the opportunity, the vehicle), read from ``source`` and ``source_key`` without
a query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from autocrm.activities.reminders.rules import rule_label

# The first part of a source key: the record kind, its URL name and the link's text.
RECORD_LINKS = {
    "lead": ("sales:lead_detail", lambda: _("Lead")),
    "call": ("sales:lead_detail", lambda: _("Lead")),
    "visit": ("sales:lead_detail", lambda: _("Lead")),
    "opportunity": ("sales:opportunity_detail", lambda: _("Opportunity")),
}


@dataclass(frozen=True)
class TaskSource:
    label: str
    url: str | None = None
    link_text: str = ""


def task_source(task: Any) -> TaskSource | None:
    """The origin of ``task`` (None for a hand-made task)."""
    if not task.source:
        return None
    label = rule_label(task.source)
    kind, _sep, rest = (task.source_key or "").partition(":")
    record_id = rest.split(":", 1)[0]
    if kind in RECORD_LINKS and record_id.isdigit():
        url_name, text = RECORD_LINKS[kind]
        try:
            return TaskSource(label, reverse(url_name, args=[int(record_id)]), text())
        except NoReverseMatch:
            return TaskSource(label)
    if task.vehicle_id:
        url = reverse("vehicles:vehicle_detail", args=[task.vehicle_id])
        return TaskSource(label, url, _("Vehicle"))
    return TaskSource(label)
