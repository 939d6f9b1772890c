"""The forms of the interaction pages: the quick log of the customer page's interaction panel,
and the page correcting an interaction."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import InteractionChannel, InteractionOutcome
from autocrm.activities.models import Interaction
from autocrm.activities.services import check_occurred_at
from autocrm.core.forms import InlineValidationMixin, StyledFormMixin
from autocrm.vehicles.models import Vehicle

# The subject a quick log starts with, per channel, so saving takes one more click.
DEFAULT_SUBJECTS: dict[str, Any] = {
    InteractionChannel.INBOUND_CALL: _("Inbound call"),
    InteractionChannel.OUTBOUND_CALL: _("Outbound call"),
}
# What the browser's date and time picker sends and shows (to the minute, local time).
MINUTE_FORMAT = "%Y-%m-%dT%H:%M"


def now_to_the_minute() -> datetime.datetime:
    """The current local time without seconds, as the time picker shows it."""
    return timezone.localtime().replace(second=0, microsecond=0)


class OccurredAtField(forms.DateTimeField):
    """When the interaction happened: the browser's date and time picker, never later than
    now (the service's rule, so the inline error is the one saving would give)."""

    def __init__(self, **kwargs: Any) -> None:
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MINUTE_FORMAT)
        super().__init__(label=_("When"), widget=widget, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            check_occurred_at(value)


class InteractionQuickForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=InteractionChannel.choices)
    occurred_at = OccurredAtField(initial=now_to_the_minute, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("—")), *InteractionOutcome.choices], required=False
    )
    vehicle = forms.ModelChoiceField(
        label=_("Vehicle"), queryset=Vehicle.objects.none(), required=False
    )
    duration_seconds = forms.IntegerField(
        label=_("Duration (seconds)"), min_value=0, max_value=2_147_483_647, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, vehicles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["vehicle"]).queryset = vehicles


class InteractionForm(InlineValidationMixin, forms.ModelForm):
    """Correcting an interaction: what happened, when, with which vehicle. ``version`` is the
    one the editor opened, so a save after someone else's is refused."""

    occurred_at = OccurredAtField()
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Interaction
        fields = [
            "channel",
            "occurred_at",
            "subject",
            "outcome",
            "vehicle",
            "duration_seconds",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, vehicles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["vehicle"]).queryset = vehicles
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("version") is None:
            # A hidden field's error would not show: it is the form's.
            raise ValidationError(
                _("This form is missing the record's version; reload the page and try again.")
            )
        return cleaned
