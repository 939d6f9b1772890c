"""How chunks are written: the audit trace of what an import creates, refused chunks, ids that
are never handed out twice, and reading in a second process."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from autocrm.core.history import history_entries, history_rows
from autocrm.customers.models import Customer
from autocrm.imports import pipeline, resolution, streaming, writing
from autocrm.imports.models import ImportRun, ImportStatus, SourceRecord
from autocrm.vehicles.models import Vehicle
from tests.factories import CustomerFactory, VehicleFactory
from tests.imports.conftest import csv_text, vin

pytestmark = pytest.mark.django_db


def _report(run: Any) -> dict[str, list[str]]:
    with run.error_report.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))[1:]
    return {row[0]: row[1:] for row in rows}


def test_history_of_an_imported_customer_and_vehicle_names_the_source_row(
    import_file, catalogue, admin
) -> None:
    run = import_file(csv_text(f"K7,张三丰,13812345678,,{vin(1)},M1,,,,"), source="DMS")

    customer = Customer.objects.get()
    (row,) = history_rows(customer, admin)
    assert (row["entry"].action, row["entry"].channel, row["entry"].actor) == (
        "create", "import", admin)  # fmt: skip
    shown = {
        str(change["label"]): change.get("after", change.get("value")) for change in row["changes"]
    }
    assert shown["Customer number"] == customer.number
    assert shown["Source record"] == "DMS:K7"
    assert shown["Import run"] == run.pk
    vehicle = Vehicle.objects.get()
    (vehicle_row,) = history_rows(vehicle, admin)
    assert vehicle_row["entry"].changes["vin"] == [None, vin(1)]
    assert vehicle_row["entry"].changes["source"] == "DMS:K7"


def test_a_chunk_the_database_refuses_lands_all_its_other_rows(
    import_file, catalogue, monkeypatch
) -> None:
    """Someone else registers a VIN after the chunk looked the VINs up and before it wrote."""
    VehicleFactory(vin=vin(2))
    looked_up = resolution.Lookups.__init__

    def too_early(self: Any, rows: Any, records: Any, *overlays: Any) -> None:
        looked_up(self, rows, records, *overlays)
        self.vehicles.pop(vin(2), None)

    monkeypatch.setattr(resolution.Lookups, "__init__", too_early)
    content = csv_text(*(f"K{n},客户{n},138000000{n:02d},,{vin(n)},M1,,,," for n in range(1, 6)))

    run = import_file(content)

    assert (run.rows_total, run.customers_created, run.rows_failed) == (5, 4, 1)
    names = set(Customer.objects.values_list("name", flat=True))
    assert names == {"客户1", "客户3", "客户4", "客户5"}
    report = _report(run)
    assert list(report) == ["2"]
    assert "could not be saved" in report["2"][2]
    assert not SourceRecord.objects.filter(key="K2").exists()


@pytest.mark.django_db(transaction=True)  # SQLite checks foreign keys when a chunk commits
def test_a_reference_to_a_record_gone_meanwhile_fails_only_its_row(
    import_file, catalogue, monkeypatch
) -> None:
    """A dealer deleted after the import read the dealer codes: no row may point at it."""
    known = resolution.Catalogue.__init__

    def with_a_vanished_dealer(self: Any) -> None:
        known(self)
        self.dealers["GONE1"] = 987_654_321

    monkeypatch.setattr(resolution.Catalogue, "__init__", with_a_vanished_dealer)
    dealer = catalogue["dealer"].code
    content = csv_text(
        f"K1,甲,13800000001,,{vin(1)},M1,,,{dealer},",
        f"K2,乙,13800000002,,{vin(2)},M1,,,GONE1,",
        f"K3,丙,13800000003,,{vin(3)},M1,,,{dealer},",
    )

    run = import_file(content)

    assert (run.customers_created, run.vehicles_created, run.rows_failed) == (2, 2, 1)
    assert list(_report(run)) == ["2"]
    assert not Vehicle.objects.filter(vin=vin(2)).exists()
    assert not Customer.objects.filter(name="乙").exists()


def test_ids_of_deleted_customers_are_not_handed_out_again(import_file, catalogue) -> None:
    """An id names a record in audit entries and links: a new customer never takes an old one's."""
    gone = CustomerFactory()
    gone_id = gone.pk
    gone.delete()

    import_file(csv_text("K1,新客户,13800000001,,,,,,,"))

    new = Customer.objects.get(name="新客户")
    assert new.pk > gone_id
    assert new.number == f"C{new.pk:09d}"
    assert [entry.action for entry in history_entries(new, 10)] == ["create"]


