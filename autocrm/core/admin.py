"""Admin for the cross-cutting records: the audit trail and jobs, both read-only (the audit trail
is append-only; jobs change only through their runner)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from autocrm.core.models import AuditEntry, Job


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Browse and search, never add, change or delete: these tables are written by services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ("occurred_at", "action", "object_repr", "content_type", "actor", "channel")
    list_filter = ("action", "channel", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("object_repr", "object_id", "actor__username")
    date_hierarchy = "occurred_at"
    fields = (
        "occurred_at",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "actor",
        "channel",
        "changes",
    )
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "title", "kind", "status", "created_by", "created_at", "finished_at")
    list_filter = ("status", "kind")
    list_select_related = ("created_by",)
    search_fields = ("title", "kind", "created_by__username")
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "title",
        "status",
        "parameters",
        "progress_done",
        "progress_total",
        "attempts",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "result_file",
        "error",
        "log",
    )
    readonly_fields = fields
