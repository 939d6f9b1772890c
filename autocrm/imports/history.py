"""The creation of an imported customer or vehicle, in its history, read from its lineage.

An import does not write an audit entry per record it creates: for a million rows those
entries cost as much as the records, and would repeat what the lineage already holds. The
``SourceRecord`` of the row a record was created from says everything the entry said: the
source system and the row's key, the import run (and so who started it), and when; the chunk
that creates a record stamps the record's ``created_at`` and the row's ``first_seen_at`` with
the same time, which is how the creating row is told from rows matched to the record later.
This module shows that row as the record's creation entry (``core.history``); any later
change to the record, by an import or anyone else, is in the audit table with before and after.
"""

from __future__ import annotations

from django.db.models import Model

from autocrm.core.channels import Channel
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.customers.models import Customer
from autocrm.imports.models import SourceRecord
from autocrm.vehicles.models import Vehicle


def _creation(
    instance: Customer | Vehicle, link: str, identity: dict[str, list[object]]
) -> list[AuditEntry]:
    """The creation entry of ``instance`` from the row that created it (``link``: the lineage's
    foreign key to it), if an import did; ``identity``: the fields it was created with that
    never change (its number)."""
    record = (
        SourceRecord.objects.filter(**{link: instance.pk}, first_seen_at=instance.created_at)
        .select_related("run__created_by")
        .order_by("id")
        .first()
    )
    if record is None:
        return []
    run = record.run
    origin = {"source": f"{record.source}:{record.key}", "import_run": record.run_id}
    return [
        AuditEntry(
            object_id=str(instance.pk),
            object_repr=str(instance)[:255],
            action=AuditAction.CREATE,
            actor=run.created_by if run is not None else None,
            channel=Channel.IMPORT,
            changes={**identity, **origin},
            occurred_at=record.first_seen_at,
        )
    ]


def customer_creation(instance: Model, limit: int) -> list[AuditEntry]:
    """The import that created this customer, if one did."""
    assert isinstance(instance, Customer)
    return _creation(instance, "customer_id", {"number": [None, instance.number]})


def vehicle_creation(instance: Model, limit: int) -> list[AuditEntry]:
    """The import that created this vehicle, if one did."""
    assert isinstance(instance, Vehicle)
    return _creation(instance, "vehicle_id", {"vin": [None, instance.vin]})
