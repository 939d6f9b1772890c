"""Identity resolution for one chunk of source rows: which existing customer and vehicle each
row is, with a handful of ``IN (...)`` queries per chunk and no query per row.

Rules (issue 3, item 9): the same ID number, the same credit code, or the same mobile with the
same folded name is the same customer; the same VIN is the same vehicle. A mobile shared with a
differently named customer, or a name and address shared with a customer without this phone,
is ambiguous: the row lands as a new customer and the pair goes to the review queue, unless the
pair was decided before (the decision is remembered by fingerprint and existing customer).
Resolution only reads; nothing is written until the whole chunk is planned.

Chunks are planned while earlier ones are still being written (``pipeline``), so the database
does not yet show what those create. Each planned chunk therefore leaves an ``Overlay``: the
identities, contact values, VINs, ownerships and review pairs it creates, under the ids reserved
for them up front (``reserve``). Planning a chunk adds the overlays of the chunks not yet known to
be committed to what the database answers, so a row matches a customer or vehicle an earlier
chunk of the same run creates exactly as if that chunk had been committed first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from autocrm.customers.models import ContactPoint, Customer
from autocrm.imports.bulk import one_of, reserve_ids
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
    # The customer's folded name once the row is written (contact values of a chunk are
    # matched by the chunks after it under this name).
    customer_name: str = ""


@dataclass
class ChunkPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_customers: list[NewCustomer] = field(default_factory=list)
    new_vehicles: list[NewVehicle] = field(default_factory=list)
    # Positions of the overlays (of chunks planned before) this plan drew on.
    drawn_on: set[int] = field(default_factory=set)
    # (customer id, kind, normalised value) of contact points that exist, or that a chunk this
    # plan drew on creates: a matched customer's row need not write them again.
    known_contacts: set[tuple[int, str, str]] = field(default_factory=set)


def _rows(queryset: Any, field: str, values: Any, *columns: str) -> list[tuple[Any, ...]]:
    """(field, *columns) of the rows whose ``field`` is one of ``values``; no query for none."""
    values = list(values)
    if not values:
        return []
    condition = one_of(queryset.model, field, values)
    return list(queryset.filter(condition).order_by().values_list(field, *columns))


def _mapping(queryset: Any, field: str, values: Any, column: str) -> dict[Any, Any]:
    return dict(_rows(queryset, field, values, column))


def _named(queryset: Any, field: str, values: Any) -> dict[Any, tuple[int, str]]:
    """value -> (customer id, folded name) of the customers whose ``field`` is one of ``values``."""
    return {
        value: (pk, name) for value, pk, name in _rows(queryset, field, values, "pk", "name_folded")
    }


class Lookups:
    """What the database already knows about the identities of one chunk, with what the chunks
    planned before it create (``overlays``: perhaps not committed yet)."""

    def __init__(
        self,
        rows: list[Incoming],
        records: dict[str, KnownRecord],
        overlays: Sequence[Overlay] = (),
    ) -> None:
        values = [row.values for row in rows]
        hashes = {row.id_number_hash for row in rows if row.id_number_hash}
        credit_codes = {v["credit_code"] for v in values if v.get("credit_code")}
        mobiles = {v["mobile"] for v in values if v.get("mobile")}
        addresses = {v["address"] for v in values if v.get("address")}
        vins = {v["vin"] for v in values if v.get("vin")}
        active = Customer.objects.filter(is_active=True)
        # value -> (customer id, folded name)
        self.by_id_hash = _named(active, "id_number_hash", hashes)
        self.by_credit_code = _named(active, "credit_code", credit_codes)
        self.by_mobile = self._customers_by_contact("phone", mobiles)
        self.by_address = self._customers_by_contact("address", addresses)
        self.vehicles = _mapping(Vehicle.objects.all(), "vin", vins, "pk")
        open_ownerships = Ownership.objects.filter(ended_on__isnull=True, role="owner")
        self.owners: dict[int, tuple[CustomerRef, str | None]] = {
            vehicle_id: (customer_id, number)
            for vehicle_id, customer_id, number in _rows(
                open_ownerships, "vehicle_id", self.vehicles.values(), "customer_id",
                "customer__number",
            )
        }  # fmt: skip
        decisions: dict[tuple[str, int], str] = {}
        # The overlays this chunk draws on (their positions): it may be written only after
        # those chunks are committed.
        self.drawn_on: set[int] = set()
        known_vehicles = set(self.vehicles.values())
        for position, overlay in enumerate(overlays):
            touched = overlay.touches(
                hashes, credit_codes, mobiles, addresses, vins, known_vehicles
            )
            if touched or overlay.queues_pairs_of(rows):
                self.drawn_on.add(position)
            self._add(overlay, mobiles, addresses)
            decisions.update(overlay.decisions)
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
        for pair, decision in decisions.items():
            self.decisions.setdefault(pair, decision)
        survivors = {r.customer_id for r in records.values() if r.customer_id}
        merged = Customer.objects.filter(merged_into__isnull=False)
        self.merged_into = _mapping(merged, "pk", survivors, "merged_into_id")

    def _add(self, overlay: Overlay, mobiles: set[str], addresses: set[str]) -> None:
        """What one earlier chunk creates, as if it were in the database already."""
        for identities, created in (
            (self.by_id_hash, overlay.by_id_hash),
            (self.by_credit_code, overlay.by_credit_code),
        ):
            for value, customer in created.items():
                identities.setdefault(value, customer)
        for found, wanted, contacts in (
            (self.by_mobile, mobiles, overlay.by_mobile),
            (self.by_address, addresses, overlay.by_address),
        ):
            for value in wanted & contacts.keys():
                holders = dict(found.get(value, ()))
                holders.update(contacts[value])  # with the name the earlier chunk gives
                found[value] = list(holders.items())
        for vin, vehicle_id in overlay.vehicles.items():
            self.vehicles.setdefault(vin, vehicle_id)
        self.owners.update(overlay.owners)

    def known_contacts(self) -> set[tuple[int, str, str]]:
        """The contact points found (``by_mobile``: kind phone; ``by_address``), as
        (customer id, kind, normalised value)."""
        known: set[tuple[int, str, str]] = set()
        for kind, found in (("phone", self.by_mobile), ("address", self.by_address)):
            for value, holders in found.items():
                known.update((customer_id, kind, value) for customer_id, _name in holders)
        return known

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

    def plan(
        self,
        rows: list[Incoming],
        records: dict[str, KnownRecord],
        overlays: Sequence[Overlay] = (),
    ) -> ChunkPlan:
        """The chunk's plan; ``overlays``: what the chunks planned before it and perhaps not
        yet committed create."""
        lookups = Lookups(rows, records, overlays)
        plan = ChunkPlan()
        self.new_by_identity: dict[tuple[str, str], NewCustomer] = {}
        self.new_vehicles: dict[str, tuple[NewVehicle, CustomerRef]] = {}
        for incoming in rows:
            planned = self._plan_row(incoming, lookups, records.get(incoming.key), plan)
            if planned is not None:
                plan.rows.append(planned)
        plan.drawn_on = lookups.drawn_on
        plan.known_contacts = lookups.known_contacts()
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
        customer, name, review = self._customer(incoming, lookups, record)
        planned = PlannedRow(
            incoming=incoming,
            customer=customer if customer is not None else NewCustomer(incoming),
            customer_is_new=customer is None,
            record=record,
            review=review,
            model_id=model_id,
            dealer_id=dealer_id,
            customer_name=name,
        )
        if record is not None and customer is not None:
            planned.customer_name = incoming.name_folded  # the update renames the customer
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
    ) -> tuple[CustomerRef | None, str, tuple[int, str] | None]:
        """The customer the row is (None: a new one), the customer's folded name once the row
        is written, and the review to queue, if any."""
        values = incoming.values
        name = incoming.name_folded
        if record is not None and record.customer_id:
            # A changed row: it updates the customer, its name included.
            return lookups.merged_into.get(record.customer_id, record.customer_id), name, None
        for identity in self._identities(values):
            if identity in self.new_by_identity:
                new = self.new_by_identity[identity]
                return new, new.incoming.name_folded, None
        if incoming.id_number_hash:
            found = lookups.by_id_hash.get(incoming.id_number_hash)
            if found:
                return found[0], found[1], None
        if values.get("credit_code") and values["credit_code"] in lookups.by_credit_code:
            return (*lookups.by_credit_code[values["credit_code"]], None)
        mobile = values.get("mobile")
        if mobile:
            for customer_id, existing_name in lookups.by_mobile.get(mobile, ()):
                if existing_name == name:
                    return customer_id, name, None
        return self._ambiguous(incoming, lookups)

    def _ambiguous(
        self, incoming: Incoming, lookups: Lookups
    ) -> tuple[CustomerRef | None, str, tuple[int, str] | None]:
        values, name = incoming.values, incoming.name_folded
        pairs = [
            (customer_id, other, ReviewReason.SAME_MOBILE_OTHER_NAME.value)
            for customer_id, other in lookups.by_mobile.get(values.get("mobile", ""), ())
            if other != name
        ] + [
            (customer_id, other, ReviewReason.SAME_NAME_ADDRESS_OTHER_PHONE.value)
            for customer_id, other in lookups.by_address.get(values.get("address", ""), ())
            if other == name
        ]
        for existing, existing_name, reason in pairs:
            decision = lookups.decisions.get((incoming.fingerprint, existing))
            if decision == ReviewDecision.SAME:
                return existing, existing_name, None
            if decision is None:
                return None, name, (existing, reason)
        # Every pair was decided "different" or is already waiting in the queue.
        return None, name, None

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


def reserve(plan: ChunkPlan) -> None:
    """Reserve the ids of the customers and vehicles the plan creates (rows written later, in
    this chunk or the next ones, refer to them)."""
    customer_ids = reserve_ids(Customer, len(plan.new_customers))
    vehicle_ids = reserve_ids(Vehicle, len(plan.new_vehicles))
    for new, pk in zip(plan.new_customers, customer_ids, strict=True):
        new.pk = pk
    for new_vehicle, pk in zip(plan.new_vehicles, vehicle_ids, strict=True):
        new_vehicle.pk = pk


def _id(ref: CustomerRef | VehicleRef) -> int:
    pk = ref.pk if isinstance(ref, NewCustomer | NewVehicle) else ref
    assert pk is not None, "reserved before the overlay is taken"
    return int(pk)


@dataclass
class Overlay:
    """What one planned chunk creates once written, keyed as ``Lookups`` keys the database's
    answers: identities (ID number hash, credit code) and contact values (mobile or phone,
    address) -> customer id and folded name, VINs -> vehicle id, vehicle id -> its new owner,
    and the review pairs it queues."""

    by_id_hash: dict[str, tuple[int, str]] = field(default_factory=dict)
    by_credit_code: dict[str, tuple[int, str]] = field(default_factory=dict)
    by_mobile: dict[str, dict[int, str]] = field(default_factory=dict)
    by_address: dict[str, dict[int, str]] = field(default_factory=dict)
    vehicles: dict[str, int] = field(default_factory=dict)
    owners: dict[int, tuple[CustomerRef, str | None]] = field(default_factory=dict)
    decisions: dict[tuple[str, int], str] = field(default_factory=dict)

    def touches(
        self,
        id_hashes: set[str],
        credit_codes: set[str],
        mobiles: set[str],
        addresses: set[str],
        vins: set[str],
        vehicle_ids: set[int],
    ) -> bool:
        """Whether a chunk with these identities, contact values, VINs and known vehicles
        would see anything of this overlay."""
        return bool(
            id_hashes & self.by_id_hash.keys()
            or credit_codes & self.by_credit_code.keys()
            or mobiles & self.by_mobile.keys()
            or addresses & self.by_address.keys()
            or vins & self.vehicles.keys()
            or vehicle_ids & self.owners.keys()
        )

    def queues_pairs_of(self, rows: list[Incoming]) -> bool:
        """Whether this overlay queues a review pair for an identity among ``rows``."""
        if not self.decisions:
            return False
        queued = {fingerprint for fingerprint, _existing in self.decisions}
        return any(row.fingerprint in queued for row in rows)

    @classmethod
    def of(cls, plan: ChunkPlan) -> Overlay:
        """The overlay of a planned chunk whose ids are reserved (``reserve``)."""
        overlay = cls()
        for new in plan.new_customers:
            overlay._identities(new.incoming, _id(new), new.incoming.name_folded)
        for row in plan.rows:
            customer_id, name, values = _id(row.customer), row.customer_name, row.incoming.values
            if row.record is not None and not row.customer_is_new:
                overlay._identities(row.incoming, customer_id, name)  # the update sets them
            for value in (values.get("mobile"), values.get("phone")):
                if value:
                    overlay.by_mobile.setdefault(value, {})[customer_id] = name
            if values.get("address"):
                overlay.by_address.setdefault(values["address"], {})[customer_id] = name
            if row.vehicle is not None:
                vehicle_id = _id(row.vehicle)
                if row.vehicle_is_new:
                    overlay.vehicles[values["vin"]] = vehicle_id
                if row.needs_ownership:
                    number = f"C{customer_id:09d}" if row.customer_is_new else values["name"]
                    overlay.owners[vehicle_id] = (customer_id, number)
            if row.review is not None:
                overlay.decisions[(row.incoming.fingerprint, row.review[0])] = (
                    ReviewDecision.OPEN.value
                )
        return overlay

    def _identities(self, incoming: Incoming, customer_id: int, name: str) -> None:
        if incoming.id_number_hash:
            self.by_id_hash.setdefault(incoming.id_number_hash, (customer_id, name))
        if incoming.values.get("credit_code"):
            self.by_credit_code.setdefault(incoming.values["credit_code"], (customer_id, name))
