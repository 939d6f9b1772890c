"""Admin for users (with their role and place in the network) and API tokens (read-only; the
token's hash is never shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from autocrm.accounts.models import ApiToken, User
from autocrm.accounts.services import api_token_revoke
from autocrm.core import audit
from autocrm.core.admin import ReadOnlyModelAdmin

MEMBERSHIP_FIELDS = ("role", "hq_department", "region", "dealer")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("display_name", "first_name", "last_name", "email", "phone")},
        ),
        (
            _("Role and membership"),
            {
                "fields": MEMBERSHIP_FIELDS,
                "description": _(
                    "Headquarters roles may belong to an HQ department, a region manager must "
                    "belong to a region, dealer staff must belong to a dealer."
                ),
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    *MEMBERSHIP_FIELDS,
                ),
            },
        ),
    )
    list_display = ("username", "display_name", "role", "dealer", "region", "is_active")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("dealer", "region", "hq_department")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    autocomplete_fields = ("hq_department", "region", "dealer")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Role and membership decide what a user may see, so their changes go on the audit trail.
        before = audit.snapshot(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            audit.record_creation(obj, actor=request.user)
        else:
            audit.record_change(obj, before, actor=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "user", "key_hint", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("name", "key_hint", "user__username")
    # key_hash is deliberately absent: not listed, not shown, not searchable.
    fields = ("name", "user", "key_hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )
