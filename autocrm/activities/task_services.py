"""Writes to tasks: create (by hand or by a rule), change, complete, cancel.

The callers fetch the task, its customer and its vehicle within the actor's scope
(``autocrm.activities.planning.tasks_visible``); these services check the actor's right to plan
for the assignee, validate, save under the optimistic lock and write the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.activities.choices import TaskStatus
from autocrm.activities.models import Task
from autocrm.activities.permissions import may_plan, may_plan_for
from autocrm.core import audit
from autocrm.core.errors import ApplicationError, ErrorCode, PermissionDenied, StaleRecord

EDITABLE_FIELDS = (
    "title",
    "notes",
    "kind",
    "priority",
    "due_on",
    "assignee",
    "customer",
    "vehicle",
)
TEXT_FIELDS = ("notes",)


class TaskClosed(ApplicationError):
    """The task is done or cancelled already (someone else closed it, or a second click)."""

    code = ErrorCode.CONFLICT
    status = 409
    default_message = gettext_lazy("This task is already closed; nothing was changed.")


def _check_assignee(actor: Any, task: Task) -> None:
    if not may_plan_for(actor, task.assignee):
        raise ValidationError(
            {"assignee": _("You may not give tasks to this person.")}, code="assignee"
        )


def _values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    for name in TEXT_FIELDS:
        if name in values and values[name] is None:
            values[name] = ""
    return values


@transaction.atomic
def task_create(
    *,
    actor: Any,
    data: dict[str, Any],
    source: str = "",
    source_key: str = "",
) -> Task:
    """Create a task. ``data`` holds the editable fields; ``assignee`` defaults to the actor,
    who may give it to someone else only when their role plans for others and the person is in
    their scope. The task's dealer is the assignee's. A ``source`` with a ``source_key`` marks
    a rule's task: creating it again is refused by the unique ``dedupe_key``."""
    if not may_plan(actor):
        raise PermissionDenied
    values = _values(data)
    if values.get("assignee") is None:
        values["assignee"] = actor
    task = Task(
        created_by=actor,
        source=source,
        source_key=source_key,
        dedupe_key=Task.dedupe_key_for(source, source_key),
        **values,
    )
    task.dealer_id = task.assignee.dealer_id
    task.full_clean()
    _check_assignee(actor, task)
    task.save()
    audit.record_creation(task, actor=actor)
    return task


def _locked(task: Task, expected_version: int | None) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    return locked


@transaction.atomic
def task_update(
    *,
    actor: Any,
    task: Task,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Task:
    """Change an open task's fields given in ``data``. With ``expected_version``, a change
    based on an old copy is refused (``StaleRecord``) and nothing is written. Giving the task
    to someone else follows the rule of ``task_create``; the dealer follows the assignee."""
    if not may_plan(actor):
        raise PermissionDenied
    locked = _locked(task, expected_version)
    if locked.status != TaskStatus.OPEN:
        raise TaskClosed
    before = audit.snapshot(locked)
    for name, value in _values(data).items():
        setattr(locked, name, value)
    if locked.assignee_id != before["assignee"]:
        _check_assignee(actor, locked)
        locked.dealer_id = locked.assignee.dealer_id
    locked.full_clean()
    if audit.snapshot(locked) == before:
        return locked
    locked.version += 1
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


def _close(actor: Any, task: Task, status: str, outcome: str, expected_version: int | None) -> Task:
    if not may_plan(actor):
        raise PermissionDenied
    locked = _locked(task, expected_version)
    if locked.status != TaskStatus.OPEN:
        raise TaskClosed
    before = audit.snapshot(locked)
    locked.status = status
    locked.outcome = (outcome or "").strip()
    locked.completed_at = timezone.now()
    locked.completed_by = actor
    locked.version += 1
    locked.full_clean()
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked


@transaction.atomic
def task_complete(
    *, actor: Any, task: Task, outcome: str = "", expected_version: int | None = None
) -> Task:
    """Mark an open task done, with who did it, when, and an optional outcome note. A task
    closed in the meantime is refused (``TaskClosed``), so a second click changes nothing."""
    return _close(actor, task, TaskStatus.DONE, outcome, expected_version)


@transaction.atomic
def task_cancel(
    *, actor: Any, task: Task, outcome: str = "", expected_version: int | None = None
) -> Task:
    """Cancel an open task (it is no longer needed), with an optional reason."""
    return _close(actor, task, TaskStatus.CANCELLED, outcome, expected_version)
