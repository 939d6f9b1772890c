"""Customer pages: the list, create (person or company), edit, and the customer 360 page with
its inline actions (contact points, consents, preferences, relationships, dealer links, the
audited ID number reveal).

Reads start from the user's scope (out of scope is 404); writes go through
``autocrm.customers.services``. The inline actions answer htmx with the re-rendered panel and
plain posts with a redirect to the customer's page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from autocrm.core import errors
from autocrm.core.crud import ScopedCreateView, ScopedEditView, ScopedFormView, ScopedListView
from autocrm.core.pages import add_service_errors, crumb, is_htmx
from autocrm.core.scoping import access_object
from autocrm.customers import selectors, services
from autocrm.customers.choices import ContactKind, CustomerKind
from autocrm.customers.filters import CustomerFilterSet
from autocrm.customers.forms import (
    ConsentForm,
    ContactPointForm,
    CustomerForm,
    DealerLinkForm,
    PreferencesForm,
    RelationshipForm,
    prepare_filter_form,
)
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer, CustomerRelationship
from autocrm.customers.panels import registered_panels, render_panels
from autocrm.customers.permissions import may_edit_customers, may_see_full_id_number


class CustomerList(ScopedListView):
    filterset_class = CustomerFilterSet
    template_name = "customers/customer_list.html"
    table_template = "customers/_customer_table.html"
    # Newest first, by the primary key: keyset pages on its index.
    ordering = ("-id",)
    list_id = "customer-list"
    title = gettext_lazy("Customers")
    create_url_name = "customers:customer_create"
    create_label = gettext_lazy("New person")

    def queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return Customer.objects.visible_to(request.user).select_related("manager")

    def may_edit(self, user: Any) -> bool:
        return may_edit_customers(user)

    def filter_form(self, form: forms.Form, *, user: Any) -> forms.Form:
        return prepare_filter_form(form, user=user)


def _kind(request: HttpRequest, instance: Customer | None) -> str:
    if instance is not None:
        return instance.kind
    requested = request.GET.get("kind") or request.POST.get("kind")
    return CustomerKind.COMPANY if requested == CustomerKind.COMPANY else CustomerKind.INDIVIDUAL


def _service_data(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name in services.EDITABLE_FIELDS}


class CustomerPage(ScopedFormView):
    model = Customer
    form_class = CustomerForm
    form_id = "customer-form"
    list_label = gettext_lazy("Customers")
    list_url_name = "customers:customer_list"
    detail_url_name = "customers:customer_detail"
    pk_url_kwarg = "customer_id"

    def permission(self, user: Any, instance: Any) -> bool:
        return may_edit_customers(user)

    def render_page(self, request: HttpRequest, instance: Any) -> HttpResponse:
        self.kind = _kind(request, instance)
        return super().render_page(request, instance)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user, "kind": self.kind}


class CustomerCreate(CustomerPage, ScopedCreateView):
    saved_message = gettext_lazy("Customer %(record)s was created.")

    def page_title(self, instance: None) -> Any:
        return _("New company") if self.kind == CustomerKind.COMPANY else _("New person")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> Customer:
        contacts = [
            services.ContactInput(kind=kind, value=data[field], field=field)
            for field, kind in (
                ("phone", ContactKind.PHONE),
                ("email", ContactKind.EMAIL),
                ("address", ContactKind.ADDRESS),
            )
            if data.get(field, "").strip()
        ]
        return services.customer_create(
            actor=request.user,
            data={**_service_data(data), "kind": self.kind},
            contact_points=contacts,
            id_number=data.get("id_number", ""),
        )


class CustomerEdit(CustomerPage, ScopedEditView):
    saved_message = gettext_lazy("Customer %(record)s was saved.")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Customer) -> Customer:
        return services.customer_update(
            actor=request.user,
            customer=instance,
            data=_service_data(data),
            id_number=data.get("id_number") or None,
            expected_version=data.get("version"),
        )


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = request.user
    customer = selectors.customer_for_page(user, customer_id)
    survivor = None
    if customer.merged_into_id:
        survivor = Customer.objects.visible_to(user).filter(pk=customer.merged_into_id).first()
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "survivor": survivor,
            "contacts": selectors.primary_phone_and_email(customer),
            "dealer_links": selectors.dealer_links_of(customer),
            "panels": render_panels(request, customer),
            "may_edit": may_edit_customers(user) and customer.is_active,
            "breadcrumbs": [crumb(_("Customers"), "customers:customer_list"), crumb(str(customer))],
        },
    )


# --- inline actions of the 360 page ----------------------------------------------------------


def _panel(request: HttpRequest, customer: Customer, key: str, **forms: Any) -> HttpResponse:
    """The panel ``key`` re-rendered (htmx), or back to the customer's page."""
    if not is_htmx(request):
        return redirect(customer)
    request.customer_panel_forms = forms  # type: ignore[attr-defined]
    panel = next(panel for panel in registered_panels() if panel.key == key)
    context = {"customer": customer, "panel": panel, **panel.context(request, customer)}
    return HttpResponse(render_to_string(panel.template, context, request=request))


