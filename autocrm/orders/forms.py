"""The forms of the order pages. Choice lists come from the user's scope; the customer is
named by number (there are millions) and found within the scope."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.core.forms import InlineValidationMixin, StyledFormMixin
from autocrm.core.scoping import visible_to
from autocrm.customers.models import Customer
from autocrm.network.models import Dealer
from autocrm.orders.choices import OrderKind
from autocrm.orders.permissions import own_dealer_id
from autocrm.orders.services import MAX_QUANTITY
from autocrm.vehicles.models import VehicleModel


def customer_by_number(user: Any, number: str) -> Customer | None:
    """The customer numbered ``number`` (C + 9 digits, or the digits alone) within the scope."""
    number = (number or "").strip().upper()
    if not number:
        return None
    digits = number[1:] if number.startswith("C") else number
    if digits.isdigit():
        number = f"C{int(digits):09d}"
    found = visible_to(user, Customer.objects.filter(number=number)).first()
    if found is None:
        raise ValidationError(_("No customer numbered %(number)s.") % {"number": number})
    return found


class VehicleOrderForm(InlineValidationMixin, forms.Form):
    """A new order. Dealer staff order for their own dealer (no dealer field)."""

    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())
    vehicle_model = forms.ModelChoiceField(
        label=_("Model and configuration"), queryset=VehicleModel.objects.none()
    )
    colour = forms.CharField(label=_("Colour"), max_length=50, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), initial=1)
    kind = forms.ChoiceField(label=_("Order kind"), choices=OrderKind.choices)
    customer_number = forms.CharField(
        label=_("Customer number"),
        max_length=20,
        required=False,
        help_text=_("Required for an order for a named customer, e.g. C000000123."),
    )
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"), queryset=User.objects.none(), required=False
    )
    unit_price = forms.DecimalField(
        label=_("Price per car (CNY)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the catalogue price."),
    )
    requested_delivery = forms.DateField(
        label=_("Requested delivery"), required=False, widget=forms.DateInput
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, user: Any, customer: Customer | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = customer
        if own_dealer_id(user) is not None:
            del self.fields["dealer"]
        else:
            cast(forms.ModelChoiceField, self.fields["dealer"]).queryset = visible_to(
                user, Dealer.objects.filter(is_active=True, sells_vehicles=True)
            ).order_by("code")
        cast(
            forms.ModelChoiceField, self.fields["vehicle_model"]
        ).queryset = VehicleModel.objects.filter(is_active=True).order_by("brand", "series", "code")
        cast(forms.ModelChoiceField, self.fields["salesperson"]).queryset = visible_to(
            user,
            User.objects.filter(is_active=True, role__in=[Role.SALESPERSON, Role.DEALER_MANAGER]),
        ).order_by("username")
        cast(forms.IntegerField, self.fields["quantity"]).widget.attrs.update(
            {"min": 1, "max": MAX_QUANTITY}
        )
        if customer is not None:
            self.initial.setdefault("kind", OrderKind.CUSTOMER)
            self.initial.setdefault("customer_number", customer.number)

    def clean_customer_number(self) -> Customer | None:
        return customer_by_number(self.user, self.cleaned_data.get("customer_number", ""))


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DeliverForm(StyledFormMixin, forms.Form):
    customer_number = forms.CharField(label=_("Customer number"), max_length=20, required=False)
    delivered_on = forms.DateField(label=_("Delivered on"), required=False, widget=forms.DateInput)
    price = forms.DecimalField(
        label=_("Price (CNY)"), max_digits=12, decimal_places=2, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ConfirmForm(StyledFormMixin, forms.Form):
    expected_delivery = forms.DateField(
        label=_("Expected delivery"), required=False, widget=forms.DateInput
    )


class AllocateForm(StyledFormMixin, forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput, required=False)
    production_number = forms.CharField(label=_("Production number"), max_length=30)
    vin = forms.CharField(label=_("VIN"), max_length=30)
    expected_delivery = forms.DateField(
        label=_("Expected delivery"), required=False, widget=forms.DateInput
    )
