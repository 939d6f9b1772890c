"""Vehicle pages: the vehicle list and page, create/edit, ownership and transfer, mileage, and
the model catalogue.

Views are thin: reads start from ``visible_to`` (out of scope is "not found"), writes go through
``autocrm.vehicles.services``. Lists and forms are the generic scoped pages of
``autocrm.core.crud``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.core.crud import ScopedCreateView, ScopedEditView, ScopedFormView, ScopedListView
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb
from autocrm.core.scoping import access_object
from autocrm.customers.models import Customer
from autocrm.vehicles import permissions, services
from autocrm.vehicles.filters import VehicleFilterSet, VehicleModelFilterSet
from autocrm.vehicles.forms import (
    OdometerReadingForm,
    OwnershipForm,
    TransferForm,
    VehicleForm,
    VehicleModelForm,
    prepare_filter_form,
)
from autocrm.vehicles.models import Vehicle, VehicleModel

# Rows of each related list on the vehicle page (a car's history stays well below this).
RELATED_LIMIT = 50


# --- vehicles --------------------------------------------------------------------------------


class VehicleList(ScopedListView):
    model = Vehicle
    filterset_class = VehicleFilterSet
    table_template = "vehicles/_vehicle_table.html"
    # VINs are unique and indexed: they order the keyset pages.
    ordering = ("vin",)
    list_id = "vehicle-list"
    title = gettext_lazy("Vehicles")
    create_url_name = "vehicles:vehicle_create"
    create_label = gettext_lazy("New vehicle")

    def queryset(self, request: HttpRequest) -> QuerySet[Vehicle]:
        return Vehicle.objects.visible_to(request.user).select_related("model", "dealer")

    def may_edit(self, user: Any) -> bool:
        return permissions.may_edit_vehicles(user)

    def filter_form(self, form: forms.Form, *, user: Any) -> forms.Form:
        return prepare_filter_form(form, user=user)


def _ownership_rows(user: Any, vehicle: Vehicle) -> list[dict[str, Any]]:
    """The vehicle's ownerships; customers the user may not see are shown by number only."""
    ownerships = list(
        vehicle.ownerships.select_related("customer", "selling_dealer").order_by(
            "-started_on", "-id"
        )[:RELATED_LIMIT]
    )
    visible = set(
        Customer.objects.visible_to(user)
        .filter(pk__in={o.customer_id for o in ownerships})
        .values_list("pk", flat=True)
    )
    return [{"ownership": o, "customer_visible": o.customer_id in visible} for o in ownerships]


@login_required
def vehicle_detail(request: HttpRequest, vehicle_id: int) -> HttpResponse:
    user = request.user
    vehicle = access_object(user, Vehicle.objects.select_related("model", "dealer"), pk=vehicle_id)
    readings = vehicle.odometer_readings.select_related("recorded_by").order_by("-read_on", "-id")
    events = vehicle.events.select_related("dealer").order_by("-occurred_at", "-id")
    may_record_mileage = permissions.may_record_mileage(user)
    odometer_form = OdometerReadingForm(user=user, instance=vehicle) if may_record_mileage else None
    return render(
        request,
        "vehicles/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "ownerships": _ownership_rows(user, vehicle),
            "readings": list(readings[:RELATED_LIMIT]),
            "events": list(events[:RELATED_LIMIT]),
            "history": history_rows(vehicle, user),
            "may_edit": permissions.may_edit_vehicles(user),
            "may_record_ownership": permissions.may_record_ownership(user),
            "odometer_form": odometer_form,
            "breadcrumbs": [crumb(_("Vehicles"), "vehicles:vehicle_list"), crumb(vehicle.vin)],
        },
    )


class VehiclePage(ScopedFormView):
    model = Vehicle
    list_label = gettext_lazy("Vehicles")
    list_url_name = "vehicles:vehicle_list"
    detail_url_name = "vehicles:vehicle_detail"
    pk_url_kwarg = "vehicle_id"
    form_id = "vehicle-form"


class VehicleCreate(VehiclePage, ScopedCreateView):
    """A new vehicle; from a customer's page (``?customer=<id>``) it starts their ownership."""

    form_class = VehicleForm
    title = gettext_lazy("New vehicle")
    saved_message = gettext_lazy("Vehicle %(record)s was created.")

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_edit_vehicles(user)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        owner = None
        customer_id = request.GET.get("customer")
        if customer_id:
            owner = access_object(request.user, Customer.objects.all(), pk=customer_id)
        return {"user": request.user, "owner": owner}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> Vehicle:
        fields = {k: v for k, v in data.items() if k not in {"version", "owner"}}
        return services.vehicle_create(actor=request.user, data=fields, owner=data.get("owner"))