def _editable(request: HttpRequest, customer_id: int) -> Customer:
    customer = selectors.customer_for_page(request.user, customer_id)
    if not may_edit_customers(request.user):
        raise PermissionDenied
    return customer


def _run(form: forms.BaseForm, action: Any) -> bool:
    """Run ``action`` for a valid form; service errors land on the form."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except errors.PermissionDenied as error:
        raise PermissionDenied from error
    except errors.StaleRecord as error:
        form.add_error(None, str(error.message))
        return False
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@login_required
@require_POST
def contact_point_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    form = ContactPointForm(request.POST, prefix="contact")

    def add(data: dict[str, Any]) -> None:
        services.contact_point_add(
            actor=request.user,
            customer=customer,
            kind=data["kind"],
            value=data["value"],
            label=data["label"],
            is_primary=data["is_primary"] or None,
        )

    saved = _run(form, add)
    return _panel(request, customer, "contacts", **({} if saved else {"contact_form": form}))


def _contact_point(request: HttpRequest, contact_point_id: int) -> ContactPoint:
    point = access_object(request.user, ContactPoint.objects.all(), pk=contact_point_id)
    if not may_edit_customers(request.user):
        raise PermissionDenied
    return point


@login_required
@require_POST
def contact_point_primary(request: HttpRequest, contact_point_id: int) -> HttpResponse:
    point = _contact_point(request, contact_point_id)
    services.contact_point_update(
        actor=request.user, contact_point=point, data={"is_primary": True}
    )
    return _panel(request, selectors.customer_for_page(request.user, point.customer_id), "contacts")


@login_required
@require_POST
def contact_point_remove(request: HttpRequest, contact_point_id: int) -> HttpResponse:
    point = _contact_point(request, contact_point_id)
    customer = selectors.customer_for_page(request.user, point.customer_id)
    services.contact_point_remove(actor=request.user, contact_point=point)
    return _panel(request, customer, "contacts")


@login_required
@require_POST
def consent_set(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    form = ConsentForm(request.POST, prefix="consent")
    saved = _run(
        form,
        lambda data: services.consent_set(actor=request.user, customer=customer, **data),
    )
    return _panel(request, customer, "contacts", **({} if saved else {"consent_form": form}))


@login_required
@require_POST
def preferences_set(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    form = PreferencesForm(request.POST, instance=Customer(), prefix="preferences")

    def save(data: dict[str, Any]) -> None:
        services.preferences_set(
            actor=request.user,
            customer=customer,
            preferred_channel=data["preferred_channel"],
            preferred_time=data["preferred_time"],
            max_contacts_per_month=data["max_contacts_per_month"],
            expected_version=data["version"],
        )

    saved = _run(form, save)
    customer = selectors.customer_for_page(request.user, customer_id)
    return _panel(request, customer, "contacts", **({} if saved else {"preferences_form": form}))


@login_required
@require_POST
def relationship_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    form = RelationshipForm(request.POST, user=request.user, prefix="relationship")

    def add(data: dict[str, Any]) -> None:
        services.relationship_add(
            actor=request.user,
            customer=customer,
            other=data["other_number"],
            kind=data["kind"],
            role=data["role"],
            department=data["department"],
        )

    saved = _run(form, add)
    return _panel(
        request, customer, "relationships", **({} if saved else {"relationship_form": form})
    )


@login_required
@require_POST
def relationship_remove(request: HttpRequest, relationship_id: int) -> HttpResponse:
    relationship = access_object(
        request.user, CustomerRelationship.objects.all(), pk=relationship_id
    )
    customer = _editable(request, relationship.customer_id)
    services.relationship_remove(actor=request.user, relationship=relationship)
    return _panel(request, customer, "relationships")


@login_required
@require_http_methods(["GET", "POST"])
def dealer_link_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    """GET opens the form in the panel (its dealer list is only built when asked for: a
    national network has thousands); POST links the dealer."""
    customer = _editable(request, customer_id)
    if request.method == "GET":
        return _panel(
            request,
            customer,
            "dealers",
            dealer_form=DealerLinkForm(user=request.user, prefix="dealer"),
        )
    form = DealerLinkForm(request.POST, user=request.user, prefix="dealer")
    saved = _run(
        form,
        lambda data: services.dealer_link_add(actor=request.user, customer=customer, **data),
    )
    return _panel(request, customer, "dealers", **({} if saved else {"dealer_form": form}))


@login_required
@require_POST
def dealer_link_remove(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access_object(request.user, CustomerDealer.objects.all(), pk=link_id)
    customer = _editable(request, link.customer_id)
    try:
        services.dealer_link_remove(actor=request.user, link=link)
    except errors.PermissionDenied as error:
        raise PermissionDenied from error
    if not Customer.objects.visible_to(request.user).filter(pk=customer.pk).exists():
        # The user unlinked their own dealer: the customer is now out of their sight.
        return redirect(reverse("customers:customer_list"))
    return _panel(request, customer, "dealers")


@login_required
@require_POST
def id_number_reveal(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_for_page(request.user, customer_id)
    if not may_see_full_id_number(request.user):
        raise PermissionDenied
    number = services.id_number_reveal(actor=request.user, customer=customer)
    return render(request, "customers/_id_number.html", {"customer": customer, "full": number})
