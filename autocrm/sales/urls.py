from django.urls import path

from autocrm.sales import views

app_name = "sales"
urlpatterns = [
    path("leads/", views.LeadList.as_view(), name="lead_list"),
    path("leads/new/", views.LeadCreate.as_view(), name="lead_create"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", views.LeadEdit.as_view(), name="lead_edit"),
    path("leads/<int:lead_id>/reassign/", views.LeadReassign.as_view(), name="lead_reassign"),
    path("leads/<int:lead_id>/status/", views.lead_status_step, name="lead_status"),
    path("leads/<int:lead_id>/loss/", views.lead_loss_request, name="lead_loss_request"),
    path(
        "leads/<int:lead_id>/loss/<int:request_id>/",
        views.lead_loss_decide,
        name="lead_loss_decide",
    ),
    path("routing/", views.routing_page, name="routing"),
]
