"""Identity resolution for one chunk of source rows: which existing customer and vehicle each
row is, with a handful of ``IN (...)`` queries per chunk and no query per row.

Rules (issue 3, item 9): the same ID number, the same credit code, or the same mobile with the
same folded name is the same customer; the same VIN is the same vehicle. A mobile shared with a
differently named customer, or a name and address shared with a customer without this phone,
is ambiguous: the row lands as a new customer and the pair goes to the review queue, unless the
pair was decided before (the decision is remembered by fingerprint and existing customer).
Resolution only reads; nothing is written until the whole chunk is planned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from autocrm.customers.models import ContactPoint, Customer
from autocrm.imports.bulk import one_of
from autocrm.imports.models import IdentityReview, ReviewDecision, ReviewReason, SourceRecord
from autocrm.imports.normalising import Incoming, RowError
from autocrm.network.models import Dealer
from autocrm.vehicles.models import Ownership, Vehicle, VehicleModel


@dataclass(frozen=True)
class KnownRecord:
    """A source row imported before: its lineage row, its hash then, what it became."""

    pk: int
    row_hash: str
    customer_id: int | None
    vehicle_id: int | None


def known_records(source: str, keys: list[str]) -> dict[str, KnownRecord]:
    """The lineage of the rows with these keys that an earlier import of ``source`` brought."""
    return {
        key: KnownRecord(pk, row_hash, customer_id, vehicle_id)
        for key, pk, row_hash, customer_id, vehicle_id in SourceRecord.objects.filter(
            one_of(SourceRecord, "key", keys), source=source
        )
        .order_by()
        .values_list("key", "pk", "row_hash", "customer_id", "vehicle_id")
    }


@dataclass(eq=False)
class NewCustomer:
    """A customer this chunk creates; ``pk`` is known once it is inserted."""

    incoming: Incoming
    has_vehicle: bool = False
    pk: int | None = None
    listed: bool = False  # in ``ChunkPlan.new_customers`` (a list scan per row was quadratic)


@dataclass(eq=False)
class NewVehicle:
    incoming: Incoming
    pk: int | None = None


CustomerRef = int | NewCustomer
VehicleRef = int | NewVehicle


@dataclass
class PlannedRow:
    incoming: Incoming
    customer: CustomerRef
    customer_is_new: bool
    vehicle: VehicleRef | None = None
    vehicle_is_new: bool = False
    needs_ownership: bool = False
    record: KnownRecord | None = None
    review: tuple[int, str] | None = None  # (existing customer id, reason)
    model_id: int | None = None
    dealer_id: int | None = None


@dataclass
class ChunkPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_customers: list[NewCustomer] = field(default_factory=list)
    new_vehicles: list[NewVehicle] = field(default_factory=list)


def _rows(queryset: Any, field: str, values: Any, *columns: str) -> list[tuple[Any, ...]]:
    """(field, *columns) of the rows whose ``field`` is one of ``values``; no query for none."""
    values = list(values)
    if not values:
        return []
    condition = one_of(queryset.model, field, values)
    return list(queryset.filter(condition).order_by().values_list(field, *columns))


def _mapping(queryset: Any, field: str, values: Any, column: str) -> dict[Any, Any]:
    return dict(_rows(queryset, field, values, column))


class Lookups:
    """What the database already knows about the identities of one chunk."""

    def __init__(self, rows: list[Incoming], records: dict[str, KnownRecord]) -> None:
        values = [row.values for row in rows]
        hashes = {row.id_number_hash for row in rows if row.id_number_hash}
        credit_codes = {v["credit_code"] for v in values if v.get("credit_code")}
        mobiles = {v["mobile"] for v in values if v.get("mobile")}
        addresses = {v["address"] for v in values if v.get("address")}
        vins = {v["vin"] for v in values if v.get("vin")}
        active = Customer.objects.filter(is_active=True)
        self.by_id_hash = _mapping(active, "id_number_hash", hashes, "pk")
        self.by_credit_code = _mapping(active, "credit_code", credit_codes, "pk")
        self.by_mobile = self._customers_by_contact("phone", mobiles)
        self.by_address = self._customers_by_contact("address", addresses)
        # Remembered decisions matter only where a pair may be ambiguous.
        fingerprints = {row.fingerprint for row in rows if self._has_pairs(row)}
        self.decisions = {
            (fingerprint, existing): decision
            for fingerprint, existing, decision in _rows(
                IdentityReview.objects.all(),
                "fingerprint",
                fingerprints,
                "existing_id",
                "decision",
            )
        }
        self.vehicles = _mapping(Vehicle.objects.all(), "vin", vins, "pk")
        open_ownerships = Ownership.objects.filter(ended_on__isnull=True, role="owner")
        self.owners: dict[int, tuple[CustomerRef, str | None]] = {
            vehicle_id: (customer_id, number)
            for vehicle_id, customer_id, number in _rows(
                open_ownerships, "vehicle_id", self.vehicles.values(), "customer_id",
                "customer__number",
            )
        }  # fmt: skip
        survivors = {r.customer_id for r in records.values() if r.customer_id}
        merged = Customer.objects.filter(merged_into__isnull=False)
        self.merged_into = _mapping(merged, "pk", survivors, "merged_into_id")

    @staticmethod
    def _customers_by_contact(kind: str, values: set[str]) -> dict[str, list[tuple[int, str]]]:
        """normalised value -> [(active customer id, folded name)] holding it."""
        found: dict[str, list[tuple[int, str]]] = defaultdict(list)
        if values:
            points = ContactPoint.objects.filter(kind=kind, customer__is_active=True)
            for value, customer_id, name in _rows(
                points, "normalised", values, "customer_id", "customer__name_folded"
            ):
                found[value].append((customer_id, name))
        return found

    def _has_pairs(self, row: Incoming) -> bool:
        """Whether an existing customer shares the row's mobile under another name, or its
        name and address (the pairs ``Resolver._ambiguous`` considers)."""
        name = row.name_folded
        mobile, address = row.values.get("mobile"), row.values.get("address")
        return any(other != name for _pk, other in self.by_mobile.get(mobile or "", ())) or any(
            other == name for _pk, other in self.by_address.get(address or "", ())
        )


class Catalogue:
    """Model codes and dealer codes, read once per import (they are small tables)."""

    def __init__(self) -> None:
        self.models = dict(VehicleModel.objects.values_list("code", "pk"))
        self.dealers = dict(Dealer.objects.filter(is_active=True).values_list("code", "pk"))


def _column(mapping: dict[str, str], target: str) -> str:
    return next((header for header, f in mapping.items() if f == target), target)


class Resolver:
    """Plans one chunk: the rows in order, in-file duplicates resolving to the same records."""

    def __init__(self, catalogue: Catalogue, mapping: dict[str, str]) -> None:
        self.catalogue = catalogue
        self.mapping = mapping

    def plan(self, rows: list[Incoming], records: dict[str, KnownRecord]) -> ChunkPlan:
        lookups = Lookups(rows, records)
        plan = ChunkPlan()
        self.new_by_identity: dict[tuple[str, str], NewCustomer] = {}
        self.new_vehicles: dict[str, tuple[NewVehicle, CustomerRef]] = {}
        for incoming in rows:
            planned = self._plan_row(incoming, lookups, records.get(incoming.key), plan)
            if planned is not None:
                plan.rows.append(planned)
        return plan

    def _fail(self, plan: ChunkPlan, incoming: Incoming, target: str, reason: str) -> None:
        value = str(incoming.values.get(target, ""))
        plan.errors.append(RowError(incoming.row, _column(self.mapping, target), value, reason))

    def _plan_row(
        self,
        incoming: Incoming,
        lookups: Lookups,
        record: KnownRecord | None,
        plan: ChunkPlan,
    ) -> PlannedRow | None:
        values = incoming.values
        model_id = dealer_id = None
        if values.get("model_code"):
            model_id = self.catalogue.models.get(values["model_code"])
            if model_id is None:
                self._fail(plan, incoming, "model_code", _("No vehicle model has this code."))
                return None
        if values.get("dealer_code"):
            dealer_id = self.catalogue.dealers.get(values["dealer_code"])
            if dealer_id is None:
                self._fail(plan, incoming, "dealer_code", _("No active dealer has this code."))
                return None
        customer, review = self._customer(incoming, lookups, record)
        planned = PlannedRow(
            incoming=incoming,
            customer=customer if customer is not None else NewCustomer(incoming),
            customer_is_new=customer is None,
            record=record,
            review=review,
            model_id=model_id,
            dealer_id=dealer_id,
        )
        if values.get("vin") and not self._vehicle(planned, lookups, record, plan):
            return None
        if isinstance(planned.customer, NewCustomer) and planned.customer.pk is None:
            if not planned.customer.listed:
                planned.customer.listed = True
                plan.new_customers.append(planned.customer)
                self._remember(planned.customer)
            planned.customer.has_vehicle |= planned.vehicle is not None
        return planned

    def _identities(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        found = []
        if values.get("id_number"):
            found.append(("id", values["id_number"]))
        if values.get("credit_code"):
            found.append(("credit", values["credit_code"]))
        if values.get("mobile"):
            found.append(("mobile", f"{values['mobile']}|{values['name_folded']}"))
        return found

    def _remember(self, customer: NewCustomer) -> None:
        for identity in self._identities(customer.incoming.values):
            self.new_by_identity.setdefault(identity, customer)

    def _customer(
        self, incoming: Incoming, lookups: Lookups, record: KnownRecord | None
    ) -> tuple[CustomerRef | None, tuple[int, str] | None]:
        """The customer the row is (None: a new one) and the review to queue, if any."""
        values = incoming.values
        if record is not None and record.customer_id:
            return lookups.merged_into.get(record.customer_id, record.customer_id), None
        for identity in self._identities(values):
            if identity in self.new_by_identity:
                return self.new_by_identity[identity], None
        if incoming.id_number_hash:
            found = lookups.by_id_hash.get(incoming.id_number_hash)
            if found:
                return found, None
        if values.get("credit_code") and values["credit_code"] in lookups.by_credit_code:
            return lookups.by_credit_code[values["credit_code"]], None
        name = incoming.name_folded
        mobile = values.get("mobile")
        if mobile:
            for customer_id, existing_name in lookups.by_mobile.get(mobile, ()):
                if existing_name == name:
                    return customer_id, None
        return self._ambiguous(incoming, lookups)

    def _ambiguous(
        self, incoming: Incoming, lookups: Lookups
    ) -> tuple[CustomerRef | None, tuple[int, str] | None]:
        values, name = incoming.values, incoming.name_folded
        pairs = [
            (customer_id, ReviewReason.SAME_MOBILE_OTHER_NAME.value)
            for customer_id, other in lookups.by_mobile.get(values.get("mobile", ""), ())
            if other != name
        ] + [
            (customer_id, ReviewReason.SAME_NAME_ADDRESS_OTHER_PHONE.value)
            for customer_id, other in lookups.by_address.get(values.get("address", ""), ())
            if other == name
        ]
        for existing, reason in pairs:
            decision = lookups.decisions.get((incoming.fingerprint, existing))
            if decision == ReviewDecision.SAME:
                return existing, None
            if decision is None:
                return None, (existing, reason)
        # Every pair was decided "different" or is already waiting in the queue.
        return None, None

    def _vehicle(
        self,
        planned: PlannedRow,
        lookups: Lookups,
        record: KnownRecord | None,
        plan: ChunkPlan,
    ) -> bool:
        incoming = planned.incoming
        vin = incoming.values["vin"]
        customer = planned.customer
        if vin in self.new_vehicles:
            vehicle, new_owner = self.new_vehicles[vin]
            if new_owner != customer:
                self._fail(
                    plan,
                    incoming,
                    "vin",
                    _("This VIN is already in row %(row)s of this file, for another customer.")
                    % {"row": vehicle.incoming.row},
                )
                return False
            planned.vehicle = vehicle
            return True
        vehicle_id = lookups.vehicles.get(vin)
        if vehicle_id is None:
            new = NewVehicle(incoming)
            plan.new_vehicles.append(new)
            self.new_vehicles[vin] = (new, customer)
            planned.vehicle, planned.vehicle_is_new, planned.needs_ownership = new, True, True
            return True
        owner = lookups.owners.get(vehicle_id)
        if owner is not None and owner[0] != customer:
            self._fail(
                plan,
                incoming,
                "vin",
                _(
                    "This vehicle belongs to customer %(customer)s; record the transfer before "
                    "importing it for someone else."
                )
                % {"customer": owner[1]},
            )
            return False
        planned.vehicle = vehicle_id
        planned.needs_ownership = owner is None
        if owner is None:
            # A later row of the chunk for the same VIN must not open a second ownership.
            lookups.owners[vehicle_id] = (customer, incoming.values["name"])
        return True
