"""Login, profile and API tokens; and user administration: list, view, create, edit,
deactivate and reactivate users.

User pages read through ``visible_to`` (a user outside the viewer's scope is "not found") and
write through ``autocrm.accounts.services``, which decides who may manage whom.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
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
from autocrm.core.crud import ScopedCreateView, ScopedEditView, ScopedFormView, ScopedListView
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb
from autocrm.core.scoping import access_object, visible_to


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


class UserList(ScopedListView):
    model = User
    filterset_class = UserFilterSet
    table_template = "accounts/_user_table.html"
    # User names are unique, so they order the keyset pages of the user list.
    ordering = ("username",)
    list_id = "user-list"
    title = gettext_lazy("Users")
    create_url_name = "accounts:user_create"
    create_label = gettext_lazy("New user")

    def queryset(self, request: HttpRequest) -> QuerySet[User]:
        return _user_rows(request.user)

    def may_edit(self, user: Any) -> bool:
        return _may_manage_users(user)

    def filter_form(self, form: forms.Form, *, user: Any) -> forms.Form:
        return prepare_user_filter_form(form, user=user)


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


def _profile_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name in services.USER_FIELDS}


class UserPage(ScopedFormView):
    model = User
    form_id = "user-form"
    list_label = gettext_lazy("Users")
    list_url_name = "accounts:user_list"
    detail_url_name = "accounts:user_detail"
    pk_url_kwarg = "user_id"

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"actor": request.user}


class UserCreate(UserPage, ScopedCreateView):
    form_class = UserCreateForm
    title = gettext_lazy("New user")
    saved_message = gettext_lazy("User %(record)s was created.")

    def permission(self, user: Any, instance: None) -> bool:
        return _may_manage_users(user)

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> User:
        return services.user_create(
            actor=request.user, data=_profile_fields(data), password=data["password"]
        )


class UserEdit(UserPage, ScopedEditView):
    form_class = UserForm
    saved_message = gettext_lazy("User %(record)s was saved.")

    def queryset(self, request: HttpRequest) -> QuerySet[User]:
        return _user_rows(request.user)

    def permission(self, user: Any, instance: User) -> bool:
        return services.may_manage_user(user, instance)

    def save(self, request: HttpRequest, data: dict[str, Any], instance: User) -> User:
        return services.user_update(actor=request.user, user=instance, data=_profile_fields(data))


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
