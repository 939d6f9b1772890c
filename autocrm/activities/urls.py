from django.urls import path

from autocrm.activities import views

app_name = "activities"
urlpatterns = [
    path("interactions/", views.InteractionList.as_view(), name="interaction_list"),
    path(
        "customers/<int:customer_id>/timeline/",
        views.customer_timeline_view,
        name="customer_timeline",
    ),
    path(
        "interactions/<int:interaction_id>/edit/",
        views.InteractionEdit.as_view(),
        name="interaction_edit",
    ),
    path(
        "customers/<int:customer_id>/log/",
        views.interaction_quick_log,
        name="interaction_quick_log",
    ),
]
