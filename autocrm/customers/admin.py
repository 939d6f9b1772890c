"""Admin for customers: read-only.

Changes go through the customer pages and API, whose services keep the number, folded name,
protected ID number and audit trail in step; a plain admin save would skip all of that. ID numbers
appear masked only.
"""

from __future__ import annotations

from django.contrib import admin

from autocrm.core.admin import ReadOnlyModelAdmin
from autocrm.customers.models import Customer, Tag


@admin.register(Customer)
class CustomerAdmin(ReadOnlyModelAdmin):
    list_display = ("number", "name", "kind", "status", "manager", "is_active")
    list_filter = ("kind", "status", "is_active")
    list_select_related = ("manager",)
    search_fields = ("number",)
    fields = (
        "number",
        "kind",
        "name",
        "status",
        "manager",
        "id_number_masked",
        "credit_code",
        "is_active",
        "merged_into",
    )
    readonly_fields = fields


@admin.register(Tag)
class TagAdmin(ReadOnlyModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    fields = ("name",)
    readonly_fields = fields
