from django.urls import path

from autocrm.network import views

app_name = "network"
urlpatterns = [
    path("dealers/", views.dealer_list, name="dealer_list"),
    path("dealers/<int:dealer_id>/", views.dealer_detail, name="dealer_detail"),
    path("regions/<int:region_id>/", views.region_detail, name="region_detail"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("departments/<int:department_id>/", views.department_detail, name="department_detail"),
]
