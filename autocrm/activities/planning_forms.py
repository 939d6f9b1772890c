"""The forms of the task and calendar pages: a new task, completing one, a booking."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autocrm.accounts.models import User
from autocrm.activities.appointments import check_not_in_past
from autocrm.activities.choices import AppointmentKind, TaskKind, TaskPriority
from autocrm.activities.forms import MINUTE_FORMAT
from autocrm.activities.permissions import may_plan_for_others
from autocrm.activities.planning import team_members
from autocrm.core.forms import StyledFormMixin
from autocrm.core.scoping import visible_to
from autocrm.vehicles.models import Vehicle

DEFAULT_BOOKING_LENGTH = datetime.timedelta(hours=1)


def assignable_people(actor: Any, customer: Any = None) -> QuerySet[User]:
    """Whom ``actor`` may give a task or booking to, for the form's choice list: themselves;
    a manager also their team; other roles planning for others (the call center) also the
    staff of the customer's dealers in their scope."""
    if not may_plan_for_others(actor):
        return User.objects.filter(pk=actor.pk)
    people = team_members(actor)
    if customer is not None and people.count() <= 1:
        staff = visible_to(
            actor,
            User.objects.filter(is_active=True, dealer__customer_links__customer_id=customer.pk),
        )
        return (
            User.objects.filter(pk=actor.pk) | User.objects.filter(pk__in=staff.values("pk"))
        ).order_by("username")
    return people


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class TaskForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.CALL)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=TaskPriority.choices,
        coerce=int,
        initial=TaskPriority.NORMAL,
    )
    due_on = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
        error_messages={"invalid": _("Enter a date, such as 2026-03-01.")},
    )
    assignee = PersonChoiceField(label=_("For"), queryset=User.objects.none(), required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, actor: Any, customer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = assignable_people(actor, customer)
        field = cast(forms.ModelChoiceField, self.fields["assignee"])
        field.queryset = people
        field.empty_label = str(_("Me"))


class TaskCompleteForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=2000, required=False)
    version = forms.IntegerField(min_value=1, required=False)


class VehicleByVinField(forms.CharField):
    """A vehicle in the user's scope, by its VIN or the VIN's last six characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Vehicle (VIN or its last 6 characters)"),
            max_length=17,
            required=False,
            **kwargs,
        )
        self.user: Any = None

    def clean(self, value: Any) -> Any:
        text = (super().clean(value) or "").strip().upper()
        if not text:
            return None
        rows = visible_to(self.user, Vehicle.objects.all())
        rows = rows.filter(vin=text) if len(text) == 17 else rows.filter(vin_tail=text)
        found = list(rows[:2])
        if len(found) != 1:
            raise ValidationError(
                _("No single vehicle you can see has this VIN."), code="vehicle_unknown"
            )
        return found[0]


class AppointmentForm(StyledFormMixin, forms.Form):
    """A booking: what, with whom, when, where. ``confirmed_overlaps`` holds the ids of the
    bookings the overlap warning showed (its "book anyway" submit sends them back; it books over
    those only); ``version`` the copy a move was based on."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MINUTE_FORMAT),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MINUTE_FORMAT),
    )
    owner = PersonChoiceField(label=_("For"), queryset=User.objects.none(), required=False)
    vehicle = VehicleByVinField()
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    confirmed_overlaps = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(
        self, *args: Any, actor: Any, customer: Any = None, moving: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.moving = moving
        field = cast(forms.ModelChoiceField, self.fields["owner"])
        field.queryset = assignable_people(actor, customer)
        field.empty_label = str(_("Me"))
        cast(VehicleByVinField, self.fields["vehicle"]).user = actor

    def clean_confirmed_overlaps(self) -> frozenset[int]:
        text = self.cleaned_data.get("confirmed_overlaps") or ""
        return frozenset(int(part) for part in text.split(",") if part.strip().isdigit())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A booking must end after it starts."))
        if starts and not self.moving:
            try:
                check_not_in_past(starts)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


def next_full_hour() -> datetime.datetime:
    """The next full hour, local time: where a new booking starts unless the user says."""
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    return now + datetime.timedelta(hours=1)


def booking_initial(kind: str, customer: Any) -> dict[str, Any]:
    starts = next_full_hour()
    title = str(customer) if customer is not None else ""
    return {
        "kind": kind if kind in AppointmentKind.values else AppointmentKind.APPOINTMENT,
        "title": title,
        "starts_at": starts,
        "ends_at": starts + DEFAULT_BOOKING_LENGTH,
    }
