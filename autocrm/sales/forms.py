"""The forms of the lead pages: create and edit, reassign, loss request and decision, and the
routing set-up. Choice lists come from the user's scope."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.core.forms import InlineValidationMixin, StyledFormMixin
from autocrm.core.scoping import visible_to
from autocrm.network.choices import RegionLevel
from autocrm.network.models import Dealer, Region
from autocrm.sales.choices import AssignmentRule
from autocrm.sales.models import Lead
from autocrm.sales.services.leads import LEAD_FIELDS


def _cities(user: Any) -> Any:
    return visible_to(user, Region.objects.filter(level=RegionLevel.CITY)).order_by("code")


class LeadCreateForm(InlineValidationMixin, forms.ModelForm):
    """A new lead: the grade may stay empty (it follows the timeframe)."""

    class Meta:
        model = Lead
        fields = ["source", *LEAD_FIELDS]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every city may send a lead: the catalogue of cities is public.
        cast(forms.ModelChoiceField, self.fields["city"]).queryset = Region.objects.filter(
            level=RegionLevel.CITY
        ).order_by("code")
        self.fields["grade"].required = False


class LeadForm(LeadCreateForm):
    """Editing a lead, status step included; ``version`` is the one the editor opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta(LeadCreateForm.Meta):
        fields = [*LEAD_FIELDS, "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].required = True
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("version") is None:
            raise ValidationError(
                _("This form is missing the record's version; reload the page and try again.")
            )
        return cleaned


class LeadReassignForm(InlineValidationMixin, forms.Form):
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Empty: the dealer's rule chooses."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, user: Any, instance: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dealers = visible_to(user, Dealer.objects.filter(is_active=True, sells_vehicles=True))
        cast(forms.ModelChoiceField, self.fields["dealer"]).queryset = dealers.order_by("code")
        people = visible_to(
            user, User.objects.filter(role=Role.SALESPERSON, is_active=True)
        ).select_related("dealer")
        cast(forms.ModelChoiceField, self.fields["salesperson"]).queryset = people.order_by(
            "dealer__code", "username"
        )
        self.initial.setdefault("dealer", instance.dealer_id)
        self.initial.setdefault("version", instance.version)


class LossRequestForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason lost"), max_length=255)


class LossDecisionForm(StyledFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Reject"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class TerritoryForm(StyledFormMixin, forms.Form):
    region = forms.ModelChoiceField(
        label=_("Province or city"),
        queryset=Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]).order_by(
            "path"
        ),
    )
    postcode_prefix = forms.CharField(label=_("Postcode prefix"), max_length=10, required=False)


class DealerRuleForm(StyledFormMixin, forms.Form):
    rule = forms.ChoiceField(label=_("Assignment rule"), choices=AssignmentRule.choices)
