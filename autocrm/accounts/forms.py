from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from autocrm.core.forms import StyledFormMixin


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
