"""Writing chunk N while chunk N+1 is resolved (PostgreSQL: a writer thread on its own
connection). Later chunks see what earlier ones create before those are committed; a chunk the
database refuses is written again with its followers, one row at a time where needed; a broken
writer fails the run with every committed chunk whole. On SQLite the same files go the
sequential way and must give the same outcome."""

from __future__ import annotations

import csv
import io
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from autocrm.core.history import history_entries
from autocrm.core.models import AuditEntry
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer
from autocrm.imports import pipeline, resolution
from autocrm.imports.models import IdentityReview, ImportRun, ImportStatus, SourceRecord
from autocrm.vehicles.models import Ownership, Vehicle
from tests.factories import VehicleFactory
from tests.imports.conftest import ID_A, csv_text, vin

# The writer thread needs the rows committed: a second connection cannot see a test's
# transaction.
pytestmark = pytest.mark.django_db(transaction=True)

CONCURRENT = connection.vendor == "postgresql"


def _report(run: Any) -> dict[str, list[str]]:
    with run.error_report.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))[1:]
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def pipelined(monkeypatch: Any) -> SimpleNamespace:
    """Chunks of two rows. The writer holds the first chunk until three chunks are planned, so
    chunks 2 and 3 are resolved while chunk 1 is not committed yet (PostgreSQL)."""
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    seen = SimpleNamespace(overlays=[], writers=[], planned=threading.Event())
    plan = resolution.Resolver.plan

    def counting(self: Any, rows: Any, records: Any, overlays: Any = ()) -> Any:
        result = plan(self, rows, records, overlays)
        seen.overlays.append(len(overlays))
        if len(seen.overlays) >= 3:
            seen.planned.set()
        return result

    write = pipeline.write_chunk

    def held(chunk_plan: Any, **kwargs: Any) -> None:
        seen.writers.append(threading.current_thread().name)
        if CONCURRENT and len(seen.writers) == 1:
            assert seen.planned.wait(timeout=20), "chunks 2 and 3 were planned meanwhile"
        write(chunk_plan, **kwargs)

    monkeypatch.setattr(resolution.Resolver, "plan", counting)
    monkeypatch.setattr(pipeline, "write_chunk", held)
    return seen


def _planned(monkeypatch: Any, chunks: int) -> threading.Event:
    """An event set once ``chunks`` chunks have been planned."""
    plan, planned, done = resolution.Resolver.plan, [], threading.Event()

    def counting(self: Any, rows: Any, records: Any, overlays: Any = ()) -> Any:
        result = plan(self, rows, records, overlays)
        planned.append(1)
        if len(planned) == chunks:
            done.set()
        return result

    monkeypatch.setattr(resolution.Resolver, "plan", counting)
    return done


def _assert_written_by(seen: SimpleNamespace, *, redone: bool = False) -> None:
    if CONCURRENT:
        by_writer = [name.startswith("import-") for name in seen.writers]
        assert by_writer[0] and max(seen.overlays) >= 1  # planned against uncommitted chunks
        # A refused chunk and its followers are written again by the importing thread.
        assert all(by_writer) != redone
    else:
        assert set(seen.writers) == {threading.current_thread().name}


def test_later_chunks_match_what_earlier_chunks_create_before_they_are_committed(
    import_file, catalogue, pipelined
) -> None:
    content = csv_text(
        f"K1,陈一,13800000001,{ID_A},{vin(1)},M1,,,,上海市世纪大道1号",
        f"K2,刘二,13800000002,,{vin(2)},M1,,,{catalogue['dealer'].code},",
        # Chunk 2: the same ID number (another name and mobile), the same mobile and folded
        # name, each with the car already brought by chunk 1 for the same person.
        f"K3,陈一一,13899999999,{ID_A},{vin(1)},M1,,,,",
        f"K4,劉二,+86 138-0000-0002,,{vin(2)},M1,,,{catalogue['dealer'].code},",
        # Chunk 3: 刘二's mobile under another name (review), 刘二's car for someone else.
        "K5,王五,13800000002,,,,,,,",
        f"K6,赵六,13800000006,,{vin(2)},M1,,,,",
    )

    run = import_file(content)

    _assert_written_by(pipelined)
    assert run.status == ImportStatus.DONE
    assert (run.rows_total, run.customers_created, run.customers_matched) == (6, 3, 2)
    assert (run.vehicles_created, run.vehicles_matched) == (2, 2)
    assert (run.rows_failed, run.rows_for_review) == (1, 1)
    chen, liu = Customer.objects.get(name="陈一"), Customer.objects.get(name="刘二")
    assert SourceRecord.objects.get(key="K3").customer == chen
    assert SourceRecord.objects.get(key="K4").customer == liu
    assert ContactPoint.objects.filter(customer=chen, normalised="+8613899999999").exists()
    assert ContactPoint.objects.filter(normalised="+8613800000002").count() == 2
    assert Ownership.objects.count() == 2  # one per car, never a second for the same owner
    assert CustomerDealer.objects.filter(customer=liu).count() == 1
    review = IdentityReview.objects.get()
    assert (review.existing, review.candidate) == (liu, Customer.objects.get(name="王五"))
    report = _report(run)
    assert list(report) == ["6"]
    assert report["6"][0] == "车架号" and liu.number in report["6"][2]
    assert not Customer.objects.filter(name="赵六").exists()
    # A creation entry in the history of every new customer and vehicle, none for the matches.
    created = [*Customer.objects.all(), *Vehicle.objects.all()]
    creations = [
        e for record in created for e in history_entries(record, 10) if e.channel == "import"
    ]
    assert len(creations) == 5
    assert not AuditEntry.objects.filter(action="create", channel="import").exists()


