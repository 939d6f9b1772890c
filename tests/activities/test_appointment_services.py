"""Booking rules: not in the past, ends after it starts, overlaps of the person and of the car
(touching bookings do not overlap), confirming an overlap, the optimistic lock."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from autocrm.accounts.choices import Role
from autocrm.activities.appointments import (
    AppointmentClosed,
    BookingOverlap,
    appointment_book,
    appointment_cancel,
    appointment_update,
    find_overlaps,
)
from autocrm.activities.models import Appointment
from autocrm.core.errors import StaleRecord
from tests.activities.factories import AppointmentFactory, in_hours
from tests.factories import VehicleFactory

HOUR = datetime.timedelta(hours=1)


def _book(actor: Any, starts: datetime.datetime, **extra: Any) -> Appointment:
    data = {"title": "试驾", "starts_at": starts, "ends_at": starts + HOUR, **extra}
    return appointment_book(actor=actor, data=data)


def test_a_booking_is_the_bookers_at_their_dealer(user_in: Any, network: dict) -> None:
    salesperson = user_in(Role.SALESPERSON)
    booked = _book(salesperson, in_hours(2), kind="test_drive", location="展厅")
    assert (booked.owner, booked.created_by, booked.dealer) == (
        salesperson,
        salesperson,
        network["east_dealer"],
    )
    assert (booked.status, booked.version) == ("planned", 1)


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        (in_hours(-3), in_hours(-2), "starts_at", "A booking cannot start in the past."),
        (in_hours(3), in_hours(2), "ends_at", "A booking must end after it starts."),
        (in_hours(3), in_hours(3), "ends_at", "A booking must end after it starts."),
    ],
)
def test_bad_times_are_refused_and_nothing_is_written(
    user_in: Any, starts: Any, ends: Any, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        appointment_book(
            actor=user_in(Role.SALESPERSON),
            data={"title": "x", "starts_at": starts, "ends_at": ends},
        )
    assert refused.value.message_dict[field] == [message]
    assert not Appointment.objects.exists()


def test_an_overlap_with_the_persons_booking_is_refused_with_the_conflict(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    first = _book(salesperson, in_hours(10))
    with pytest.raises(BookingOverlap) as refused:
        _book(salesperson, in_hours(10.5))
    assert [(c.appointment, c.reason) for c in refused.value.conflicts] == [(first, "owner")]
    assert refused.value.details["conflicts"][0]["id"] == first.pk
    assert Appointment.objects.count() == 1


def test_confirming_books_the_overlap_anyway(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    _book(salesperson, in_hours(10))
    appointment_book(
        actor=salesperson,
        data={"title": "y", "starts_at": in_hours(10.5), "ends_at": in_hours(11.5)},
        allow_overlap=True,
    )
    assert Appointment.objects.count() == 2


def test_the_same_test_drive_car_cannot_be_in_two_places(user_in: Any) -> None:
    car = VehicleFactory()
    first = _book(user_in(Role.SALESPERSON), in_hours(10), vehicle=car, kind="test_drive")
    other = user_in(Role.SALESPERSON)
    with pytest.raises(BookingOverlap) as refused:
        _book(other, in_hours(10.25), vehicle=car, kind="test_drive")
    assert [(c.appointment, c.reason) for c in refused.value.conflicts] == [(first, "vehicle")]
    # another car at the same time is fine
    _book(other, in_hours(10.25), vehicle=VehicleFactory(), kind="test_drive")


def test_touching_bookings_do_not_overlap(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    first = _book(salesperson, in_hours(10))
    _book(salesperson, first.ends_at)  # starts when the first ends
    _book(salesperson, first.starts_at - HOUR)  # ends when the first starts
    assert Appointment.objects.count() == 3


def test_cancelled_and_other_peoples_bookings_do_not_block(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    AppointmentFactory(owner=salesperson, starts_at=in_hours(10), status="cancelled")
    AppointmentFactory(owner=user_in(Role.SALESPERSON), starts_at=in_hours(10))
    assert (
        find_overlaps(
            owner_id=salesperson.pk, vehicle_id=None, starts_at=in_hours(10), ends_at=in_hours(11)
        )
        == []
    )


def test_moving_a_booking_checks_overlaps_but_not_against_itself(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    moved = _book(salesperson, in_hours(10))
    other = _book(salesperson, in_hours(14))
    # a small move overlapping only its old self is fine
    moved = appointment_update(
        actor=salesperson,
        appointment=moved,
        data={"starts_at": in_hours(10.5), "ends_at": in_hours(11.5)},
        expected_version=1,
    )
    assert moved.version == 2
    with pytest.raises(BookingOverlap):
        appointment_update(
            actor=salesperson,
            appointment=moved,
            data={"starts_at": in_hours(13.5), "ends_at": in_hours(14.5)},
        )
    assert Appointment.objects.get(pk=other.pk).starts_at == in_hours(14)


def test_two_people_moving_the_same_booking_the_second_is_told(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    manager = user_in(Role.DEALER_MANAGER)
    booking = _book(salesperson, in_hours(10))
    appointment_update(
        actor=manager,
        appointment=booking,
        data={"starts_at": in_hours(20), "ends_at": in_hours(21)},
        expected_version=1,
    )
    with pytest.raises(StaleRecord):
        appointment_update(
            actor=salesperson,
            appointment=booking,
            data={"starts_at": in_hours(30), "ends_at": in_hours(31)},
            expected_version=1,
        )
    booking.refresh_from_db()
    assert (booking.starts_at, booking.version) == (in_hours(20), 2)


def test_a_cancelled_booking_cannot_be_moved(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    booking = appointment_cancel(actor=salesperson, appointment=_book(salesperson, in_hours(5)))
    assert booking.status == "cancelled"
    with pytest.raises(AppointmentClosed):
        appointment_update(actor=salesperson, appointment=booking, data={"title": "新"})


def test_a_salesperson_cannot_book_in_a_colleagues_calendar(user_in: Any) -> None:
    salesperson = user_in(Role.SALESPERSON)
    colleague = user_in(Role.SALESPERSON)
    with pytest.raises(ValidationError) as refused:
        _book(salesperson, in_hours(5), owner=colleague)
    assert refused.value.message_dict["owner"] == ["You may not book in this person's calendar."]
    # the dealer manager may
    booked = _book(user_in(Role.DEALER_MANAGER), in_hours(5), owner=colleague)
    assert booked.owner == colleague
