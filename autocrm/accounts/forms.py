from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from autocrm.accounts.choices import ROLES_A_DEALER_MANAGER_ASSIGNS, Role
from autocrm.accounts.models import User
from autocrm.core.forms import (
    ANY_CHOICE,
    CHOOSE_LABEL,
    InlineValidationMixin,
    StyledFormMixin,
    style_filter_form,
)
from autocrm.network.forms import RegionChoiceField
from autocrm.network.models import Dealer, HQDepartment, Region


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. Both are case-sensitive; after several wrong "
            "attempts the account is locked for a while."
        ),
        "inactive": _("This account is disabled. Ask an administrator."),
    }


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'dealer DMS integration'."),
    )


# --- user administration -------------------------------------------------------------------


class UserForm(InlineValidationMixin, forms.ModelForm):
    """A user's profile, role and membership. Choice lists offer only what the actor may
    assign: an administrator every role and every HQ department, region and dealer they may
    see; a dealer manager the roles they assign and their own dealer (no HQ department or
    region field, since dealer staff have neither)."""

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "email",
            "phone",
            "role",
            "hq_department",
            "region",
            "dealer",
        ]
        field_classes = {"region": RegionChoiceField}

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        role_field = cast(forms.TypedChoiceField, fields["role"])
        role_field.help_text = _(
            "Headquarters roles may belong to an HQ department, a region manager must "
            "belong to a region, dealer staff must belong to a dealer."
        )
        dealers = Dealer.objects.visible_to(actor).order_by("code")
        cast(forms.ModelChoiceField, fields["dealer"]).queryset = dealers
        if actor.may_manage_every_user:
            departments = HQDepartment.objects.visible_to(actor).order_by("code")
            cast(forms.ModelChoiceField, fields["hq_department"]).queryset = departments
            regions = Region.objects.visible_to(actor).order_by("path")
            cast(RegionChoiceField, fields["region"]).queryset = regions
        else:
            assignable = ROLES_A_DEALER_MANAGER_ASSIGNS
            role_field.choices = [
                ("", CHOOSE_LABEL),
                *((value, label) for value, label in Role.choices if value in assignable),
            ]
            del fields["hq_department"], fields["region"]
            if not self.instance.pk:
                self.initial.setdefault("dealer", actor.dealer_id)

    def _update_errors(self, errors: ValidationError) -> None:
        """Add the model's errors (``User.clean`` runs even when a field already failed), except
        on fields that already show one: an invalid dealer choice need not also say "dealer
        staff must belong to a dealer". Errors on fields this form leaves out go to the top."""
        if hasattr(errors, "error_dict"):
            kept: dict[str, Any] = {}
            for name, messages in errors.error_dict.items():
                if name in self.errors:
                    continue
                target = name if name in self.fields else NON_FIELD_ERRORS
                kept.setdefault(target, []).extend(messages)
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)  # type: ignore[misc]


class UserCreateForm(UserForm):
    """A new user: the profile and membership fields, and their first password. The password
    rules are checked when saving (``user_create``), not on each keystroke."""

    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password_confirmation = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput
    )

    field_order = ["username", "password", "password_confirmation"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["password"].help_text = password_validators_help_text_html()

    def enable_inline_validation(self, url: str) -> None:
        super().enable_inline_validation(url)
        # The answer of an inline validation does not carry the typed passwords back, so
        # swapping a password field in would empty it.
        for name in ("password", "password_confirmation"):
            attrs = self.fields[name].widget.attrs
            for attribute in [key for key in attrs if key.startswith("hx-")]:
                del attrs[attribute]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", _("The two passwords differ."))
        return cleaned


def prepare_user_filter_form(form: forms.Form, *, user: Any) -> forms.Form:
    """The user list's filter bar: the dealer filter as a choice list of the dealers the user
    may see, then the shared styling."""
    dealers = Dealer.objects.visible_to(user).order_by("code")
    form.fields["dealer"].widget = forms.Select(
        choices=[ANY_CHOICE, *((dealer.pk, str(dealer)) for dealer in dealers)]
    )
    return style_filter_form(form)
