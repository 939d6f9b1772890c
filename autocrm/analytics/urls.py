from django.urls import path

from autocrm.analytics import views

app_name = "analytics"
urlpatterns = [
    path("funnel/", views.funnel_page, name="funnel"),
    path("funnel/export.csv", views.funnel_csv, name="funnel_csv"),
]
