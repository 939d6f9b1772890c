from django.urls import path

from autocrm.commissions import views

app_name = "commissions"
urlpatterns = [
    path("", views.statement, name="statement"),
    path("salespeople/<int:salesperson_id>/", views.statement_lines, name="statement_lines"),
    path("export.csv", views.statement_export, name="statement_export"),
    path("close/", views.month_close, name="month_close"),
    path("reopen/", views.month_reopen, name="month_reopen"),
    path("plans/", views.PlanList.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreate.as_view(), name="plan_create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/edit/", views.PlanEdit.as_view(), name="plan_edit"),
    path("plans/<int:plan_id>/rates/", views.rate_add, name="rate_add"),
    path("plans/<int:plan_id>/rates/<int:rate_id>/remove/", views.rate_remove, name="rate_remove"),
    path("plans/<int:plan_id>/tiers/", views.tier_add, name="tier_add"),
    path("plans/<int:plan_id>/tiers/<int:tier_id>/remove/", views.tier_remove, name="tier_remove"),
]
