from django.urls import path

from autocrm.network import exports, views

app_name = "network"
urlpatterns = [
    path("dealers/", views.DealerList.as_view(), name="dealer_list"),
    path("dealers/new/", views.DealerCreate.as_view(), name="dealer_create"),
    path("dealers/export/", exports.dealer_export_view, name="dealer_export"),
    path("dealers/<int:dealer_id>/", views.dealer_detail, name="dealer_detail"),
    path("dealers/<int:dealer_id>/edit/", views.DealerEdit.as_view(), name="dealer_edit"),
    path("service-stations/", views.ServiceStationList.as_view(), name="service_station_list"),
    path("regions/", views.RegionList.as_view(), name="region_list"),
    path("regions/new/", views.RegionCreate.as_view(), name="region_create"),
    path("regions/<int:region_id>/", views.region_detail, name="region_detail"),
    path("regions/<int:region_id>/edit/", views.RegionEdit.as_view(), name="region_edit"),
    path("groups/", views.GroupList.as_view(), name="group_list"),
    path("groups/new/", views.GroupCreate.as_view(), name="group_create"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/edit/", views.GroupEdit.as_view(), name="group_edit"),
    path("departments/", views.DepartmentList.as_view(), name="department_list"),
    path("departments/new/", views.DepartmentCreate.as_view(), name="department_create"),
    path("departments/<int:department_id>/", views.department_detail, name="department_detail"),
    path(
        "departments/<int:department_id>/edit/",
        views.DepartmentEdit.as_view(),
        name="department_edit",
    ),
]
