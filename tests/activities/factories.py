"""Factories for tasks and bookings (low-level: rows written directly, no audit entries)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from tests.factories import UserFactory


def in_hours(hours: float) -> datetime.datetime:
    """A moment ``hours`` from now, to the minute."""
    now = timezone.now().replace(second=0, microsecond=0)
    return now + datetime.timedelta(hours=hours)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Task"

    title = factory.Sequence(lambda n: f"回访客户 {n}")
    assignee = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("assignee")
    dealer = factory.LazyAttribute(lambda o: o.assignee.dealer)
    due_on = factory.LazyFunction(timezone.localdate)
    kind = "call"
    priority = 2
    status = "open"


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Appointment"

    title = factory.Sequence(lambda n: f"试驾预约 {n}")
    kind = "appointment"
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    dealer = factory.LazyAttribute(lambda o: o.owner.dealer)
    starts_at = factory.LazyFunction(lambda: in_hours(24))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    status = "planned"
