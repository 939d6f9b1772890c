"""The audit trail of what an import creates: one lean creation entry per new customer and
vehicle, written with the chunk (COPY on PostgreSQL).

Why lean: a full snapshot of every field of a million new records would cost more than the
import itself, and repeat what the record and its lineage already hold. The entry keeps what a
person reading the record's history needs: that it was created by an import (channel), by
whom and when, its number and name (its VIN and model), and where it came from: the source
system and the row's key (``source``) and the import run (``import_run``); ``SourceRecord``
holds the same link for every row, with the row hash. Later changes to a record, by an import
or anyone else, are audited in full, with before and after values.
"""

from __future__ import annotations

from json.encoder import encode_basestring as text  # a JSON string literal
from typing import Any

from django.contrib.contenttypes.models import ContentType

from autocrm.core.channels import current_channel
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.customers.models import Customer
from autocrm.imports.bulk import ChunkTables
from autocrm.imports.models import ImportRun
from autocrm.imports.resolution import ChunkPlan
from autocrm.vehicles.models import Vehicle

_AUDIT_COLUMNS = (
    "content_type_id", "object_id", "object_repr", "action", "actor_id", "channel", "changes",
)  # fmt: skip


def creation_entries(plan: ChunkPlan, *, run: ImportRun, actor: Any, tables: ChunkTables) -> None:
    """Write the creation entries of the chunk's new customers and vehicles (ids reserved)."""
    customer_type = ContentType.objects.get_for_model(Customer).pk
    vehicle_type = ContentType.objects.get_for_model(Vehicle).pk
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    channel = current_channel()
    create = AuditAction.CREATE.value
    model_of = {id(row.vehicle): row.model_id for row in plan.rows if row.vehicle_is_new}

    # The changes are written as JSON text directly (what json.dumps would write): a million
    # json.dumps calls cost more than the rest of the entry.
    origin = f', "import_run": {run.pk}, "source": '

    def source(key: str) -> str:
        return text(f"{run.source}:{key}")

    rows = []
    for customer in plan.new_customers:
        values, number = customer.incoming.values, f"C{customer.pk:09d}"
        status = "owner" if customer.has_vehicle else "prospect"
        changes = (
            f'{{"number": [null, "{number}"], "name": [null, {text(values["name"])}], '
            f'"kind": [null, "{values["kind"]}"], "status": [null, "{status}"]'
            f"{origin}{source(customer.incoming.key)}}}"
        )
        label = f"{values['name']} ({number})"[:255]
        rows.append((customer_type, str(customer.pk), label, create, actor_id, channel, changes))
    for vehicle in plan.new_vehicles:
        vin = vehicle.incoming.values["vin"]
        model = model_of.get(id(vehicle))
        changes = (
            f'{{"vin": [null, "{vin}"], "model": [null, {"null" if model is None else model}]'
            f"{origin}{source(vehicle.incoming.key)}}}"
        )
        rows.append((vehicle_type, str(vehicle.pk), vin, create, actor_id, channel, changes))
    tables.writer(AuditEntry, _AUDIT_COLUMNS).insert(rows)
