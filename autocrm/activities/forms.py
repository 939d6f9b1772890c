"""The quick-log form of the customer page's interaction panel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrm.activities.choices import InteractionChannel, InteractionOutcome
from autocrm.core.forms import StyledFormMixin
from autocrm.vehicles.models import Vehicle

# The subject a quick log starts with, per channel, so saving takes one more click.
DEFAULT_SUBJECTS: dict[str, Any] = {
    InteractionChannel.INBOUND_CALL: _("Inbound call"),
    InteractionChannel.OUTBOUND_CALL: _("Outbound call"),
}


class InteractionQuickForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=InteractionChannel.choices)
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
        self.fields["vehicle"].queryset = vehicles  # type: ignore[attr-defined]
