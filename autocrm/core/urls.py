from django.urls import path

from autocrm.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/retry/", views.job_retry_view, name="job_retry"),
    path("jobs/<int:job_id>/result/", views.job_result, name="job_result"),
]
