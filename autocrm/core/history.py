"""A record's audit trail as rows a detail page can show (``core/_history.html``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.core.audit import history_of
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.core.scoping import visible_to

# Audit entries shown on a detail page, newest first.
HISTORY_LIMIT = 50

# model -> functions(instance, limit) giving entries of its history that are kept elsewhere than
# in the audit table, as unsaved ``AuditEntry`` objects (an import's lineage says which import
# created a record: see ``imports.history``).
HistorySource = Callable[[Model, int], list[AuditEntry]]
_history_sources: dict[type[Model], list[HistorySource]] = {}


def register_history_source(model: type[Model], source: HistorySource) -> None:
    """Add ``source``'s entries to the history of every ``model`` record (from an app's
    ``AppConfig.ready``)."""
    _history_sources.setdefault(model, []).append(source)


def history_entries(instance: Model, limit: int) -> list[AuditEntry]:
    """The record's latest ``limit`` entries, newest first: its audit entries and those of the
    registered history sources."""
    entries = list(history_of(instance)[:limit])
    sources = _history_sources.get(type(instance)._meta.concrete_model or type(instance), [])
    if not sources:
        return entries
    for source in sources:
        entries.extend(source(instance, limit))
    entries.sort(key=lambda entry: entry.occurred_at, reverse=True)
    return entries[:limit]


def _display_value(field: Any, value: Any, related_labels: dict[tuple[str, Any], str]) -> Any:
    if value is None or value == "":
        return None
    if field is None:
        return value
    if field.is_relation:
        return related_labels.get((field.name, value), f"#{value}")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _related_labels(
    model: type[Model], entries: list[AuditEntry], user: Any
) -> dict[tuple[str, Any], str]:
    """Names of the records foreign keys in the changes point to: one query per relation, and
    only records the user may see (others stay as "#id")."""
    labels: dict[tuple[str, Any], str] = {}
    for field in model._meta.concrete_fields:
        related_model = field.related_model
        if not field.many_to_one or not hasattr(related_model, "scope_filter"):
            continue
        ids = {
            value
            for entry in entries
            if isinstance(entry.changes.get(field.name), list)
            for value in entry.changes[field.name]
            if value is not None
        }
        if ids:
            rows = cast(type[Model], related_model)._default_manager.filter(pk__in=ids)
            related = visible_to(user, rows)
            labels.update({(field.name, row.pk): str(row) for row in related})
    return labels


# Keys an entry may carry besides the model's fields: where an imported record came from.
_NOT_A_FIELD = {"source": gettext_lazy("Source record"), "import_run": gettext_lazy("Import run")}


def history_rows(instance: Model, user: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The record's latest ``limit`` (default ``HISTORY_LIMIT``) audit entries, each change as
    field label, before and after, in the user's language (context for ``core/_history.html``)."""
    model = type(instance)
    entries = history_entries(instance, HISTORY_LIMIT if limit is None else limit)
    fields = {field.name: field for field in model._meta.concrete_fields}
    related_labels = _related_labels(model, entries, user)

    positions = {name: position for position, name in enumerate(fields)}

    def order(name: str) -> int:
        return positions.get(name, len(positions))

    def label(name: str) -> Any:
        try:
            field = model._meta.get_field(name)  # many-to-many fields too (tags)
        except FieldDoesNotExist:
            return _NOT_A_FIELD.get(name, name)
        return capfirst(getattr(field, "verbose_name", name))

    rows = []
    for entry in entries:
        changes: list[dict[str, Any]] = []
        if entry.action == AuditAction.VIEW_IDENTIFIER:
            changes.append({"label": _("Field"), "value": label(str(entry.changes.get("field")))})
        else:
            # In the order the model declares its fields, as on the form.
            for name, values in sorted(entry.changes.items(), key=lambda item: order(item[0])):
                field = fields.get(name)
                if isinstance(values, list) and len(values) == 2:
                    before, after = (_display_value(field, v, related_labels) for v in values)
                    if entry.action == AuditAction.CREATE and after is None:
                        continue  # a new record's empty fields say nothing
                    changes.append({"label": label(name), "before": before, "after": after})
                else:
                    changes.append({"label": label(name), "value": values})
        rows.append({"entry": entry, "changes": changes})
    return rows
