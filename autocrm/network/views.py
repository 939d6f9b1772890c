"""Network pages: list, view, create and edit regions, dealer groups, dealers (and the service
stations among them) and HQ departments.

Views are thin: every read starts from ``visible_to`` (out of scope is "not found"), every write
goes through ``autocrm.network.services``. Lists and forms are the generic scoped pages of
``autocrm.core.crud``: lists page by keyset and, for htmx requests, answer with the table alone.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrm.accounts.models import User
from autocrm.core.crud import ScopedCreateView, ScopedEditView, ScopedFormView, ScopedListView
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb
from autocrm.core.scoping import access_object, visible_to
from autocrm.network import services
from autocrm.network.filters import DealerFilterSet, DealerGroupFilterSet, RegionFilterSet
from autocrm.network.forms import (
    DealerForm,
    DealerGroupForm,
    HQDepartmentForm,
    RegionForm,
    prepare_filter_form,
)
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region

# Related records shown on a detail page before pointing to the filtered list.
RELATED_LIMIT = 50


def _may_manage_network(user: Any) -> bool:
    return bool(getattr(user, "may_manage_network", False))


class NetworkList(ScopedListView):
    # Codes are unique, so they order the keyset pages of every network list.
    ordering = ("code",)
    list_id = "network-list"

    def may_edit(self, user: Any) -> bool:
        return _may_manage_network(user)

    def filter_form(self, form: forms.Form, *, user: Any) -> forms.Form:
        return prepare_filter_form(form, user=user)


class NetworkForm(ScopedFormView):
    """The network's forms: named alike, for network managers only."""

    form_id = "network-form"

    def permission(self, user: Any, instance: Any) -> bool:
        return _may_manage_network(user)


# --- dealers and service stations ----------------------------------------------------------


def _dealer_rows(user: Any) -> QuerySet[Dealer]:
    return Dealer.objects.visible_to(user).select_related("region", "group")


def _without_version(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name != "version"}


class DealerList(NetworkList):
    filterset_class = DealerFilterSet
    template_name = "network/dealer_list.html"
    table_template = "network/_dealer_table.html"
    title = gettext_lazy("Dealers")
    create_url_name = "network:dealer_create"
    create_label = gettext_lazy("New dealer")

    def queryset(self, request: HttpRequest) -> QuerySet[Dealer]:
        return _dealer_rows(request.user)

    def context(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().context(request), "export_filters": self.export_filters(request)}

    def export_filters(self, request: HttpRequest) -> str:
        return request.GET.urlencode()


class ServiceStationList(DealerList):
    """The dealer list with the service capability filter fixed on."""

    without_filters = ("service_station",)
    title = gettext_lazy("Service stations")

    def queryset(self, request: HttpRequest) -> QuerySet[Dealer]:
        return super().queryset(request).filter(services_vehicles=True)

    def export_filters(self, request: HttpRequest) -> str:
        export_filters = request.GET.copy()
        export_filters["service_station"] = "true"
        return export_filters.urlencode()


@login_required
def dealer_detail(request: HttpRequest, dealer_id: int) -> HttpResponse:
    user = request.user
    dealer = access_object(user, Dealer.objects.select_related("region", "group"), pk=dealer_id)
    region_chain = Region.objects.visible_to(user).filter(pk__in=dealer.region.ancestor_ids)
    # The staff of a dealer the user may see (the dealer itself was access-checked above).
    staff = visible_to(
        request.user, User.objects.filter(dealer=dealer, is_active=True).order_by("username")
    )
    return render(
        request,
        "network/dealer_detail.html",
        {
            "dealer": dealer,
            "region_chain": list(region_chain.order_by("path")),
            "staff": list(staff[:RELATED_LIMIT]),
            "history": history_rows(dealer, user),
            "may_manage_network": _may_manage_network(user),
            "breadcrumbs": [crumb(_("Dealers"), "network:dealer_list"), crumb(str(dealer))],
        },
    )


class DealerPage(NetworkForm):
    model = Dealer
    form_class = DealerForm
    list_label = gettext_lazy("Dealers")
    list_url_name = "network:dealer_list"
    detail_url_name = "network:dealer_detail"
    pk_url_kwarg = "dealer_id"

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}


class DealerCreate(DealerPage, ScopedCreateView):
    title = gettext_lazy("New dealer")
    saved_message = gettext_lazy("Dealer %(record)s was created.")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> Dealer:
        return services.dealer_create(actor=request.user, data=_without_version(data))


class DealerEdit(DealerPage, ScopedEditView):
    saved_message = gettext_lazy("Dealer %(record)s was saved.")

    def queryset(self, request: HttpRequest) -> QuerySet[Dealer]:
        return Dealer.objects.select_related("region")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Dealer) -> Dealer:
        return services.dealer_update(
            actor=request.user,
            dealer=instance,
            data=_without_version(data),
            expected_version=data.get("version"),
        )


# --- regions -------------------------------------------------------------------------------


class RegionList(NetworkList):
    filterset_class = RegionFilterSet
    table_template = "network/_region_table.html"
    title = gettext_lazy("Regions")
    create_url_name = "network:region_create"
    create_label = gettext_lazy("New region")

    def queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return Region.objects.visible_to(request.user).select_related("parent")


