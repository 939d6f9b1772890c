from django.urls import path

from autocrm.activities import calendar_views, task_views, views
from autocrm.activities.reminders import views as reminder_views

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
    path("my-day/", task_views.my_day_view, name="my_day"),
    path("tasks/new/", task_views.task_create_view, name="task_create"),
    path("tasks/<int:task_id>/complete/", task_views.task_complete_view, name="task_complete"),
    path("reminders/", reminder_views.reminder_rule_list_view, name="reminder_rule_list"),
    path("reminders/run/", reminder_views.reminder_run_view, name="reminder_run"),
    path("reminders/<str:key>/", reminder_views.reminder_rule_edit_view, name="reminder_rule_edit"),
    path("calendar/", calendar_views.calendar_view, name="calendar"),
    path("calendar/book/", calendar_views.appointment_book_view, name="appointment_book"),
    path(
        "calendar/<int:appointment_id>/edit/",
        calendar_views.appointment_edit_view,
        name="appointment_edit",
    ),
    path(
        "calendar/<int:appointment_id>/cancel/",
        calendar_views.appointment_cancel_view,
        name="appointment_cancel",
    ),
    path("calendar/feed/", calendar_views.feed_token_view, name="calendar_feed_token"),
    path("calendar/<str:token>.ics", calendar_views.calendar_feed_view, name="calendar_feed"),
]