class VehicleEdit(VehiclePage, ScopedEditView):
    form_class = VehicleForm
    saved_message = gettext_lazy("Vehicle %(record)s was saved.")

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_edit_vehicles(user)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Vehicle) -> Vehicle:
        fields = {k: v for k, v in data.items() if k not in {"version", "owner"}}
        return services.vehicle_update(
            actor=request.user,
            vehicle=instance,
            data=fields,
            expected_version=data.get("version"),
        )


class VehicleAction(VehiclePage, ScopedEditView):
    """A form about one vehicle (owner, transfer, mileage) that saves through a service and
    returns to the vehicle's page."""

    title_text: Any

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}

    def page_title(self, instance: Any) -> Any:
        return self.title_text % {"record": instance}


class OwnershipCreate(VehicleAction):
    form_class = OwnershipForm
    title_text = gettext_lazy("Record an owner or driver of %(record)s")
    saved_message = gettext_lazy("The ownership of %(record)s was recorded.")

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_record_ownership(user)

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Vehicle) -> Vehicle:
        services.ownership_start(actor=request.user, vehicle=instance, **data)
        return instance


class OwnershipTransfer(VehicleAction):
    form_class = TransferForm
    form_id = "transfer-form"
    title_text = gettext_lazy("Transfer %(record)s to a new owner")
    saved_message = gettext_lazy("%(record)s was transferred.")

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_record_ownership(user)

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Vehicle) -> Vehicle:
        services.ownership_transfer(
            actor=request.user,
            vehicle=instance,
            new_customer=data["customer"],
            on_date=data["on_date"],
            selling_dealer=data.get("selling_dealer"),
            price=data.get("price"),
        )
        return instance


class OdometerCreate(VehicleAction):
    form_class = OdometerReadingForm
    form_id = "odometer-form"
    title_text = gettext_lazy("Add a mileage reading to %(record)s")
    saved_message = gettext_lazy("The mileage reading of %(record)s was recorded.")

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_record_mileage(user)

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Vehicle) -> Vehicle:
        services.odometer_record(actor=request.user, vehicle=instance, **data)
        return instance


# --- catalogue -------------------------------------------------------------------------------


class VehicleModelList(ScopedListView):
    model = VehicleModel
    filterset_class = VehicleModelFilterSet
    table_template = "vehicles/_model_table.html"
    ordering = ("code",)
    list_id = "model-list"
    title = gettext_lazy("Vehicle models")
    create_url_name = "vehicles:model_create"
    create_label = gettext_lazy("New vehicle model")

    def may_edit(self, user: Any) -> bool:
        return permissions.may_edit_vehicles(user)


@login_required
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    user = request.user
    vehicle_model = access_object(user, VehicleModel.objects.all(), pk=model_id)
    return render(
        request,
        "vehicles/model_detail.html",
        {
            "vehicle_model": vehicle_model,
            "vehicles_url": f"{reverse('vehicles:vehicle_list')}?model_id={vehicle_model.pk}",
            "history": history_rows(vehicle_model, user),
            "may_edit": permissions.may_edit_vehicles(user),
            "breadcrumbs": [
                crumb(_("Vehicle models"), "vehicles:model_list"),
                crumb(str(vehicle_model)),
            ],
        },
    )


class VehicleModelPage(ScopedFormView):
    model = VehicleModel
    form_class = VehicleModelForm
    form_id = "model-form"
    list_label = gettext_lazy("Vehicle models")
    list_url_name = "vehicles:model_list"
    detail_url_name = "vehicles:model_detail"
    pk_url_kwarg = "model_id"

    def permission(self, user: Any, instance: Any) -> bool:
        return permissions.may_edit_vehicles(user)


class VehicleModelCreate(VehicleModelPage, ScopedCreateView):
    title = gettext_lazy("New vehicle model")
    saved_message = gettext_lazy("Vehicle model %(record)s was created.")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> VehicleModel:
        return services.vehicle_model_create(actor=request.user, data=data)


class VehicleModelEdit(VehicleModelPage, ScopedEditView):
    saved_message = gettext_lazy("Vehicle model %(record)s was saved.")

    def save(
        self, request: HttpRequest, data: dict[str, Any], instance: VehicleModel
    ) -> VehicleModel:
        return services.vehicle_model_update(actor=request.user, vehicle_model=instance, data=data)
