"""Writing one planned chunk, in one transaction (the caller's): a chunk lands whole or not.

Every table gets one set-based write per chunk (``bulk.TableWriter``: COPY on PostgreSQL), with
the ids of new customers and vehicles reserved first, so the customer number (C + the 9-digit
id) is written with the row instead of by a second UPDATE.

Rows for customers this chunk creates cannot collide with anything (their ids are new) and are
copied; contact points and dealer links of customers that exist may already be there and are
inserted with ON CONFLICT DO NOTHING.

Audit: the lineage row (``SourceRecord``) of a customer or vehicle the import creates is its
creation entry (shown in its history by ``imports.history``); no audit row is written per created
record. A source row that changed since the last import updates its customer (and vehicle)
through the ORM, with a full before/after change entry, as any edit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from autocrm.core.audit import record_change, snapshot
from autocrm.customers.identifiers import (
    fold_name,
    is_mobile,
    mask_resident_id,
    name_forms_cached,
    protected_id_number_fields,
)
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer
from autocrm.imports.bulk import ChunkTables, one_of
from autocrm.imports.models import IdentityReview, ImportRun, SourceRecord
from autocrm.imports.normalising import Incoming
from autocrm.imports.references import ReferenceCheck
from autocrm.imports.resolution import ChunkPlan, NewCustomer, NewVehicle, PlannedRow, reserve
from autocrm.vehicles.models import Ownership, Vehicle

_CUSTOMER_COLUMNS = (
    "id", "number", "kind", "name", "name_folded", "name_initials", "status", "purchase_type",
    "gender", "birth_date", "credit_code", "id_number_encrypted", "id_number_hash",
    "id_number_masked",
)  # fmt: skip
_VEHICLE_COLUMNS = (
    "id", "vin", "vin_tail", "vin_check_digit_ok", "model_id", "engine_number", "plate",
    "dealer_id",
)  # fmt: skip
_CONTACT_COLUMNS = (
    "customer_id", "kind", "label", "value", "normalised", "is_primary", "is_mobile",
)  # fmt: skip
_LINK_COLUMNS = ("customer_id", "dealer_id", "relation")
_OWNERSHIP_COLUMNS = ("vehicle_id", "customer_id", "role", "started_on", "selling_dealer_id")
_RECORD_COLUMNS = ("source", "key", "customer_id", "vehicle_id", "row_hash", "run_id")


def _pk(ref: Any) -> int:
    """The id of an existing record, or of one reserved earlier in this chunk."""
    if type(ref) is int:  # an existing record (most references): no further look
        return ref
    pk = ref.pk if isinstance(ref, NewCustomer | NewVehicle) else ref
    assert pk is not None, "reserved before it is referred to"
    return int(pk)


def _customer_fields(incoming: Incoming) -> dict[str, Any]:
    """The customer's columns the source row sets (an update sets only these)."""
    values = incoming.values
    fields: dict[str, Any] = {
        "kind": values["kind"],
        "name": values["name"],
        "name_folded": values["name_folded"],
        "name_initials": name_forms_cached(values["name"])[1],
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


def _new_customer_row(new: NewCustomer, pk: int) -> tuple[Any, ...]:
    values = new.incoming.values
    id_number = values.get("id_number")
    incoming = new.incoming
    credit_code = values.get("credit_code") or None
    return (
        pk,
        f"C{pk:09d}",
        values["kind"],
        values["name"],
        values["name_folded"],
        incoming.name_initials,
        "owner" if new.has_vehicle else "prospect",
        "corporate" if credit_code else "private",
        values.get("gender", ""),
        values.get("birth_date"),
        credit_code,
        incoming.id_number_encrypted,
        incoming.id_number_hash,
        mask_resident_id(id_number) if id_number else "",
    )


def _new_vehicle_row(new: NewVehicle, pk: int, model_id: Any, dealer_id: Any) -> tuple[Any, ...]:
    values = new.incoming.values
    vin = values["vin"]
    return (
        pk,
        vin,
        vin[-6:],
        values["vin_check_digit_ok"],
        model_id,
        values.get("engine_number", ""),
        values.get("plate", ""),
        dealer_id,
    )


def _contact_points(plan: ChunkPlan) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(points of customers this chunk creates, points of customers that exist and do not
    have them yet as far as the plan knows: a customer matched by mobile has that mobile)."""
    rows = plan.rows
    seen = set(plan.known_contacts)
    primary_taken: set[tuple[int, str]] = set()
    for_new: list[tuple[Any, ...]] = []
    for_existing: list[tuple[Any, ...]] = []
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
            if (customer_id, kind, normalised) in seen:
                continue
            seen.add((customer_id, kind, normalised))
            # Only a customer this import creates gets primaries; others keep theirs.
            primary = row.customer_is_new and (customer_id, kind) not in primary_taken
            if primary:
                primary_taken.add((customer_id, kind))
            point = (customer_id, kind, label, raw, normalised, primary, mobile)
            (for_new if row.customer_is_new else for_existing).append(point)
    return for_new, for_existing


def _update_changed_customer(row: PlannedRow, actor: Any) -> None:
    """A source row that changed since the last import updates its customer (audited)."""
    customer = Customer.objects.select_for_update().get(pk=_pk(row.customer))
    before = snapshot(customer)
    fields = _customer_fields(row.incoming)
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


def _insert_customers_and_vehicles(plan: ChunkPlan, tables: ChunkTables) -> None:
    if any(new.pk is None for new in plan.new_customers) or any(
        new.pk is None for new in plan.new_vehicles
    ):
        reserve(plan)
    tables.references.inserted(Customer, [_pk(new) for new in plan.new_customers])
    tables.references.inserted(Vehicle, [_pk(new) for new in plan.new_vehicles])
    tables.writer(Customer, _CUSTOMER_COLUMNS).insert(
        _new_customer_row(new, _pk(new)) for new in plan.new_customers
    )
    placed = {
        id(row.vehicle): (row.model_id, row.dealer_id) for row in plan.rows if row.vehicle_is_new
    }
    tables.writer(Vehicle, _VEHICLE_COLUMNS).insert(
        _new_vehicle_row(new, _pk(new), *placed.get(id(new), (None, None)))
        for new in plan.new_vehicles
    )


def write_chunk(plan: ChunkPlan, *, run: ImportRun, actor: Any, references: ReferenceCheck) -> None:
    """Write the plan; the caller holds the transaction (a chunk lands whole or not at all)."""
    tables = ChunkTables(now=timezone.now(), references=references)
    _insert_customers_and_vehicles(plan, tables)
    for row in plan.rows:
        if row.record is not None and not row.customer_is_new:
            _update_changed_customer(row, actor)
            if row.vehicle is not None and not row.vehicle_is_new:
                _update_changed_vehicle(row, actor)
    contacts = tables.writer(ContactPoint, _CONTACT_COLUMNS)
    for_new, for_existing = _contact_points(plan)
    contacts.insert(for_new)
    contacts.insert_ignoring_conflicts(for_existing)
    links = {
        (_pk(row.customer), row.dealer_id, row.customer_is_new)
        for row in plan.rows
        if row.dealer_id is not None
    }
    dealer_links = tables.writer(CustomerDealer, _LINK_COLUMNS)
    dealer_links.insert((c, d, "sold_by") for c, d, new in links if new)
    dealer_links.insert_ignoring_conflicts([(c, d, "sold_by") for c, d, new in links if not new])
    today = timezone.localdate().isoformat()
    tables.writer(Ownership, _OWNERSHIP_COLUMNS).insert(
        (
            _pk(row.vehicle),
            _pk(row.customer),
            "owner",
            row.incoming.values.get("purchase_date") or today,
            row.dealer_id,
        )
        for row in plan.rows
        if row.needs_ownership
    )
    gained = {
        _pk(row.customer) for row in plan.rows if row.needs_ownership and not row.customer_is_new
    }
    if gained:
        prospects = Customer.objects.filter(one_of(Customer, "pk", gained), status="prospect")
        prospects.update(status="owner")
    _write_lineage(plan, run, tables)


def _write_lineage(plan: ChunkPlan, run: ImportRun, tables: ChunkTables) -> None:
    tables.writer(SourceRecord, _RECORD_COLUMNS).insert(
        (
            run.source,
            row.incoming.key,
            _pk(row.customer),
            _pk(row.vehicle) if row.vehicle is not None else None,
            row.incoming.row_hash,
            run.pk,
        )
        for row in plan.rows
        if row.record is None
    )
    changed = [
        SourceRecord(
            pk=row.record.pk,
            customer_id=_pk(row.customer),
            vehicle_id=_pk(row.vehicle) if row.vehicle is not None else None,
            row_hash=row.incoming.row_hash,
            run=run,
            last_seen_at=tables.now,
        )
        for row in plan.rows
        if row.record is not None
    ]
    SourceRecord.objects.bulk_update(
        changed, ["customer", "vehicle", "row_hash", "run", "last_seen_at"], batch_size=1000
    )
    reviewed = [row for row in plan.rows if row.review is not None]
    if not reviewed:
        return
    record_ids = dict(
        SourceRecord.objects.filter(
            source=run.source, key__in=[row.incoming.key for row in reviewed]
        ).values_list("key", "pk")
    )
    IdentityReview.objects.bulk_create(
        [
            IdentityReview(
                fingerprint=row.incoming.fingerprint,
                existing_id=row.review[0],
                candidate_id=_pk(row.customer),
                incoming=_review_data(row),
                reason=row.review[1],
                source_record_id=record_ids.get(row.incoming.key),
            )
            for row in reviewed
            if row.review is not None
        ],
        ignore_conflicts=True,
    )


def _review_data(row: PlannedRow) -> dict[str, Any]:
    """What the reviewer compares: the incoming values, never the ID number in clear."""
    values = dict(row.incoming.values)
    id_number = values.pop("id_number", None)
    if id_number:
        values["id_number_masked"] = mask_resident_id(id_number)
    values["row"] = row.incoming.row
    values["key"] = row.incoming.key
    return values


# The tables a chunk copies rows into (their foreign keys may be checked set-wise).
TABLES_WRITTEN = (Customer, Vehicle, ContactPoint, CustomerDealer, Ownership, SourceRecord)