def test_a_refused_chunk_is_written_again_with_the_chunks_planned_after_it(
    import_file, catalogue, pipelined, monkeypatch
) -> None:
    """Someone registers a VIN of chunk 2 after it was looked up: the database refuses chunk
    2 while chunk 3 (which refers to a customer chunk 2 creates) is already queued."""
    VehicleFactory(vin=vin(3))
    looked_up = resolution.Lookups.__init__

    def too_early(self: Any, rows: Any, records: Any, *overlays: Any) -> None:
        looked_up(self, rows, records, *overlays)
        self.vehicles.pop(vin(3), None)

    monkeypatch.setattr(resolution.Lookups, "__init__", too_early)
    progress: list[int] = []
    content = csv_text(
        f"K1,甲,13800000001,,{vin(1)},M1,,,,",
        f"K2,乙,13800000002,,{vin(2)},M1,,,,",
        f"K3,丙,13800000003,,{vin(3)},M1,,,,",
        f"K4,丁,13800000004,,{vin(4)},M1,,,,",
        f"K5,丁,13800000004,,{vin(5)},M1,,,,",  # chunk 2's new customer
        "K6,戊,13800000006,,,,,,,",
        "K7,己,13800000007,,,,,,,",
    )
    path_progress = pipeline.Importer.__init__

    def with_progress(self: Any, *args: Any, **kwargs: Any) -> None:
        path_progress(self, *args, **kwargs)
        self.progress = progress.append

    monkeypatch.setattr(pipeline.Importer, "__init__", with_progress)

    run = import_file(content)

    _assert_written_by(pipelined, redone=True)
    assert run.status == ImportStatus.DONE
    assert (run.rows_total, run.customers_created, run.customers_matched) == (7, 5, 1)
    assert (run.vehicles_created, run.rows_failed) == (4, 1)
    report = _report(run)
    assert list(report) == ["3"]
    assert "could not be saved" in report["3"][2]
    ding = Customer.objects.get(name="丁")
    assert SourceRecord.objects.get(key="K5").customer == ding
    assert set(Vehicle.objects.filter(ownerships__customer=ding).values_list("vin", flat=True)) == {
        vin(4),
        vin(5),
    }
    assert not Customer.objects.filter(name="丙").exists()
    assert SourceRecord.objects.count() == 6
    # Nothing half-written: every customer has its lineage, its phone and its creation entry.
    for customer in Customer.objects.all():
        assert customer.source_records.exists()
        assert customer.contact_points.filter(kind="phone").exists()
        assert [entry.action for entry in history_entries(customer, 10)] == ["create"]
    assert progress == sorted(progress) and progress[-1] == 7


def test_a_broken_writer_fails_the_run_and_keeps_the_committed_chunks_whole(
    import_file, catalogue, pipelined, monkeypatch
) -> None:
    write = pipeline.write_chunk

    def breaks_on_the_second_chunk(chunk_plan: Any, **kwargs: Any) -> None:
        if chunk_plan.rows[0].incoming.key == "K3":
            raise RuntimeError("the writer broke")
        write(chunk_plan, **kwargs)

    monkeypatch.setattr(pipeline, "write_chunk", breaks_on_the_second_chunk)
    content = csv_text(*(f"K{n},客户{n},138000000{n:02d},,{vin(n)},M1,,,," for n in range(1, 8)))

    with pytest.raises(RuntimeError, match="the writer broke"):
        import_file(content)

    assert ImportRun.objects.get().status == ImportStatus.FAILED
    names = set(Customer.objects.values_list("name", flat=True))
    assert not names & {"客户3", "客户4"}
    # The other writer may have committed a later chunk meanwhile: whole, as every chunk.
    assert names in ({"客户1", "客户2"}, {"客户1", "客户2", "客户5", "客户6"}, set())
    assert Vehicle.objects.count() == Ownership.objects.count() == SourceRecord.objects.count()
    assert Vehicle.objects.count() == len(names)


