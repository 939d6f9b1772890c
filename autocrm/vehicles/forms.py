"""Forms of the vehicle pages. Choice lists offer only records the user may see; customers are
named by their customer number (there are far too many for a list). The forms check input; the
services validate the record (VIN rules, duplicates, ownership rules) and save it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrm.core.forms import ANY_CHOICE, InlineValidationMixin, style_filter_form
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.vehicles.choices import OwnershipRole
from autocrm.vehicles.models import Vehicle, VehicleModel
from autocrm.vehicles.services import MAX_PLAUSIBLE_KM
from autocrm.vehicles.vin import validate_vin


class VehicleModelForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = VehicleModel
        fields = [
            "code",
            "brand",
            "series",
            "name",
            "configuration",
            "model_year",
            "powertrain",
            "price",
            "is_active",
        ]


def _visible_dealers(user: Any) -> Any:
    return Dealer.objects.visible_to(user).filter(is_active=True).order_by("code")


class VehicleForm(InlineValidationMixin, forms.ModelForm):
    # Spaces and dashes as people type them are fine: the service cleans the VIN.
    vin = forms.CharField(label=_("VIN"), max_length=40)
    plate = forms.CharField(label=_("Licence plate"), max_length=30, required=False)
    # The version the editor opened, so a save after someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # The customer whose ownership starts with the new vehicle (create from a customer's page).
    owner = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Vehicle
        fields = [
            "vin",
            "model",
            "engine_number",
            "frame_number",
            "production_number",
            "production_date",
            "plant",
            "colour",
            "plate",
            "status",
            "dealer",
        ]
        widgets = {"production_date": forms.DateInput}

    def __init__(self, *args: Any, user: Any, owner: Customer | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        if owner is not None and not self.is_bound:
            self.initial["owner"] = owner.pk
        models_field = cast(forms.ModelChoiceField, self.fields["model"])
        models_field.queryset = VehicleModel.objects.visible_to(user).order_by("code")
        cast(forms.ModelChoiceField, self.fields["dealer"]).queryset = _visible_dealers(user)

    def _post_clean(self) -> None:
        # The record is validated by the service (VIN rules, a VIN already registered naming its
        # owner), not by the model form, which would only say "already exists".
        pass

    def clean_vin(self) -> str:
        # Checked here too, so inline validation names the fault while the user types.
        raw: str = self.cleaned_data["vin"]
        validate_vin(raw)
        return raw

    def clean_owner(self) -> Customer | None:
        pk = self.cleaned_data.get("owner")
        if pk is None:
            return None
        owner = Customer.objects.visible_to(self.user).filter(pk=pk).first()
        if owner is None:
            raise forms.ValidationError(_("This customer is not one you may see."))
        return owner

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if self.instance.pk and cleaned.get("version") is None:
            raise forms.ValidationError(
                _("This form is missing the record's version; reload the page and try again.")
            )
        return cleaned


class CustomerNumberField(forms.CharField):
    """A customer named by number (C000000123, or just 123), found within the user's scope."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Customer number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("For example C000000123."))
        super().__init__(*args, **kwargs)
        self.user: Any = None

    def clean(self, value: Any) -> Any:
        text = super().clean(value).strip().upper()
        digits = text.removeprefix("C")
        if not digits.isdigit() or len(digits) > 12:
            raise forms.ValidationError(_("Enter a customer number such as C000000123."))
        customer = Customer.objects.visible_to(self.user).filter(number=f"C{int(digits):09d}")
        found = customer.first()
        if found is None:
            raise forms.ValidationError(
                _("No customer %(number)s among the customers you may see.")
                % {"number": f"C{int(digits):09d}"}
            )
        return found


class _ForVehicleForm(InlineValidationMixin, forms.Form):
    """A form about one vehicle: edit pages hand it the vehicle as ``instance``."""

    def __init__(self, *args: Any, user: Any, instance: Vehicle | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.vehicle = instance
        for field in self.fields.values():
            if isinstance(field, CustomerNumberField):
                field.user = user
        if "selling_dealer" in self.fields:
            dealer_field = cast(forms.ModelChoiceField, self.fields["selling_dealer"])
            dealer_field.queryset = _visible_dealers(user)


class OwnershipForm(_ForVehicleForm):
    customer = CustomerNumberField()
    role = forms.ChoiceField(label=_("Role"), choices=OwnershipRole.choices)
    started_on = forms.DateField(label=_("From"), widget=forms.DateInput)
    selling_dealer = forms.ModelChoiceField(
        label=_("Selling dealer"),
        queryset=Dealer.objects.none(),
        required=False,
        help_text=_("Your own dealer when left empty and you work at a dealer."),
    )
    price = forms.DecimalField(
        label=_("Price"), max_digits=12, decimal_places=2, min_value=0, required=False
    )


class TransferForm(_ForVehicleForm):
    customer = CustomerNumberField(label=_("New owner (customer number)"))
    on_date = forms.DateField(label=_("Transferred on"), widget=forms.DateInput)
    selling_dealer = OwnershipForm.base_fields["selling_dealer"]
    price = OwnershipForm.base_fields["price"]


class OdometerReadingForm(_ForVehicleForm):
    reading_km = forms.IntegerField(
        label=_("Reading (km)"), min_value=0, max_value=MAX_PLAUSIBLE_KM
    )
    read_on = forms.DateField(label=_("Read on"), widget=forms.DateInput)
    source = forms.CharField(label=_("Source"), max_length=50, required=False)


def prepare_filter_form(form: forms.Form, *, user: Any) -> forms.Form:
    """The vehicle list's filter bar: models and dealers as choice lists of what the user may
    see, then the shared styling."""
    fields = form.fields
    if "model_id" in fields:
        catalogue = VehicleModel.objects.visible_to(user).order_by("code")
        fields["model_id"].widget = forms.Select(
            choices=[ANY_CHOICE, *((m.pk, f"{m} ({m.code})") for m in catalogue)]
        )
    if "dealer_id" in fields:
        fields["dealer_id"].widget = forms.Select(
            choices=[ANY_CHOICE, *((d.pk, f"{d.name} ({d.code})") for d in _visible_dealers(user))]
        )
    return style_filter_form(form)
