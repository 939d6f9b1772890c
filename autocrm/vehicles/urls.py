from django.urls import path

from autocrm.vehicles import views

app_name = "vehicles"
urlpatterns = [
    path("", views.VehicleList.as_view(), name="vehicle_list"),
    path("new/", views.VehicleCreate.as_view(), name="vehicle_create"),
    path("<int:vehicle_id>/", views.vehicle_detail, name="vehicle_detail"),
    path("<int:vehicle_id>/edit/", views.VehicleEdit.as_view(), name="vehicle_edit"),
    path(
        "<int:vehicle_id>/ownerships/new/",
        views.OwnershipCreate.as_view(),
        name="ownership_create",
    ),
    path("<int:vehicle_id>/transfer/", views.OwnershipTransfer.as_view(), name="vehicle_transfer"),
    path(
        "<int:vehicle_id>/odometer-readings/new/",
        views.OdometerCreate.as_view(),
        name="odometer_create",
    ),
    path("models/", views.VehicleModelList.as_view(), name="model_list"),
    path("models/new/", views.VehicleModelCreate.as_view(), name="model_create"),
    path("models/<int:model_id>/", views.model_detail, name="model_detail"),
    path("models/<int:model_id>/edit/", views.VehicleModelEdit.as_view(), name="model_edit"),
]
