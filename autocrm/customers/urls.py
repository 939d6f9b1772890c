from django.urls import path

from autocrm.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerList.as_view(), name="customer_list"),
    path("new/", views.CustomerCreate.as_view(), name="customer_create"),
    path("<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("<int:customer_id>/edit/", views.CustomerEdit.as_view(), name="customer_edit"),
    path("<int:customer_id>/id-number/", views.id_number_reveal, name="id_number_reveal"),
    path("<int:customer_id>/contact-points/", views.contact_point_add, name="contact_point_add"),
    path(
        "contact-points/<int:contact_point_id>/primary/",
        views.contact_point_primary,
        name="contact_point_primary",
    ),
    path(
        "contact-points/<int:contact_point_id>/remove/",
        views.contact_point_remove,
        name="contact_point_remove",
    ),
    path("<int:customer_id>/consents/", views.consent_set, name="consent_set"),
    path("<int:customer_id>/preferences/", views.preferences_set, name="preferences_set"),
    path("<int:customer_id>/relationships/", views.relationship_add, name="relationship_add"),
    path(
        "relationships/<int:relationship_id>/remove/",
        views.relationship_remove,
        name="relationship_remove",
    ),
    path("<int:customer_id>/dealers/", views.dealer_link_add, name="dealer_link_add"),
    path("dealer-links/<int:link_id>/remove/", views.dealer_link_remove, name="dealer_link_remove"),
]
