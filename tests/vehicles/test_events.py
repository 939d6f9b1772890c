"""Lifecycle events posted in bulk by factory and logistics systems."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autocrm.accounts.choices import Role
from autocrm.core.errors import PermissionDenied
from autocrm.vehicles import lifecycle, services
from autocrm.vehicles.lifecycle import EventItem
from autocrm.vehicles.models import Vehicle, VehicleEvent
from tests.factories import VehicleFactory, oem_vin

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def hours_ago(hours: int) -> datetime.datetime:
    return NOW - datetime.timedelta(hours=hours)


def item(vehicle: Any, kind: str, external_id: str, hours: int, **extra: Any) -> EventItem:
    return EventItem(
        kind=kind, occurred_at=hours_ago(hours), external_id=external_id, vin=vehicle.vin, **extra
    )


def test_posting_the_same_events_again_records_them_once(admin: Any) -> None:
    vehicle = VehicleFactory(status="in_production")
    batch = [item(vehicle, "built", "MES-1", 30), item(vehicle, "painted", "MES-2", 20)]

    first = services.events_record_bulk(actor=admin, source="mes", items=batch)
    again = services.events_record_bulk(actor=admin, source="mes", items=batch)

    assert [r.outcome for r in first] == ["recorded", "recorded"]
    assert [r.outcome for r in again] == ["duplicate", "duplicate"]
    assert VehicleEvent.objects.filter(vehicle=vehicle).count() == 2


def test_the_same_external_id_from_another_source_is_another_event(admin: Any) -> None:
    vehicle = VehicleFactory()
    services.events_record_bulk(actor=admin, source="mes", items=[item(vehicle, "built", "1", 9)])

    results = services.events_record_bulk(
        actor=admin, source="tms", items=[item(vehicle, "shipped", "1", 5)]
    )

    assert results[0].outcome == "recorded"


def test_a_mixed_batch_answers_each_item_and_records_the_valid_ones(
    admin: Any, network: dict
) -> None:
    # given a car known by VIN and one known by production number
    by_vin = VehicleFactory(status="in_stock")
    by_number = VehicleFactory(status="in_production", production_number="P2026-0001")
    unknown_vin = oem_vin(999_999)
    items = [
        item(by_vin, "shipped", "T-1", 10),
        EventItem(kind="built", occurred_at=hours_ago(9), external_id="T-2", vin=unknown_vin),
        EventItem(
            kind="stored",
            occurred_at=hours_ago(8),
            external_id="T-3",
            production_number="P2026-0001",
        ),
        item(by_vin, "arrived", "T-4", 2, dealer_code="NOPE"),
        item(by_vin, "shipped", "T-1", 10),
        EventItem(kind="exploded", occurred_at=hours_ago(1), external_id="T-5", vin=by_vin.vin),
    ]

    # when they are posted together
    results = services.events_record_bulk(actor=admin, source="tms", items=items)

    # then each item has its own answer, and only the valid ones are stored
    assert [(r.index, r.outcome) for r in results] == [
        (0, "recorded"),
        (1, "error"),
        (2, "recorded"),
        (3, "error"),
        (4, "duplicate"),
        (5, "error"),
    ]
    assert results[1].message == f"No vehicle with VIN {unknown_vin}."
    assert results[3].message == "No dealer with code NOPE."
    assert results[5].message == "Unknown event kind “exploded”."
    assert results[2].vehicle_id == by_number.pk
    assert set(VehicleEvent.objects.values_list("external_id", flat=True)) == {"T-1", "T-3"}
    assert Vehicle.objects.get(pk=by_vin.pk).status == "in_transit"
    assert Vehicle.objects.get(pk=by_number.pk).status == "in_stock"


def test_status_follows_the_newest_event_only_and_arrival_hands_the_car_to_the_dealer(
    admin: Any, network: dict
) -> None:
    vehicle = VehicleFactory(status="in_production")
    dealer = network["west_dealer"]
    services.events_record_bulk(
        actor=admin,
        source="tms",
        items=[item(vehicle, "arrived", "A-1", 5, dealer_code=dealer.code)],
    )

    # a late message about an earlier step does not move the car back
    services.events_record_bulk(actor=admin, source="mes", items=[item(vehicle, "built", "B", 90)])

    vehicle.refresh_from_db()
    assert (vehicle.status, vehicle.dealer) == ("at_dealer", dealer)
    assert vehicle.version == 2


def test_bulk_posting_costs_the_same_queries_for_one_or_many_vehicles(admin: Any) -> None:
    def post(count: int, source: str) -> int:
        cars = [VehicleFactory(status="in_production") for _ in range(count)]
        batch = [item(car, "stored", f"{source}-{i}", 3) for i, car in enumerate(cars)]
        with CaptureQueriesContext(connection) as captured:
            services.events_record_bulk(actor=admin, source=source, items=batch)
        return len(captured)

    assert post(2, "few") == post(40, "many")


def test_salespeople_may_not_post_events(user_in: Any) -> None:
    vehicle = VehicleFactory()
    with pytest.raises(PermissionDenied):
        services.events_record_bulk(
            actor=user_in(Role.SALESPERSON), source="mes", items=[item(vehicle, "built", "X", 1)]
        )
    assert not VehicleEvent.objects.exists()


def test_an_event_recorded_by_another_request_meanwhile_is_a_duplicate_not_a_failed_batch(
    admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a batch of two events, and another request that records the first of them right
    # after this batch looked for events already recorded (and found none)
    built_car, shipped_car = VehicleFactory(status="in_production"), VehicleFactory()
    batch = [item(built_car, "built", "MES-1", 5), item(shipped_car, "shipped", "MES-2", 4)]
    plan = lifecycle._plan

    def plan_then_lose_the_race(source: str, items: list[EventItem]) -> Any:
        planned = plan(source, items)
        VehicleEvent.objects.create(
            vehicle=built_car, kind="built", occurred_at=hours_ago(5), source=source,
            external_id="MES-1",
        )  # fmt: skip
        return planned

    monkeypatch.setattr(lifecycle, "_plan", plan_then_lose_the_race)

    # when the batch is written
    results = services.events_record_bulk(actor=admin, source="mes", items=batch)

    # then the first item answers "duplicate", the second is recorded, and each event exists once
    assert [(r.outcome, r.message) for r in results] == [("duplicate", ""), ("recorded", "")]
    assert results[1].event_id == VehicleEvent.objects.get(external_id="MES-2").pk
    assert sorted(VehicleEvent.objects.values_list("external_id", flat=True)) == ["MES-1", "MES-2"]
    shipped_car.refresh_from_db()
    assert shipped_car.status == "in_transit"


@pytest.mark.django_db(transaction=True)
def test_two_requests_posting_the_same_event_at_once_record_it_once(admin: Any) -> None:
    # given (on PostgreSQL, where requests really run side by side) another request that has
    # inserted MES-1 and not yet committed; it names another car (a corrected resend), so the
    # vehicle locks do not put the two requests one after the other
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the requests cannot overlap")
    first_car, second_car, corrected_car = VehicleFactory(), VehicleFactory(), VehicleFactory()
    inserted, finish = threading.Event(), threading.Event()

    def other_request() -> None:
        try:
            with transaction.atomic():
                services.events_record_bulk(
                    actor=admin, source="mes", items=[item(corrected_car, "built", "MES-1", 5)]
                )
                inserted.set()
                finish.wait(timeout=30)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_request)
    other.start()
    assert inserted.wait(timeout=30)

    # when this request posts MES-1 and MES-2 (its insert waits for the other to commit)
    threading.Timer(0.5, finish.set).start()
    results = services.events_record_bulk(
        actor=admin,
        source="mes",
        items=[item(first_car, "built", "MES-1", 5), item(second_car, "built", "MES-2", 4)],
    )
    other.join(timeout=30)

    # then MES-1 is a duplicate here (the other request's stays), MES-2 is recorded
    assert [r.outcome for r in results] == ["duplicate", "recorded"]
    stored = VehicleEvent.objects.order_by("external_id").values_list("external_id", "vehicle")
    assert list(stored) == [("MES-1", corrected_car.pk), ("MES-2", second_car.pk)]
