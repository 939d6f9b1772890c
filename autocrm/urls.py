from django.contrib import admin
from django.urls import include, path

from autocrm.api import api

urlpatterns = [
    path("", include("autocrm.core.urls")),
    path("accounts/", include("autocrm.accounts.urls")),
    path("network/", include("autocrm.network.urls")),
    path("customers/", include("autocrm.customers.urls")),
    path("vehicles/", include("autocrm.vehicles.urls")),
    path("activities/", include("autocrm.activities.urls")),
    path("sales/", include("autocrm.sales.urls")),
    path("orders/", include("autocrm.orders.urls")),
    path("imports/", include("autocrm.imports.urls")),
    path("commissions/", include("autocrm.commissions.urls")),
    path("analytics/", include("autocrm.analytics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
