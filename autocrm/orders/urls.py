from django.urls import path

from autocrm.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.OrderList.as_view(), name="order_list"),
    path("new/", views.OrderCreate.as_view(), name="order_create"),
    path("allocation/", views.AllocationList.as_view(), name="allocation"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("<int:order_id>/confirm/", views.order_confirm, name="order_confirm"),
    path("<int:order_id>/allocate/", views.item_allocate, name="item_allocate"),
    path("<int:order_id>/items/<int:item_id>/deliver/", views.item_deliver, name="item_deliver"),
]
