"""Forms of the customer pages. They check what a field can check alone, with the same
identifier functions the services use (so inline errors match the saved answer); the services
decide the rest (duplicates, contradictions). Choice lists offer only records the user may see.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from autocrm.accounts.models import User
from autocrm.core.forms import ANY_CHOICE, InlineValidationMixin, StyledFormMixin
from autocrm.core.forms import style_filter_form as style_filters
from autocrm.core.scoping import visible_to
from autocrm.customers import identifiers
from autocrm.customers.choices import (
    ConsentChannel,
    ConsentPurpose,
    ContactKind,
    ContactLabel,
    CustomerKind,
    DealerRelation,
    RelationshipKind,
)
from autocrm.customers.models import Customer
from autocrm.customers.services import COMPANY_FIELDS, PERSONAL_FIELDS
from autocrm.network.choices import RegionLevel
from autocrm.network.models import Dealer, Region

COMMON_FIELDS = [
    "name",
    "status",
    "purchase_type",
    "interest_level",
    "manager",
    "city",
    "owner_club_member",
    "owner_club_since",
]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class CustomerForm(InlineValidationMixin, forms.ModelForm):
    """A person's or a company's fields; on the create page also the first phone, e-mail and
    address. ``kind`` decides which fields are shown."""

    id_number = forms.CharField(label=_("ID number"), required=False, max_length=40)
    phone = forms.CharField(label=_("Mobile or phone"), required=False, max_length=40)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=255)
    address = forms.CharField(label=_("Postal address"), required=False, max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Customer
        fields = [*COMMON_FIELDS, *PERSONAL_FIELDS, *COMPANY_FIELDS, "notes"]
        widgets = {
            "birth_date": forms.DateInput,
            "owner_club_since": forms.DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"manager": UserChoiceField}

    def __init__(self, *args: Any, user: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        editing = bool(self.instance.pk)
        drop = COMPANY_FIELDS if kind == CustomerKind.INDIVIDUAL else PERSONAL_FIELDS
        if kind == CustomerKind.COMPANY:
            drop = (*drop, "id_number")
        if editing:
            drop = (*drop, "phone", "email", "address")
            self.fields["id_number"].help_text = _(
                "Leave empty to keep the ID number on record (%(masked)s)."
            ) % {"masked": self.instance.id_number_masked or "—"}
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        else:
            del self.fields["version"]
        for name in drop:
            self.fields.pop(name, None)
        users = visible_to(user, User.objects.filter(is_active=True).order_by("username"))
        cast(forms.ModelChoiceField, self.fields["manager"]).queryset = users
        cities = Region.objects.visible_to(user).filter(level=RegionLevel.CITY).order_by("path")
        cast(forms.ModelChoiceField, self.fields["city"]).queryset = cities

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number", "")
        return identifiers.validate_resident_id(raw) if raw.strip() else ""

    def clean_credit_code(self) -> str | None:
        raw = self.cleaned_data.get("credit_code") or ""
        return identifiers.validate_credit_code(raw) if raw.strip() else None

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        if raw.strip():
            identifiers.normalise_phone(raw)
        return str(raw)

    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email", "")
        if raw.strip():
            identifiers.normalise_email(raw)
        return str(raw)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if self.instance.pk and cleaned.get("version") is None:
            raise ValidationError(
                _("This form is missing the record's version; reload the page and try again.")
            )
        return cleaned

    def _post_clean(self) -> None:
        # The services validate the model (with derived fields), not the form.
        pass


class ContactPointForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    value = forms.CharField(label=_("Contact"), max_length=255)
    label = forms.ChoiceField(
        label=_("Label"), choices=[("", "—"), *ContactLabel.choices], required=False
    )
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class ConsentForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    granted = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("true", _("Granted")), ("false", _("Withdrawn"))],
        coerce=lambda value: value == "true",
    )
    source = forms.CharField(label=_("Source"), max_length=100)


class PreferencesForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Customer
        fields = ["preferred_channel", "preferred_time", "max_contacts_per_month"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        pass


class RelationshipForm(StyledFormMixin, forms.Form):
    other_number = forms.CharField(label=_("Customer number"), max_length=20)
    kind = forms.ChoiceField(label=_("Relationship"), choices=RelationshipKind.choices)
    role = forms.CharField(label=_("Role"), max_length=100, required=False)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_other_number(self) -> Customer:
        number = self.cleaned_data["other_number"].strip().upper()
        other = Customer.objects.visible_to(self.user).filter(number=number).first()
        if other is None:
            raise ValidationError(_("No customer has the number %(number)s.") % {"number": number})
        return other


class DealerLinkForm(StyledFormMixin, forms.Form):
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())
    relation = forms.ChoiceField(label=_("Relation"), choices=DealerRelation.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dealers = Dealer.objects.visible_to(user).filter(is_active=True).order_by("code")
        cast(forms.ModelChoiceField, self.fields["dealer"]).queryset = dealers


def prepare_filter_form(form: forms.Form, *, user: Any) -> forms.Form:
    """The customer list's filter bar: managers and dealers as choice lists of the ones the user
    may see."""
    fields = form.fields
    managers = visible_to(user, User.objects.filter(is_active=True).order_by("username"))
    fields["manager_id"].widget = forms.Select(
        choices=[ANY_CHOICE, *((u.pk, str(u)) for u in managers[:500])]
    )
    dealers = Dealer.objects.visible_to(user).order_by("code")
    fields["dealer_id"].widget = forms.Select(
        choices=[ANY_CHOICE, *((d.pk, f"{d.name} ({d.code})") for d in dealers[:500])]
    )
    return style_filters(form)
