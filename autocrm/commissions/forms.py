"""Forms of the commission pages. Choice lists offer only dealers the user may see (and, on a
plan, manage); the forms check input, the services validate the plan (overlaps, amounts) and
save it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrm.commissions import permissions
from autocrm.commissions.models import CommissionPlan
from autocrm.core.forms import InlineValidationMixin, StyledFormMixin
from autocrm.network.models import Dealer
from autocrm.vehicles.models import VehicleModel


def managed_dealers(user: Any) -> Any:
    """The dealers whose plans ``user`` may set: within scope, and their own for a manager."""
    # Dealer staff see only their own dealer, so a manager is offered exactly theirs.
    dealers = Dealer.objects.visible_to(user).filter(is_active=True).order_by("code")
    return dealers if permissions.may_manage_commissions(user) else dealers.none()


class CommissionPlanForm(InlineValidationMixin, forms.ModelForm):
    # The version the editor opened, so a save after someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = CommissionPlan
        fields = ["dealer", "name", "valid_from", "valid_to", "margin_percent", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["dealer"]
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["dealer"].queryset = managed_dealers(user)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The service validates the plan (overlaps, ranges) with specific messages.
        pass


class CommissionRateForm(StyledFormMixin, forms.Form):
    vehicle_model = forms.ModelChoiceField(
        label=_("Vehicle model"),
        queryset=VehicleModel.objects.filter(is_active=True).order_by("code"),
        required=False,
        help_text=_("Leave model and series empty for a rate that applies to any model."),
    )
    series = forms.CharField(label=_("Series"), max_length=50, required=False)
    amount = forms.DecimalField(label=_("Amount per car"), max_digits=12, decimal_places=2)


class CommissionTierForm(StyledFormMixin, forms.Form):
    min_cars = forms.IntegerField(label=_("Cars delivered in the month (at least)"))
    bonus = forms.DecimalField(label=_("Bonus"), max_digits=12, decimal_places=2)


class StatementFilterForm(StyledFormMixin, forms.Form):
    """Which dealer-month the statement page shows."""

    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())
    month = forms.CharField(
        label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = (  # type: ignore[attr-defined]
            Dealer.objects.visible_to(user).order_by("code")
        )


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=255)
