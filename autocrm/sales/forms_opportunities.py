"""The forms of the opportunity and quote pages. Choice lists come from the user's scope."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrm.core.forms import InlineValidationMixin
from autocrm.core.scoping import visible_to
from autocrm.network.models import Dealer
from autocrm.sales.choices import QuoteLineKind
from autocrm.sales.models import Opportunity
from autocrm.sales.permissions import own_dealer_id
from autocrm.sales.services.opportunities import OPPORTUNITY_FIELDS
from autocrm.vehicles.models import VehicleModel

FORM_FIELDS = [name for name in OPPORTUNITY_FIELDS if name != "trade_in_vehicle"]


class OpportunityForm(InlineValidationMixin, forms.ModelForm):
    """Editing an opportunity's details; ``version`` is the one the editor opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Opportunity
        fields = FORM_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "expected_close": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["vehicle_model"]
        ).queryset = VehicleModel.objects.filter(is_active=True).order_by("code")


class OpportunityCreateForm(OpportunityForm):
    """A new opportunity for a customer; headquarters choose the dealer."""

    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())

    class Meta(OpportunityForm.Meta):
        fields = ["dealer", *FORM_FIELDS]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if own_dealer_id(user) is not None:
            del self.fields["dealer"]
        else:
            cast(forms.ModelChoiceField, self.fields["dealer"]).queryset = visible_to(
                user, Dealer.objects.filter(sells_vehicles=True)
            ).order_by("code")
        del self.fields["version"]


class QuoteHeaderForm(forms.Form):
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuoteLineForm(forms.Form):
    """One line; a row left empty is skipped. Prices and quantities are checked by the
    service, which names the line."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *QuoteLineKind.choices], required=False
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), required=False, initial=1)
    unit_price = forms.DecimalField(
        label=_("Unit price before tax"), max_digits=12, decimal_places=2, required=False
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate"), max_digits=5, decimal_places=4, required=False, initial="0.13"
    )

    def line(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("kind") and not data.get("description") and data.get("unit_price") is None:
            return None
        return {
            "kind": data.get("kind") or "",
            "description": data.get("description") or "",
            "quantity": data.get("quantity") if data.get("quantity") is not None else 1,
            "unit_price": data.get("unit_price") if data.get("unit_price") is not None else "",
            "tax_rate": data.get("tax_rate"),
        }


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=0)
QUOTE_FORM_ROWS = 8