def test_reading_in_a_second_process_gives_the_same_outcome(
    import_file, catalogue, monkeypatch
) -> None:
    monkeypatch.setattr(streaming, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    content = csv_text(
        f"K1,张三,13800000003,,{vin(5)},M1,,,,",
        "K2,坏手机,1380000,,,,,,,",
        f"K3,李四,13800000004,,{vin(6)},M1,,,,",
        "K4,张三,13800000003,,,,,,,",
        "K5,王五,13800000005,,,,,,,",
    )

    run = import_file(content)

    assert run.status == ImportStatus.DONE
    assert (run.rows_total, run.customers_created, run.customers_matched, run.rows_failed) == (
        5, 3, 1, 1)  # fmt: skip
    assert list(_report(run)) == ["2"]
    assert SourceRecord.objects.get(key="K4").customer == Customer.objects.get(name="张三")


def test_a_failure_while_reading_in_the_second_process_fails_the_run(
    import_file, catalogue, monkeypatch
) -> None:
    monkeypatch.setattr(streaming, "PARALLEL_FROM_BYTES", 0)

    def broken(*args: Any) -> Any:
        raise ValueError("the disk went away")

    monkeypatch.setattr(streaming, "normalise_row", broken)

    with pytest.raises(ValueError, match="the disk went away"):
        import_file(csv_text("K1,张三,13800000003,,,,,,,"))
    assert Customer.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.FAILED


def test_values_with_backslashes_tabs_and_line_breaks_land_as_written(import_file) -> None:
    content = csv_text('K1,"王\\五\t",13800000001,,,,,,,"上海市\n浦东 \\ 1号"')

    import_file(content)

    customer = Customer.objects.get()
    assert customer.name == "王\\五"
    address = customer.contact_points.get(kind="address")
    assert address.value == "上海市\n浦东 \\ 1号"


def test_keys_with_quotes_commas_and_backslashes_are_recognised_on_the_next_import(
    import_file,
) -> None:
    content = csv_text(
        "NULL,甲,13800000001,,,,,,,",
        '"a""b",乙,13800000002,,,,,,,',
        "c\\d,丙,13800000003,,,,,,,",
        '"e,f",丁,13800000004,,,,,,,',
    )
    import_file(content)

    again = import_file(content)

    assert (again.rows_unchanged, again.customers_created) == (4, 0)
    keys = set(SourceRecord.objects.values_list("key", flat=True))
    assert keys == {"NULL", 'a"b', "c\\d", "e,f"}


def test_a_customer_matched_by_mobile_gets_only_the_contact_points_it_lacks(
    import_file, catalogue, monkeypatch
) -> None:
    existing = CustomerFactory(name="张三")
    existing.contact_points.create(
        kind="phone", label="mobile", value="13800000003", normalised="+8613800000003",
        is_primary=True, is_mobile=True,
    )  # fmt: skip
    sent: list[list[tuple[Any, ...]]] = []
    contact_points = writing._contact_points

    def recorded(plan: Any) -> Any:
        for_new, for_existing = contact_points(plan)
        sent.append(for_existing)
        return for_new, for_existing

    monkeypatch.setattr(writing, "_contact_points", recorded)

    import_file(csv_text(f"K1,张三,138 0000 0003,,{vin(7)},M1,,,,上海市松江区人民路1号"))

    assert [[(row[0], row[1], row[4]) for row in points] for points in sent] == [
        [(existing.pk, "address", "上海市松江区人民路1号")]
    ]  # the mobile it was matched by is known: not sent again
    assert sorted(existing.contact_points.values_list("kind", "normalised")) == [
        ("address", "上海市松江区人民路1号"), ("phone", "+8613800000003")]  # fmt: skip