def test_reimporting_under_the_pipeline_changes_nothing(import_file, catalogue, pipelined) -> None:
    content = csv_text(
        f"K1,张三,13800000003,{ID_A},{vin(5)},M1,,,{catalogue['dealer'].code},",
        "K2,李四,13800000004,,,,,,,北京市",
        f"K3,張三,13800000003,,{vin(6)},M1,,,,",
        "K4,李四,13800000004,,,,,,,北京市",
        f"K5,王五,13800000005,,{vin(7)},M1,,,,",
    )
    first = import_file(content)
    tables = (Customer, ContactPoint, CustomerDealer, Vehicle, Ownership, SourceRecord)
    before = [model.objects.count() for model in tables] + [AuditEntry.objects.count()]

    again = import_file(content)

    _assert_written_by(pipelined)
    assert (first.customers_created, first.customers_matched, first.rows_failed) == (3, 2, 0)
    assert (again.rows_total, again.rows_unchanged, again.customers_created) == (5, 5, 0)
    after = [model.objects.count() for model in tables]
    # The second run adds its own creation entry (the run), nothing else.
    assert [*after, AuditEntry.objects.count() - 1] == before


@pytest.mark.skipif(not CONCURRENT, reason="SQLite writes one chunk at a time")
def test_two_writers_take_turns_and_a_chunk_waits_for_the_chunk_it_draws_on(
    import_file, catalogue, monkeypatch
) -> None:
    """Chunk 2 (other people) is written while chunk 1 is held; chunk 4, written by the same
    writer as chunk 2, has a row matching a customer chunk 1 creates: it is written only after
    chunk 1 is committed."""
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    write = pipeline.write_chunk
    all_planned = _planned(monkeypatch, 4)
    events: list[str] = []
    second_written = threading.Event()

    def recorded(chunk_plan: Any, **kwargs: Any) -> None:
        key = chunk_plan.rows[0].incoming.key
        events.append(f"start {key}")
        if key == "K1":
            assert second_written.wait(timeout=20), "chunk 2 was written meanwhile"
            assert all_planned.wait(timeout=20)
            time.sleep(0.5)  # time for the other writer to take chunk 4 too early
        write(chunk_plan, **kwargs)
        events.append(f"end {key}")
        if key == "K3":
            second_written.set()

    monkeypatch.setattr(pipeline, "write_chunk", recorded)
    content = csv_text(
        f"K1,甲,13800000001,,{vin(1)},M1,,,,",
        f"K2,乙,13800000002,,{vin(2)},M1,,,,",
        f"K3,丙,13800000003,,{vin(3)},M1,,,,",
        f"K4,丁,13800000004,,{vin(4)},M1,,,,",
        f"K5,戊,13800000005,,{vin(5)},M1,,,,",
        f"K6,己,13800000006,,{vin(6)},M1,,,,",
        f"K7,甲,13800000001,,{vin(7)},M1,,,,",  # chunk 1's new customer
    )

    run = import_file(content)

    assert (run.status, run.customers_created, run.customers_matched) == ("done", 6, 1)
    assert events.index("end K3") < events.index("end K1") < events.index("start K7")
    assert events.count("start K7") == 1  # not refused and written again
    first = Customer.objects.get(name="甲")
    assert set(first.ownerships.values_list("vehicle__vin", flat=True)) == {vin(1), vin(7)}


@pytest.mark.skipif(not CONCURRENT, reason="SQLite writes one chunk at a time")
def test_a_broken_writer_does_not_leave_the_other_waiting_for_a_chunk_it_never_writes(
    import_file, catalogue, monkeypatch
) -> None:
    """Writer 1 breaks on chunk 3 with chunk 5 queued behind it; writer 2 holds chunk 6,
    which draws on chunk 5: the run fails, and ends."""
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    write = pipeline.write_chunk
    all_planned = _planned(monkeypatch, 6)

    def breaks_on_chunk_3(chunk_plan: Any, **kwargs: Any) -> None:
        if chunk_plan.rows[0].incoming.key == "K5":
            all_planned.wait(timeout=20)
            time.sleep(0.3)  # writer 2 is waiting for chunk 5 by now
            raise RuntimeError("the writer broke")
        write(chunk_plan, **kwargs)

    monkeypatch.setattr(pipeline, "write_chunk", breaks_on_chunk_3)
    rows = [f"K{n},客户{n},138000000{n:02d},,{vin(n)},M1,,,," for n in range(1, 11)]
    rows.append(f"K11,客户9,13800000009,,{vin(11)},M1,,,,")  # chunk 5's new customer
    failures: list[BaseException] = []

    def importing() -> None:
        try:
            import_file(csv_text(*rows))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=importing, daemon=True)
    thread.start()
    thread.join(timeout=60)

    assert not thread.is_alive(), "the import ended"
    assert [str(error) for error in failures] == ["the writer broke"]
    assert not Customer.objects.filter(name__in=["客户5", "客户9"]).exists()