@login_required
def region_detail(request: HttpRequest, region_id: int) -> HttpResponse:
    user = request.user
    region = access_object(user, Region.objects.all(), pk=region_id)
    visible_regions = Region.objects.visible_to(user)
    ancestors = visible_regions.filter(pk__in=region.ancestor_ids).exclude(pk=region.pk)
    children = visible_regions.filter(parent=region).order_by("code")
    dealers = (
        Dealer.objects.visible_to(user)
        .filter(region__path__startswith=region.path)
        .select_related("region")
        .order_by("code")
    )
    return render(
        request,
        "network/region_detail.html",
        {
            "region": region,
            "ancestors": list(ancestors.order_by("path")),
            "children": list(children[:RELATED_LIMIT]),
            "dealers": list(dealers[: RELATED_LIMIT + 1]),
            "related_limit": RELATED_LIMIT,
            "more_query": urlencode({"region": region.pk}),
            "history": history_rows(region, user),
            "may_manage_network": _may_manage_network(user),
            "breadcrumbs": [crumb(_("Regions"), "network:region_list"), crumb(str(region))],
        },
    )


class RegionPage(NetworkForm):
    model = Region
    form_class = RegionForm
    list_label = gettext_lazy("Regions")
    list_url_name = "network:region_list"
    detail_url_name = "network:region_detail"
    pk_url_kwarg = "region_id"

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}


class RegionCreate(RegionPage, ScopedCreateView):
    title = gettext_lazy("New region")
    saved_message = gettext_lazy("Region %(record)s was created.")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> Region:
        return services.region_create(actor=request.user, data=data)


class RegionEdit(RegionPage, ScopedEditView):
    saved_message = gettext_lazy("Region %(record)s was saved.")

    def queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return Region.objects.select_related("parent")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Region) -> Region:
        return services.region_update(actor=request.user, region=instance, data=data)


# --- dealer groups -------------------------------------------------------------------------


class GroupList(NetworkList):
    filterset_class = DealerGroupFilterSet
    table_template = "network/_group_table.html"
    title = gettext_lazy("Dealer groups")
    create_url_name = "network:group_create"
    create_label = gettext_lazy("New dealer group")

    def queryset(self, request: HttpRequest) -> QuerySet[DealerGroup]:
        user = request.user
        # Count only the dealers the user may see, so the number matches the group's page.
        visible_dealers = Dealer.objects.visible_to(user).values("pk")
        return DealerGroup.objects.visible_to(user).annotate(
            dealer_count=Count("dealers", filter=Q(dealers__in=visible_dealers))
        )


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    user = request.user
    group = access_object(user, DealerGroup.objects.all(), pk=group_id)
    dealers = (
        Dealer.objects.visible_to(user)
        .filter(group=group)
        .select_related("region")
        .order_by("code")
    )
    return render(
        request,
        "network/group_detail.html",
        {
            "group": group,
            "dealers": list(dealers[: RELATED_LIMIT + 1]),
            "related_limit": RELATED_LIMIT,
            "more_query": urlencode({"group": group.pk}),
            "history": history_rows(group, user),
            "may_manage_network": _may_manage_network(user),
            "breadcrumbs": [crumb(_("Dealer groups"), "network:group_list"), crumb(str(group))],
        },
    )


class GroupPage(NetworkForm):
    model = DealerGroup
    form_class = DealerGroupForm
    list_label = gettext_lazy("Dealer groups")
    list_url_name = "network:group_list"
    detail_url_name = "network:group_detail"
    pk_url_kwarg = "group_id"


class GroupCreate(GroupPage, ScopedCreateView):
    title = gettext_lazy("New dealer group")
    saved_message = gettext_lazy("Dealer group %(record)s was created.")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> DealerGroup:
        return services.dealer_group_create(actor=request.user, data=data)


class GroupEdit(GroupPage, ScopedEditView):
    saved_message = gettext_lazy("Dealer group %(record)s was saved.")

    def save(
        self, request: HttpRequest, data: dict[str, Any], instance: DealerGroup
    ) -> DealerGroup:
        return services.dealer_group_update(actor=request.user, group=instance, data=data)


# --- HQ departments ------------------------------------------------------------------------


class DepartmentList(NetworkList):
    model = HQDepartment
    table_template = "network/_department_table.html"
    title = gettext_lazy("HQ departments")
    create_url_name = "network:department_create"
    create_label = gettext_lazy("New HQ department")


@login_required
def department_detail(request: HttpRequest, department_id: int) -> HttpResponse:
    user = request.user
    department = access_object(user, HQDepartment.objects.all(), pk=department_id)
    # The department's staff, for a user who may see the department (checked above).
    staff = visible_to(
        request.user,
        User.objects.filter(hq_department=department, is_active=True).order_by("username"),
    )
    return render(
        request,
        "network/department_detail.html",
        {
            "department": department,
            "staff": list(staff[:RELATED_LIMIT]),
            "history": history_rows(department, user),
            "may_manage_network": _may_manage_network(user),
            "breadcrumbs": [
                crumb(_("HQ departments"), "network:department_list"),
                crumb(str(department)),
            ],
        },
    )


class DepartmentPage(NetworkForm):
    model = HQDepartment
    form_class = HQDepartmentForm
    list_label = gettext_lazy("HQ departments")
    list_url_name = "network:department_list"
    detail_url_name = "network:department_detail"
    pk_url_kwarg = "department_id"


class DepartmentCreate(DepartmentPage, ScopedCreateView):
    title = gettext_lazy("New HQ department")
    saved_message = gettext_lazy("HQ department %(record)s was created.")

    def save(self, request: HttpRequest, data: dict[str, Any], instance: None) -> HQDepartment:
        return services.department_create(actor=request.user, data=data)


class DepartmentEdit(DepartmentPage, ScopedEditView):
    saved_message = gettext_lazy("HQ department %(record)s was saved.")

    def save(
        self, request: HttpRequest, data: dict[str, Any], instance: HQDepartment
    ) -> HQDepartment:
        return services.department_update(actor=request.user, department=instance, data=data)
