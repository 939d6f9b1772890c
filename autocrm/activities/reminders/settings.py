"""Reading and changing the reminder rules' settings (one ``ReminderRule`` row per rule)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from autocrm.accounts.choices import Role
from autocrm.activities.models import ReminderRule
from autocrm.activities.reminders.rules import RULES
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord


def may_manage_reminders(user: Any) -> bool:
    """Administrators set the rules up and start a run by hand."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role == Role.ADMINISTRATOR)


def rule_settings() -> dict[str, ReminderRule]:
    """Every rule's settings, by key; rules without a row get one with their defaults (an
    insert that ignores a row another process created meanwhile)."""
    rows = {row.key: row for row in ReminderRule.objects.all()}
    missing = [key for key in RULES if key not in rows]
    if missing:
        ReminderRule.objects.bulk_create(
            [ReminderRule(key=key, **RULES[key].defaults()) for key in missing],
            ignore_conflicts=True,
        )
        rows = {row.key: row for row in ReminderRule.objects.all()}
    return {key: rows[key] for key in RULES}


def rule_setting(key: str) -> ReminderRule:
    return rule_settings()[key]


@transaction.atomic
def reminder_rule_update(
    *, actor: Any, rule: ReminderRule, data: dict[str, Any], expected_version: int | None = None
) -> ReminderRule:
    """Change a rule's settings (enabled, priority, its numbers). Only administrators; a change
    based on an old copy is refused (``StaleRecord``); numbers outside the rule's bounds are
    refused with the bound. Audited."""
    if not may_manage_reminders(actor):
        raise PermissionDenied
    locked = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    definition = RULES[locked.key]
    before = audit.snapshot(locked)
    for name in ("enabled", "priority"):
        if name in data:
            setattr(locked, name, data[name])
    errors: dict[str, str] = {}
    for parameter in definition.parameters:
        if parameter.name not in data:
            continue
        value = data[parameter.name]
        if value is None or not parameter.minimum <= value <= parameter.maximum:
            errors[parameter.name] = _("Enter a whole number from %(minimum)d to %(maximum)d.") % {
                "minimum": parameter.minimum,
                "maximum": parameter.maximum,
            }
        setattr(locked, parameter.name, value)
    if errors:
        raise ValidationError(errors)
    locked.full_clean()
    if audit.snapshot(locked) == before:
        return locked
    locked.updated_by = actor
    locked.version += 1
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked
