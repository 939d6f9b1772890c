from django.urls import path

from autocrm.sales import views, views_opportunities

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

urlpatterns += [
    path("leads/<int:lead_id>/convert/", views_opportunities.lead_convert, name="lead_convert"),
    path("opportunities/", views_opportunities.OpportunityList.as_view(), name="opportunity_list"),
    path(
        "opportunities/new/",
        views_opportunities.OpportunityCreate.as_view(),
        name="opportunity_create",
    ),
    path(
        "opportunities/<int:opportunity_id>/",
        views_opportunities.opportunity_detail,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<int:opportunity_id>/edit/",
        views_opportunities.OpportunityEdit.as_view(),
        name="opportunity_edit",
    ),
    path(
        "opportunities/<int:opportunity_id>/stage/",
        views_opportunities.opportunity_stage,
        name="opportunity_stage",
    ),
    path(
        "opportunities/<int:opportunity_id>/quotes/new/",
        views_opportunities.quote_create,
        name="quote_create",
    ),
    path("pipeline/", views_opportunities.pipeline_page, name="pipeline"),
    path("pipeline/more/", views_opportunities.pipeline_more, name="pipeline_more"),
    path("forecast/", views_opportunities.forecast_page, name="forecast"),
    path("quotes/<int:quote_id>/", views_opportunities.quote_detail, name="quote_detail"),
    path("quotes/<int:quote_id>/revise/", views_opportunities.quote_revise, name="quote_revise"),
    path("quotes/<int:quote_id>/pdf/", views_opportunities.quote_download, name="quote_pdf"),
    path(
        "quotes/<int:quote_id>/<str:action>/",
        views_opportunities.quote_action,
        name="quote_action",
    ),
]
