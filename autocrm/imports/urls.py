from django.urls import path

from autocrm.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("new/", views.import_upload, name="import_upload"),
    path("<int:run_id>/", views.import_detail, name="import_detail"),
    path("<int:run_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("<int:run_id>/errors/", views.import_errors, name="import_errors"),
    path("reviews/", views.review_list, name="review_list"),
    path("merge/", views.customer_merge, name="customer_merge"),
]
