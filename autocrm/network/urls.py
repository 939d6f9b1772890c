from django.urls import path

from autocrm.network import exports, views

app_name = "network"
urlpatterns = [
    path("dealers/", views.dealer_list, name="dealer_list"),
    path("dealers/new/", views.dealer_create, name="dealer_create"),
    path("dealers/export/", exports.dealer_export_view, name="dealer_export"),
    path("dealers/<int:dealer_id>/", views.dealer_detail, name="dealer_detail"),
    path("dealers/<int:dealer_id>/edit/", views.dealer_edit, name="dealer_edit"),
    path("service-stations/", views.service_station_list, name="service_station_list"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/new/", views.region_create, name="region_create"),
    path("regions/<int:region_id>/", views.region_detail, name="region_detail"),
    path("regions/<int:region_id>/edit/", views.region_edit, name="region_edit"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/edit/", views.group_edit, name="group_edit"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:department_id>/", views.department_detail, name="department_detail"),
    path("departments/<int:department_id>/edit/", views.department_edit, name="department_edit"),
]
