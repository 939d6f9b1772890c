"""Admin for the dealer network: read-only.

Creating and editing go through the network pages, whose services validate the region tree,
keep ``Region.path`` in step, check the dealer's version and write the audit trail; a plain admin
save would skip all of that. "View on site" leads to the page where the record is edited.
"""

from __future__ import annotations

from django.contrib import admin

from autocrm.core.admin import ReadOnlyModelAdmin
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region


@admin.register(Region)
class RegionAdmin(ReadOnlyModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    fields = ("code", "name", "level", "parent", "path")
    readonly_fields = fields


@admin.register(DealerGroup)
class DealerGroupAdmin(ReadOnlyModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    fields = ("code", "name")
    readonly_fields = fields


@admin.register(Dealer)
class DealerAdmin(ReadOnlyModelAdmin):
    list_display = (
        "code",
        "name",
        "dealer_type",
        "region",
        "group",
        "sells_vehicles",
        "services_vehicles",
        "sells_parts",
        "is_active",
    )
    list_filter = ("dealer_type", "is_active", "services_vehicles", "sells_vehicles", "sells_parts")
    list_select_related = ("region", "group")
    search_fields = ("code", "name")
    fields = (
        "code",
        "name",
        "dealer_type",
        ("sells_vehicles", "services_vehicles", "sells_parts"),
        "region",
        "group",
        "address",
        "phone",
        "is_active",
        "opened_on",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "code",
        "name",
        "dealer_type",
        "sells_vehicles",
        "services_vehicles",
        "sells_parts",
        "region",
        "group",
        "address",
        "phone",
        "is_active",
        "opened_on",
        "version",
        "created_at",
        "updated_at",
    )


@admin.register(HQDepartment)
class HQDepartmentAdmin(ReadOnlyModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    fields = ("code", "name", "kind")
    readonly_fields = fields
