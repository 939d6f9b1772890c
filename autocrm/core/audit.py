"""Writing and reading the audit trail.

Services call ``snapshot`` before a change and ``record_change`` after it; creation (one record,
or several created together) and deletion have their own helpers, and ``record_changes`` writes
changes a snapshot cannot see (many-to-many values). The channel comes from
``autocrm.core.channels``.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from autocrm.core.channels import current_channel
from autocrm.core.models import AuditAction, AuditEntry

Snapshot = dict[str, Any]

# Columns left out of every snapshot: those that change on every save and say nothing about the
# business change, and secrets. An ID number's ciphertext and keyed hash must never be copied
# into the audit trail (its masked form is what the history shows).
_IGNORED_FIELDS = {
    "version",
    "updated_at",
    "created_at",
    "path",
    "password",
    "last_login",
    "id_number_encrypted",
    "id_number_hash",
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> Snapshot:
    """The auditable field values of ``instance`` (foreign keys as ids)."""
    values: Snapshot = {}
    for field in instance._meta.concrete_fields:
        if field.name in _IGNORED_FIELDS or field.primary_key:
            continue
        values[field.name] = _plain(getattr(instance, field.attname))
    return values


def _differences(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _entry(instance: models.Model, action: str, actor: Any, changes: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        channel=current_channel(),
        changes=changes,
    )


def _write(instance: models.Model, action: str, actor: Any, changes: dict[str, Any]) -> AuditEntry:
    entry = _entry(instance, action, actor, changes)
    entry.save(force_insert=True)
    return entry


def record_creation(instance: models.Model, *, actor: Any) -> AuditEntry:
    return _write(instance, AuditAction.CREATE, actor, _differences({}, snapshot(instance)))


def record_creations(instances: list[models.Model], *, actor: Any) -> list[AuditEntry]:
    """``record_creation`` for records created together (a customer with its contact points),
    in one INSERT."""
    entries = [
        _entry(instance, AuditAction.CREATE, actor, _differences({}, snapshot(instance)))
        for instance in instances
    ]
    return AuditEntry.objects.bulk_create(entries)


def record_change(instance: models.Model, before: Snapshot, *, actor: Any) -> AuditEntry | None:
    """Record what changed since ``before``; nothing is written when nothing changed."""
    changes = _differences(before, snapshot(instance))
    if not changes:
        return None
    return _write(instance, AuditAction.UPDATE, actor, changes)


def record_changes(
    instance: models.Model, changes: dict[str, tuple[Any, Any]], *, actor: Any
) -> AuditEntry | None:
    """Record an update given as ``{field: (before, after)}``, for values a snapshot does not
    hold (a many-to-many field's names, say); unchanged fields are left out, and nothing is
    written when nothing changed. Values must be JSON-serialisable."""
    changed = {
        name: [_plain(before), _plain(after)]
        for name, (before, after) in sorted(changes.items())
        if before != after
    }
    if not changed:
        return None
    return _write(instance, AuditAction.UPDATE, actor, changed)


def record_deletion(instance: models.Model, *, actor: Any) -> AuditEntry:
    return _write(instance, AuditAction.DELETE, actor, _differences(snapshot(instance), {}))


def record_identifier_view(instance: models.Model, field_name: str, *, actor: Any) -> AuditEntry:
    """Log that ``actor`` read the masked identifier ``field_name`` of ``instance`` in full."""
    return _write(instance, AuditAction.VIEW_IDENTIFIER, actor, {"field": field_name})


def history_of(instance: models.Model) -> models.QuerySet[AuditEntry]:
    """The record's audit entries, newest first (index ``audit_object_idx``)."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return AuditEntry.objects.filter(
        content_type=content_type, object_id=str(instance.pk)
    ).select_related("actor")
