"""``{% task_source task as origin %}``: a rule's task's origin (the rule, a link to its record)."""

from __future__ import annotations

from typing import Any

from django import template

from autocrm.activities.reminders.sources import TaskSource
from autocrm.activities.reminders.sources import task_source as origin_of

register = template.Library()


@register.simple_tag
def task_source(task: Any) -> TaskSource | None:
    return origin_of(task)
