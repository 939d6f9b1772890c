"""Writes to the interaction timeline. Each service checks the actor's rights, validates, saves
and writes the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrm.activities.clock import local_if_naive
from autocrm.activities.models import Interaction
from autocrm.activities.permissions import may_edit_interaction, may_log_interactions
from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.vehicles.models import Ownership

# Clocks of phones and PCs drift; a few minutes ahead is still "now", not the future.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)

EDITABLE_FIELDS = (
    "channel",
    "occurred_at",
    "subject",
    "notes",
    "outcome",
    "duration_seconds",
    "vehicle",
    "dealer",
)


def check_occurred_at(occurred_at: datetime.datetime) -> None:
    """Refuse a time in the future (beyond clock drift): an interaction is logged after it
    happened. The forms check with it too, so their inline error is the service's."""
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("An interaction cannot be logged in the future."), code="future")


def _check_vehicle(interaction: Interaction) -> None:
    if interaction.vehicle_id is None:
        return
    owned = Ownership.objects.filter(
        customer_id=interaction.customer_id, vehicle_id=interaction.vehicle_id
    ).exists()
    if not owned:
        raise ValidationError(
            {"vehicle": _("This vehicle is not one the customer owns or has owned.")},
            code="not_owned",
        )


def _validate(interaction: Interaction) -> None:
    interaction.full_clean()
    try:
        check_occurred_at(interaction.occurred_at)
    except ValidationError as error:
        raise ValidationError({"occurred_at": error.error_list}) from error
    _check_vehicle(interaction)


@transaction.atomic
def interaction_log(*, actor: Any, customer: Any, data: dict[str, Any]) -> Interaction:
    """Log a touchpoint with ``customer`` (already fetched within the actor's scope).

    ``data`` holds the model's editable fields; ``occurred_at`` defaults to now and may not lie
    in the future, ``dealer`` defaults to the actor's dealer, ``vehicle`` must be one the
    customer owns or owned. The author is the actor."""
    if not may_log_interactions(actor):
        raise PermissionDenied
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    values["occurred_at"] = local_if_naive(values.get("occurred_at")) or timezone.now()
    if values.get("dealer") is None:
        values["dealer"] = getattr(actor, "dealer", None)
    for text_field in ("notes", "outcome"):
        if values.get(text_field) is None:
            values[text_field] = ""
    interaction = Interaction(customer=customer, user=actor, **values)
    _validate(interaction)
    interaction.save()
    audit.record_creation(interaction, actor=actor)
    return interaction


@transaction.atomic
def interaction_update(
    *,
    actor: Any,
    interaction: Interaction,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Interaction:
    """Change an interaction: its author or a manager may. Only the fields in ``data`` change;
    the customer and the author never do. With ``expected_version`` (the version the editor
    opened), a save after someone else's is refused (``StaleRecord``) and nothing is written."""
    if not may_edit_interaction(actor, interaction):
        raise PermissionDenied
    locked = Interaction.objects.select_for_update().get(pk=interaction.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    before = audit.snapshot(locked)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name in ("notes", "outcome") and value is None:
            value = ""
        setattr(locked, name, local_if_naive(value))
    _validate(locked)
    if audit.snapshot(locked) == before:
        return locked
    # The row is locked until commit, so a plain increment cannot lose an update.
    locked.version += 1
    locked.save()
    audit.record_change(locked, before, actor=actor)
    return locked
