"""Import scenarios: encodings, formats, duplicates, re-import, partial failure."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook

from autocrm.core.history import history_rows
from autocrm.core.models import AuditEntry
from autocrm.customers.identifiers import identifier_hash
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer
from autocrm.imports.models import SourceRecord
from autocrm.imports.reading import UnreadableFile
from autocrm.vehicles.models import Ownership, Vehicle
from tests.factories import CustomerFactory, OwnershipFactory, PhoneFactory, VehicleFactory
from tests.imports.conftest import HEADER, ID_A, ID_B, csv_text, vin

pytestmark = pytest.mark.django_db

# 13800000003 typed with full-width digits.
FULL_WIDTH_MOBILE = "".join(chr(ord(digit) + 0xFEE0) for digit in "13800000003")


def _report(run: Any) -> list[list[str]]:
    with run.error_report.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def test_gbk_csv_lands_customers_vehicles_ownership_and_lineage(import_file, catalogue) -> None:
    dealer = catalogue["dealer"]
    content = csv_text(
        f"K1,张三丰,138 1234 5678,{ID_A},{vin(1)},M1,沪a·12345,2024/05/01,{dealer.code},"
        "上海市浦东新区世纪大道1号",
        f"K2,李四,13912345678,,{vin(2)},M1,,2023-01-02,{dealer.code},",
    )

    run = import_file(content, encoding="gbk")

    assert run.encoding == "gb18030"
    assert (run.rows_total, run.customers_created, run.vehicles_created, run.rows_failed) == (
        2, 2, 2, 0)  # fmt: skip
    customer = Customer.objects.get(name="张三丰")
    assert customer.number == f"C{customer.pk:09d}"
    assert (customer.name_folded, customer.name_initials) == ("张三丰", "zsf")
    assert customer.id_number_hash == identifier_hash(ID_A)
    assert customer.id_number_masked == "110105********002X"
    assert ID_A not in customer.id_number_encrypted
    assert (customer.status, customer.gender, str(customer.birth_date)) == (
        "owner", "female", "1949-12-31")  # fmt: skip
    phone = ContactPoint.objects.get(customer=customer, kind="phone")
    assert (phone.normalised, phone.value, phone.is_primary) == (
        "+8613812345678", "+8613812345678", True)  # fmt: skip
    vehicle = Vehicle.objects.get(vin=vin(1))
    assert (vehicle.vin_tail, vehicle.plate, vehicle.model.code) == (vin(1)[-6:], "沪A12345", "M1")
    ownership = Ownership.objects.get(vehicle=vehicle)
    assert (ownership.customer, str(ownership.started_on), ownership.selling_dealer) == (
        customer, "2024-05-01", dealer)  # fmt: skip
    assert CustomerDealer.objects.filter(customer=customer, dealer=dealer, relation="sold_by")
    record = SourceRecord.objects.get(source="DMS", key="K1")
    assert (record.customer, record.vehicle) == (customer, vehicle)
    # No audit row per created record: the history shows the lineage as the creation.
    assert not AuditEntry.objects.filter(content_type__model="customer", action="create").exists()
    for record in (customer, vehicle):
        creation = history_rows(record, run.created_by)[-1]
        assert (creation["entry"].action, creation["entry"].channel) == ("create", "import")
        assert creation["entry"].actor == run.created_by
        assert {"label": "Source record", "value": "DMS:K1"} in creation["changes"]
    other = Customer.objects.get(name="李四")
    assert history_rows(other, run.created_by)[-1]["entry"].changes["source"] == "DMS:K2"


def test_utf8_bom_csv(import_file, catalogue) -> None:
    run = import_file(csv_text(f"K1,王五,13800000001,,{vin(3)},M1,,,,"), encoding="utf-8-sig")

    assert run.encoding == "utf-8-sig"
    assert Customer.objects.filter(name="王五").count() == 1


def test_xlsx(import_file, catalogue, tmp_path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    # Phone numbers typed as numbers, dates as dates: both are understood.
    import datetime

    sheet.append(
        ["X1", "赵六", 13800000002, "", vin(4), "M1", "", datetime.date(2022, 3, 4), "", ""]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    run = import_file(buffer.getvalue(), name="customers.xlsx")

    assert (run.file_format, run.customers_created, run.rows_failed) == ("xlsx", 1, 0)
    customer = Customer.objects.get(name="赵六")
    assert customer.contact_points.get().normalised == "+8613800000002"
    assert str(Ownership.objects.get(customer=customer).started_on) == "2022-03-04"


def test_in_file_duplicates_resolve_to_the_same_customer_and_vehicle(
    import_file, catalogue
) -> None:
    content = csv_text(
        f"K1,張三,13800000003,,{vin(5)},M1,,,,",  # traditional and full-width forms fold
        f"K2,张三,{FULL_WIDTH_MOBILE},,{vin(5)},M1,,,,",
        "K3,张\u3000三,13800000003,,,,,,,",
        f"K1,張三,13800000003,,{vin(5)},M1,,,,",  # the same row twice
        "K1,张三,13800000009,,,,,,,",  # the same key with other values
    )

    run = import_file(content)

    assert Customer.objects.count() == 1
    assert Vehicle.objects.count() == 1
    assert Ownership.objects.count() == 1
    assert (run.customers_created, run.customers_matched, run.rows_unchanged) == (1, 2, 1)
    assert run.rows_failed == 1
    assert _report(run) == [
        ["5", "客户编号", "K1", "The key K1 is also in row 1, with different values."]
    ]


def test_reimporting_the_same_file_changes_nothing(import_file, catalogue) -> None:
    content = csv_text(
        f"K1,张三,13800000003,{ID_A},{vin(5)},M1,,,{catalogue['dealer'].code},",
        "K2,李四,13800000004,,,,,,,北京市",
    )
    import_file(content)
    counts_before = _record_counts()

    again = import_file(content)

    assert (again.rows_total, again.rows_unchanged, again.customers_created) == (2, 2, 0)
    assert _record_counts() == counts_before


def _record_counts() -> list[int]:
    """Rows of every table an import writes; the audit trail without the runs themselves."""
    tables = (Customer, ContactPoint, CustomerDealer, Vehicle, Ownership, SourceRecord)
    audit = AuditEntry.objects.exclude(content_type__model="importrun").count()
    return [model.objects.count() for model in tables] + [audit]


def test_a_changed_row_updates_its_customer_with_an_audit_entry(import_file, catalogue) -> None:
    import_file(csv_text("K1,张三,13800000003,,,,,,,"))
    customer = Customer.objects.get()

    run = import_file(csv_text(f"K1,张三丰,13800000003,{ID_B},,,,,,"))

    customer.refresh_from_db()
    assert (run.customers_created, run.customers_matched) == (0, 1)
    assert (customer.name, customer.id_number_hash) == ("张三丰", identifier_hash(ID_B))
    change = AuditEntry.objects.filter(object_id=str(customer.pk), action="update").get()
    assert change.changes["name"] == ["张三", "张三丰"]


def test_matching_by_id_number_and_by_mobile_and_folded_name(import_file, catalogue) -> None:
    by_id = CustomerFactory(name="陈一", **_protected(ID_A))
    by_mobile = CustomerFactory(name="刘二")
    PhoneFactory(customer=by_mobile, value="13800000005")

    run = import_file(
        csv_text(f"A,陈一一,13899999999,{ID_A},,,,,,", "B,劉二,+86 138-0000-0005,,,,,,,")
    )

    assert (run.customers_created, run.customers_matched) == (0, 2)
    assert SourceRecord.objects.get(key="A").customer == by_id
    assert SourceRecord.objects.get(key="B").customer == by_mobile
    assert ContactPoint.objects.filter(customer=by_id, normalised="+8613899999999").exists()


def _protected(number: str) -> dict[str, str]:
    from autocrm.customers.identifiers import protected_id_number_fields

    return protected_id_number_fields(number)


def test_partial_failure_reports_rows_and_columns_and_lands_the_valid_rows(
    import_file, catalogue
) -> None:
    owner = CustomerFactory(name="车主")
    OwnershipFactory(customer=owner, vehicle=VehicleFactory(vin=vin(9)))
    bad_vin = vin(6)[:8] + ("0" if vin(6)[8] != "0" else "1") + vin(6)[9:]
    content = csv_text(
        "K1,好一,13800000011,,,,,,,",
        f"K2,坏车架,13800000012,,{bad_vin},,,,,",
        "K3,坏手机,1380000,,,,,,,",
        "K4,坏证件,13800000014,110105194912310021,,,,,,",
        f"K5,别人的车,13800000015,,{vin(9)},,,,,",
        "K6,坏车型,13800000016,,,ZZ,,,,",
        "K7,好二,13800000017,,,,,,,",
    )

    run = import_file(content)

    assert (run.rows_total, run.customers_created, run.rows_failed) == (7, 2, 5)
    assert set(Customer.objects.values_list("name", flat=True)) == {"车主", "好一", "好二"}
    report = {row[0]: row[1:] for row in _report(run)}
    assert report["2"][0] == "车架号"
    assert f"should be {vin(6)[8]}" in report["2"][2]
    assert report["3"][0] == "手机"
    assert report["4"][:2] == ["身份证号", "110105194912310021"]
    assert "check digit" in report["4"][2]
    assert report["5"][0] == "车架号"
    assert owner.number in report["5"][2]
    assert report["6"][0] == "车型"
    assert not SourceRecord.objects.filter(key__in=["K2", "K3", "K4", "K5", "K6"]).exists()
    assert not ContactPoint.objects.filter(normalised="+8613800000012").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"\xff\xfe\xfa\x80\x81 not text", "a.csv", "encodings tried"),
        (b"foo,bar\n1,2\n", "a.csv", "was recognised"),
        (b"whatever", "a.pdf", "CSV or XLSX"),
        (b"not a zip", "a.xlsx", "XLSX"),
    ],
)
def test_unreadable_files_get_a_clear_answer(import_file, content, name, message) -> None:
    with pytest.raises(UnreadableFile, match=message):
        import_file(content, name=name)
    assert Customer.objects.count() == 0


def test_rows_seen_before_are_looked_up_only_for_a_source_imported_before(
    import_file, catalogue, monkeypatch
) -> None:
    from autocrm.imports import pipeline

    looked_up: list[str] = []
    known = pipeline.known_records

    def recording(source: str, keys: list[str]) -> Any:
        looked_up.append(source)
        return known(source, keys)

    monkeypatch.setattr(pipeline, "known_records", recording)
    content = csv_text("K1,张三,13800000003,,,,,,,")

    first = import_file(content, source="CRM")
    again = import_file(content, source="CRM")

    assert looked_up == ["CRM"]  # the second run only
    assert (first.customers_created, again.rows_unchanged, again.customers_created) == (1, 1, 0)
