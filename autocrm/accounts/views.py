"""Login, profile and API tokens; and user administration: list, view, create, edit,
deactivate and reactivate users.

User pages read through ``visible_to`` (a user outside the viewer's scope is "not found") and
write through ``autocrm.accounts.services``, which decides who may manage whom.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autocrm.accounts import services
from autocrm.accounts.filters import UserFilterSet
from autocrm.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    StyledPasswordChangeForm,
    UserCreateForm,
    UserForm,
    prepare_user_filter_form,
)
from autocrm.accounts.models import ApiToken, User
from autocrm.accounts.services import api_token_create, api_token_revoke
from autocrm.core import errors
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb, render_form, render_list
from autocrm.core.scoping import access_object, visible_to

# User names are unique, so they order the keyset pages of the user list.
USER_LIST_ORDERING = ("username",)
USER_LIST_ID = "user-list"
USER_FORM_ID = "user-form"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("accounts:profile")
    extra_context = {"breadcrumbs": [{"label": gettext_lazy("Change password")}]}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = api_token_create(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        form = ApiTokenForm()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": request.user.api_tokens.all(),  # type: ignore[union-attr]
            "breadcrumbs": [{"label": _("Profile")}],
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token was revoked; it no longer works."))
    return redirect("accounts:profile")


# --- user administration -------------------------------------------------------------------


def _user_rows(viewer: Any) -> QuerySet[User]:
    return visible_to(viewer, User.objects.select_related("dealer", "region", "hq_department"))


def _may_manage_users(viewer: Any) -> bool:
    return bool(getattr(viewer, "may_manage_users", False))


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    return render_list(
        request,
        queryset=_user_rows(request.user),
        filterset_class=UserFilterSet,
        table_template="accounts/_user_table.html",
        ordering=USER_LIST_ORDERING,
        prepare_filter_form=prepare_user_filter_form,
        list_id=USER_LIST_ID,
        may_edit=_may_manage_users(request.user),
        context={
            "title": _("Users"),
            "breadcrumbs": [crumb(_("Users"))],
            "create_url": reverse("accounts:user_create"),
            "create_label": _("New user"),
        },
    )


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = request.user
    person = access_object(viewer, _user_rows(viewer), pk=user_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "active_token_count": person.api_tokens.filter(revoked_at__isnull=True).count(),
            "history": history_rows(person, viewer),
            "may_manage": services.may_manage_user(viewer, person),
            "is_self": person.pk == viewer.pk,
            "breadcrumbs": [crumb(_("Users"), "accounts:user_list"), crumb(str(person))],
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not _may_manage_users(actor):
        raise PermissionDenied
    form = UserCreateForm(request.POST or None, actor=actor)
    return render_form(
        request,
        form=form,
        save=lambda data: services.user_create(
            actor=actor, data=_profile_fields(data), password=data["password"]
        ),
        saved_message=_("User %(record)s was created."),
        form_id=USER_FORM_ID,
        context={
            "title": _("New user"),
            "cancel_url": reverse("accounts:user_list"),
            "breadcrumbs": [crumb(_("Users"), "accounts:user_list"), crumb(_("New"))],
        },
    )


def _profile_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name in services.USER_FIELDS}


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = request.user
    person = access_object(actor, _user_rows(actor), pk=user_id)
    if not services.may_manage_user(actor, person):
        raise PermissionDenied
    # The form works on a copy: the service compares against the record as stored.
    form = UserForm(request.POST or None, instance=copy.copy(person), actor=actor)
    return render_form(
        request,
        form=form,
        save=lambda data: services.user_update(
            actor=actor, user=person, data=_profile_fields(data)
        ),
        saved_message=_("User %(record)s was saved."),
        form_id=USER_FORM_ID,
        context={
            "title": _("Edit %(record)s") % {"record": person},
            "cancel_url": person.get_absolute_url(),
            "breadcrumbs": [
                crumb(_("Users"), "accounts:user_list"),
                crumb(str(person), "accounts:user_detail", person.pk),
                crumb(_("Edit")),
            ],
        },
    )


def _set_active(request: HttpRequest, user_id: int, *, active: bool) -> HttpResponse:
    actor = request.user
    person = access_object(actor, User.objects.all(), pk=user_id)
    try:
        services.user_set_active(actor=actor, user=person, active=active)
    except errors.PermissionDenied as error:
        raise PermissionDenied from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if active:
            messages.success(request, _("User %(record)s was reactivated.") % {"record": person})
        else:
            messages.success(
                request,
                _(
                    "User %(record)s was deactivated: they can no longer log in, and their API "
                    "tokens were revoked."
                )
                % {"record": person},
            )
    return redirect(person)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _set_active(request, user_id, active=False)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _set_active(request, user_id, active=True)
