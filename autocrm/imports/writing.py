"""Writing one planned chunk: set-based inserts and updates, in one transaction (the caller's).

New customers, vehicles, contact points, dealer links, ownerships, lineage and review items are
each one ``bulk_create``; customer numbers are one ``UPDATE``; each new customer and vehicle gets
its creation audit entry (written in bulk), changed customers a change entry.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from autocrm.core.audit import record_change, snapshot
from autocrm.core.channels import current_channel
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.customers.identifiers import (
    fold_name,
    is_mobile,
    mask_resident_id,
    name_initials,
    protected_id_number_fields,
)
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer
from autocrm.imports.models import IdentityReview, ImportRun, SourceRecord
from autocrm.imports.resolution import ChunkPlan, NewCustomer, NewVehicle, PlannedRow
from autocrm.vehicles.models import Ownership, Vehicle

_BATCH = 1000


def _pk(ref: Any) -> int:
    """The id of an existing record, or of one inserted earlier in this chunk."""
    pk = ref.pk if isinstance(ref, NewCustomer | NewVehicle) else ref
    assert pk is not None, "inserted before it is referred to"
    return int(pk)


def _customer_fields(values: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": values["kind"],
        "name": values["name"],
        "name_folded": values["name_folded"],
        "name_initials": name_initials(values["name"]),
    }
    if values.get("gender"):
        fields["gender"] = values["gender"]
    if values.get("birth_date"):
        fields["birth_date"] = datetime.date.fromisoformat(values["birth_date"])
    if values.get("credit_code"):
        fields["credit_code"] = values["credit_code"]
        fields["purchase_type"] = "corporate"
    if values.get("id_number"):
        fields.update(protected_id_number_fields(values["id_number"]))
    return fields


def _creation_entries(instances: list[Any], actor: Any) -> list[AuditEntry]:
    if not instances:
        return []
    content_type = ContentType.objects.get_for_model(instances[0], for_concrete_model=True)
    channel = current_channel()
    actor = actor if getattr(actor, "pk", None) else None
    entries = []
    for instance in instances:
        values = snapshot(instance)
        changes = {name: [None, value] for name, value in values.items() if value not in ("", None)}
        entries.append(
            AuditEntry(
                content_type=content_type,
                object_id=str(instance.pk),
                object_repr=str(instance)[:255],
                action=AuditAction.CREATE,
                actor=actor,
                channel=channel,
                changes=changes,
            )
        )
    return entries


def _insert_customers(plan: ChunkPlan, actor: Any) -> list[Customer]:
    customers = []
    for new in plan.new_customers:
        fields = _customer_fields(new.incoming.values)
        fields["status"] = "owner" if new.has_vehicle else "prospect"
        customers.append(Customer(**fields))
    Customer.objects.bulk_create(customers, batch_size=_BATCH)
    for new, customer in zip(plan.new_customers, customers, strict=True):
        new.pk = customer.pk
    if customers:
        Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
            number=Concat(Value("C"), LPad(Cast("pk", CharField()), 9, Value("0")))
        )
        for customer in customers:
            customer.number = f"C{customer.pk:09d}"
    return customers


def _insert_vehicles(plan: ChunkPlan, rows: list[PlannedRow]) -> list[Vehicle]:
    model_of = {
        id(row.vehicle): (row.model_id, row.dealer_id) for row in rows if row.vehicle_is_new
    }
    vehicles = []
    for new in plan.new_vehicles:
        values = new.incoming.values
        model_id, dealer_id = model_of.get(id(new), (None, None))
        vehicles.append(
            Vehicle(
                vin=values["vin"],
                vin_tail=values["vin"][-6:],
                vin_check_digit_ok=values["vin_check_digit_ok"],
                model_id=model_id,
                engine_number=values.get("engine_number", ""),
                plate=values.get("plate", ""),
                dealer_id=dealer_id,
            )
        )
    Vehicle.objects.bulk_create(vehicles, batch_size=_BATCH)
    for new, vehicle in zip(plan.new_vehicles, vehicles, strict=True):
        new.pk = vehicle.pk
    return vehicles


def _contact_points(rows: list[PlannedRow]) -> list[ContactPoint]:
    points: dict[tuple[int, str, str], ContactPoint] = {}
    primary_taken: set[tuple[int, str]] = set()
    for row in rows:
        values, customer_id = row.incoming.values, _pk(row.customer)
        wanted = []
        if values.get("mobile"):
            wanted.append(("phone", "mobile", values["mobile"], values["mobile"], True))
        if values.get("phone"):
            phone = values["phone"]
            wanted.append(("phone", "other", values["phone_raw"], phone, is_mobile(phone)))
        if values.get("email"):
            wanted.append(("email", "other", values["email"], values["email"], False))
        if values.get("address"):
            wanted.append(("address", "home", values["address_raw"], values["address"], False))
        for kind, label, raw, normalised, mobile in wanted:
            if (customer_id, kind, normalised) in points:
                continue
            # Only a customer this import creates gets primaries; others keep theirs.
            primary = row.customer_is_new and (customer_id, kind) not in primary_taken
            if primary:
                primary_taken.add((customer_id, kind))
            points[(customer_id, kind, normalised)] = ContactPoint(
                customer_id=customer_id,
                kind=kind,
                label=label,
                value=raw,
                normalised=normalised,
                is_primary=primary,
                is_mobile=mobile,
            )
    return list(points.values())


def _update_changed_customer(row: PlannedRow, actor: Any) -> None:
    """A source row that changed since the last import updates its customer (audited)."""
    customer = Customer.objects.select_for_update().get(pk=_pk(row.customer))
    before = snapshot(customer)
    fields = _customer_fields(row.incoming.values)
    if customer.credit_code and "credit_code" not in fields:
        fields.pop("purchase_type", None)
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.name_folded = fold_name(customer.name)
    customer.full_clean(exclude=["number", "merged_into"], validate_unique=False)
    customer.version += 1
    customer.save()
    record_change(customer, before, actor=actor)


def _update_changed_vehicle(row: PlannedRow, actor: Any) -> None:
    vehicle = Vehicle.objects.select_for_update().get(pk=_pk(row.vehicle))
    before = snapshot(vehicle)
    values = row.incoming.values
    for name in ("engine_number", "plate"):
        if values.get(name):
            setattr(vehicle, name, values[name])
    if row.model_id:
        vehicle.model_id = row.model_id
    vehicle.version += 1
    vehicle.save()
    record_change(vehicle, before, actor=actor)


def write_chunk(plan: ChunkPlan, *, run: ImportRun, actor: Any) -> None:
    """Write the plan; the caller holds the transaction (a chunk lands whole or not at all)."""
    customers = _insert_customers(plan, actor)
    vehicles = _insert_vehicles(plan, plan.rows)
    AuditEntry.objects.bulk_create(
        _creation_entries(customers, actor) + _creation_entries(vehicles, actor),
        batch_size=_BATCH,
    )
    for row in plan.rows:
        if row.record is not None and not row.customer_is_new:
            _update_changed_customer(row, actor)
            if row.vehicle is not None and not row.vehicle_is_new:
                _update_changed_vehicle(row, actor)
    ContactPoint.objects.bulk_create(_contact_points(plan.rows), ignore_conflicts=True)
    links = {(_pk(row.customer), row.dealer_id) for row in plan.rows if row.dealer_id is not None}
    CustomerDealer.objects.bulk_create(
        [CustomerDealer(customer_id=c, dealer_id=d, relation="sold_by") for c, d in links],
        ignore_conflicts=True,
    )
    today = timezone.localdate()
    ownerships = [
        Ownership(
            vehicle_id=_pk(row.vehicle),
            customer_id=_pk(row.customer),
            role="owner",
            started_on=datetime.date.fromisoformat(row.incoming.values["purchase_date"])
            if row.incoming.values.get("purchase_date")
            else today,
            selling_dealer_id=row.dealer_id,
        )
        for row in plan.rows
        if row.needs_ownership
    ]
    Ownership.objects.bulk_create(ownerships, batch_size=_BATCH)
    gained = {
        _pk(row.customer) for row in plan.rows if row.needs_ownership and not row.customer_is_new
    }
    if gained:
        Customer.objects.filter(pk__in=gained, status="prospect").update(status="owner")
    _write_lineage(plan, run)


def _write_lineage(plan: ChunkPlan, run: ImportRun) -> None:
    new_records: list[SourceRecord] = []
    changed: list[SourceRecord] = []
    record_of_row: dict[int, SourceRecord] = {}
    for row in plan.rows:
        record = row.record or SourceRecord(source=run.source, key=row.incoming.key)
        record.customer_id = _pk(row.customer)
        record.vehicle_id = _pk(row.vehicle) if row.vehicle is not None else None
        record.row_hash = row.incoming.row_hash
        record.run = run
        (changed if row.record is not None else new_records).append(record)
        record_of_row[row.incoming.row] = record
    SourceRecord.objects.bulk_create(new_records, batch_size=_BATCH)
    if changed:
        now = timezone.now()
        for record in changed:
            record.last_seen_at = now
        SourceRecord.objects.bulk_update(
            changed, ["customer", "vehicle", "row_hash", "run", "last_seen_at"], batch_size=_BATCH
        )
    reviews = [
        IdentityReview(
            fingerprint=row.incoming.fingerprint,
            existing_id=row.review[0],
            candidate_id=_pk(row.customer),
            incoming=_review_data(row),
            reason=row.review[1],
            source_record=record_of_row[row.incoming.row],
        )
        for row in plan.rows
        if row.review is not None
    ]
    IdentityReview.objects.bulk_create(reviews, ignore_conflicts=True)


def _review_data(row: PlannedRow) -> dict[str, Any]:
    """What the reviewer compares: the incoming values, never the ID number in clear."""
    values = dict(row.incoming.values)
    id_number = values.pop("id_number", None)
    if id_number:
        values["id_number_masked"] = mask_resident_id(id_number)
    values["row"] = row.incoming.row
    values["key"] = row.incoming.key
    return values
