"""Vehicle, catalogue, ownership and mileage services: what they store, refuse and audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from autocrm.accounts.choices import Role
from autocrm.core.audit import history_of
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.customers.models import Customer, CustomerDealer
from autocrm.vehicles import services
from autocrm.vehicles.models import OdometerReading, Ownership, Vehicle, VehicleEvent
from autocrm.vehicles.vin import check_digit
from tests.factories import CustomerFactory, OwnershipFactory, VehicleFactory, oem_vin

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def test_creating_a_vehicle_cleans_and_derives_its_fields(admin: Any) -> None:
    vin = oem_vin(1)

    vehicle = services.vehicle_create(
        actor=admin, data={"vin": f"{vin[:8].lower()} {vin[8:]}", "plate": "沪a·12345"}
    )

    vehicle.refresh_from_db()
    assert (vehicle.vin, vehicle.vin_tail, vehicle.plate) == (vin, vin[-6:], "沪A12345")
    assert vehicle.vin_check_digit_ok is True
    assert [entry.action for entry in history_of(vehicle)] == ["create"]


def test_another_makers_vin_with_a_wrong_check_digit_is_kept_and_flagged(admin: Any) -> None:
    base = "WVWZZZ1KZ8W000123"
    wrong = base[:8] + ("1" if check_digit(base) != "1" else "2") + base[9:]

    vehicle = services.vehicle_create(actor=admin, data={"vin": wrong})

    assert vehicle.vin_check_digit_ok is False


def test_a_wrong_oem_check_digit_is_a_field_error_naming_the_expected_digit(admin: Any) -> None:
    vin = oem_vin(2)
    wrong = "X" if vin[8] != "X" else "0"

    with pytest.raises(ValidationError) as refused:
        services.vehicle_create(actor=admin, data={"vin": vin[:8] + wrong + vin[9:]})

    assert refused.value.message_dict["vin"] == [
        f"The check digit (position 9) of this VIN should be {vin[8]}, not {wrong}."
    ]
    assert not Vehicle.objects.exists()


def test_a_vin_already_registered_names_its_owner(admin: Any) -> None:
    ownership = OwnershipFactory()
    vin = ownership.vehicle.vin

    with pytest.raises(ValidationError) as refused:
        services.vehicle_create(actor=admin, data={"vin": vin.lower()})

    assert refused.value.message_dict["vin"] == [
        f"VIN {vin} is already registered, owned by {ownership.customer.number}."
    ]
    assert Vehicle.objects.count() == 1


def test_an_edit_based_on_an_old_version_is_refused(admin: Any) -> None:
    vehicle = services.vehicle_create(actor=admin, data={"vin": oem_vin(3)})
    services.vehicle_update(actor=admin, vehicle=vehicle, data={"colour": "白"}, expected_version=1)

    with pytest.raises(StaleRecord):
        services.vehicle_update(
            actor=admin, vehicle=vehicle, data={"colour": "黑"}, expected_version=1
        )

    vehicle.refresh_from_db()
    assert (vehicle.colour, vehicle.version) == ("白", 2)


@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.ANALYST, Role.REGION_MANAGER])
def test_only_administrators_register_vehicles(user_in: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.vehicle_create(actor=user_in(role), data={"vin": oem_vin(4)})
    assert not Vehicle.objects.exists()


def test_creating_a_vehicle_for_a_customer_starts_their_ownership(
    admin: Any, network: dict
) -> None:
    customer = CustomerFactory()

    vehicle = services.vehicle_create(
        actor=admin,
        data={"vin": oem_vin(5), "dealer": network["east_dealer"], "status": "at_dealer"},
        owner=customer,
    )

    ownership = Ownership.objects.get(vehicle=vehicle)
    assert (ownership.customer, ownership.role, ownership.ended_on) == (customer, "owner", None)
    assert vehicle.status == "sold"
    customer.refresh_from_db()
    assert customer.status == "owner"
    assert CustomerDealer.objects.filter(
        customer=customer, dealer=network["east_dealer"], relation="sold_by"
    ).exists()


def test_a_second_current_owner_is_refused_naming_the_first(admin: Any) -> None:
    current = OwnershipFactory(started_on=datetime.date(2024, 3, 1))

    with pytest.raises(ValidationError) as refused:
        services.ownership_start(
            actor=admin, vehicle=current.vehicle, customer=CustomerFactory(), started_on=TODAY
        )

    assert refused.value.message_dict["customer"] == [
        f"This vehicle is already owned by {current.customer.number} since 2024-03-01; "
        "record a transfer instead."
    ]
    assert Ownership.objects.count() == 1


def test_a_driver_may_be_added_next_to_the_owner(admin: Any) -> None:
    current = OwnershipFactory()
    driver = CustomerFactory()

    services.ownership_start(
        actor=admin, vehicle=current.vehicle, customer=driver, role="driver", started_on=TODAY
    )

    assert set(Ownership.objects.values_list("role", "ended_on")) == {
        ("owner", None),
        ("driver", None),
    }


def test_a_transfer_closes_one_ownership_opens_the_next_and_updates_both_customers(
    user_in: Any, network: dict
) -> None:
    # given a car owned by an east customer, sold on by the east dealer's salesperson
    salesperson = user_in(Role.SALESPERSON)
    seller = CustomerFactory(dealers=[network["east_dealer"]], status="owner")
    buyer = CustomerFactory(dealers=[network["east_dealer"]])
    current = OwnershipFactory(customer=seller, started_on=days_ago(400))

    # when the transfer is recorded
    new = services.ownership_transfer(
        actor=salesperson, vehicle=current.vehicle, new_customer=buyer, on_date=days_ago(2)
    )

    # then the old ownership ends that day and the new one starts, sold by the east dealer
    current.refresh_from_db()
    assert current.ended_on == days_ago(2)
    assert (new.customer, new.started_on, new.ended_on) == (buyer, days_ago(2), None)
    assert new.selling_dealer == network["east_dealer"]
    assert Customer.objects.get(pk=seller.pk).status == "former_owner"
    assert Customer.objects.get(pk=buyer.pk).status == "owner"
    assert CustomerDealer.objects.filter(
        customer=buyer, dealer=network["east_dealer"], relation="sold_by"
    ).exists()
    event = VehicleEvent.objects.get(vehicle=current.vehicle)
    assert (event.kind, event.details) == (
        "transferred",
        {"from": seller.number, "to": buyer.number},
    )
    assert Vehicle.objects.get(pk=current.vehicle_id).status == "registered"


def test_a_seller_who_still_owns_another_car_stays_an_owner(admin: Any) -> None:
    seller = CustomerFactory(status="owner")
    sold = OwnershipFactory(customer=seller)
    OwnershipFactory(customer=seller)

    services.ownership_transfer(
        actor=admin, vehicle=sold.vehicle, new_customer=CustomerFactory(), on_date=TODAY
    )

    assert Customer.objects.get(pk=seller.pk).status == "owner"


def test_a_transfer_dated_before_the_current_ownership_is_refused(admin: Any) -> None:
    current = OwnershipFactory(started_on=days_ago(10))

    with pytest.raises(ValidationError) as refused:
        services.ownership_transfer(
            actor=admin,
            vehicle=current.vehicle,
            new_customer=CustomerFactory(),
            on_date=days_ago(20),
        )

    assert "on_date" in refused.value.message_dict
    assert Ownership.objects.get().ended_on is None


def test_a_lower_reading_is_flagged_and_never_becomes_the_current_mileage(admin: Any) -> None:
    vehicle = VehicleFactory()
    services.odometer_record(actor=admin, vehicle=vehicle, reading_km=42_000, read_on=days_ago(30))

    lower = services.odometer_record(
        actor=admin, vehicle=vehicle, reading_km=12_000, read_on=days_ago(5)
    )

    vehicle.refresh_from_db()
    assert lower.flagged is True
    assert (vehicle.current_mileage, vehicle.mileage_read_on) == (42_000, days_ago(30))

    higher = services.odometer_record(
        actor=admin, vehicle=vehicle, reading_km=45_000, read_on=days_ago(1)
    )

    vehicle.refresh_from_db()
    assert higher.flagged is False
    assert (vehicle.current_mileage, vehicle.mileage_read_on) == (45_000, days_ago(1))
    assert OdometerReading.objects.filter(vehicle=vehicle).count() == 3


def test_an_implausible_reading_is_refused(admin: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.odometer_record(
            actor=admin, vehicle=VehicleFactory(), reading_km=9_000_000, read_on=TODAY
        )

    assert "reading_km" in refused.value.message_dict
    assert not OdometerReading.objects.exists()


def test_a_catalogue_model_is_created_and_changed_with_audit(admin: Any) -> None:
    model = services.vehicle_model_create(
        actor=admin,
        data={
            "code": "GL8-26",
            "brand": "别克",
            "series": "GL8",
            "name": "GL8 陆上公务舱",
            "model_year": 2026,
            "powertrain": "hybrid",
            "price": "329900.00",
        },
    )
    services.vehicle_model_update(actor=admin, vehicle_model=model, data={"price": "319900.00"})

    assert [entry.action for entry in history_of(model)] == ["update", "create"]
    with pytest.raises(ValidationError) as refused:
        services.vehicle_model_update(actor=admin, vehicle_model=model, data={"model_year": 1900})
    assert "model_year" in refused.value.message_dict
