"""Network pages: list, view, create and edit regions, dealer groups, dealers (and the service
stations among them) and HQ departments.

Views are thin: every read starts from ``visible_to`` (out of scope is "not found"), every write
goes through ``autocrm.network.services``. Lists and forms use the shared page machinery of
``autocrm.core.pages``: lists page by keyset and, for htmx requests, answer with the table alone.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from autocrm.accounts.models import User
from autocrm.core.history import history_rows
from autocrm.core.pages import crumb, render_form, render_list
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

# Codes are unique, so they order the keyset pages of every network list.
LIST_ORDERING = ("code",)
# The element of the list pages holding the table, and the name of the network's forms.
LIST_ID = "network-list"
FORM_ID = "network-form"


# --- helpers -------------------------------------------------------------------------------


def _require_network_manager(user: Any) -> None:
    if not _may_manage_network(user):
        raise PermissionDenied


def _may_manage_network(user: Any) -> bool:
    return bool(getattr(user, "may_manage_network", False))


def _render_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """``render_list`` with the network's ordering, filter bar and list element."""
    return render_list(
        request,
        ordering=LIST_ORDERING,
        prepare_filter_form=prepare_filter_form,
        list_id=LIST_ID,
        may_edit=_may_manage_network(request.user),
        **kwargs,
    )


def _render_form(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """``render_form`` with the network's form name."""
    return render_form(request, form_id=FORM_ID, **kwargs)


# --- dealers and service stations ----------------------------------------------------------


def _dealer_rows(user: Any) -> QuerySet[Dealer]:
    return Dealer.objects.visible_to(user).select_related("region", "group")


@login_required
def dealer_list(request: HttpRequest) -> HttpResponse:
    return _render_list(
        request,
        queryset=_dealer_rows(request.user),
        filterset_class=DealerFilterSet,
        template="network/dealer_list.html",
        table_template="network/_dealer_table.html",
        context={
            "title": _("Dealers"),
            "breadcrumbs": [crumb(_("Dealers"))],
            "create_url": reverse("network:dealer_create"),
            "create_label": _("New dealer"),
            "export_filters": request.GET.urlencode(),
        },
    )


@login_required
def service_station_list(request: HttpRequest) -> HttpResponse:
    """The dealer list with the service capability filter fixed on."""
    export_filters = request.GET.copy()
    export_filters["service_station"] = "true"
    return _render_list(
        request,
        queryset=_dealer_rows(request.user).filter(services_vehicles=True),
        filterset_class=DealerFilterSet,
        without_filters=("service_station",),
        template="network/dealer_list.html",
        table_template="network/_dealer_table.html",
        context={
            "title": _("Service stations"),
            "breadcrumbs": [crumb(_("Service stations"))],
            "create_url": reverse("network:dealer_create"),
            "create_label": _("New dealer"),
            "export_filters": export_filters.urlencode(),
        },
    )


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


@login_required
def dealer_create(request: HttpRequest) -> HttpResponse:
    _require_network_manager(request.user)
    form = DealerForm(request.POST or None, user=request.user)
    return _render_form(
        request,
        form=form,
        save=lambda data: services.dealer_create(actor=request.user, data=_without_version(data)),
        saved_message=_("Dealer %(record)s was created."),
        context={
            "title": _("New dealer"),
            "cancel_url": reverse("network:dealer_list"),
            "breadcrumbs": [crumb(_("Dealers"), "network:dealer_list"), crumb(_("New"))],
        },
    )


def _without_version(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name != "version"}


@login_required
def dealer_edit(request: HttpRequest, dealer_id: int) -> HttpResponse:
    dealer = access_object(request.user, Dealer.objects.select_related("region"), pk=dealer_id)
    _require_network_manager(request.user)
    # The form works on a copy: the service compares against the record as stored.
    form = DealerForm(request.POST or None, instance=copy.copy(dealer), user=request.user)
    return _render_form(
        request,
        form=form,
        save=lambda data: services.dealer_update(
            actor=request.user,
            dealer=dealer,
            data=_without_version(data),
            expected_version=data.get("version"),
        ),
        saved_message=_("Dealer %(record)s was saved."),
        context={
            "title": _("Edit %(record)s") % {"record": dealer},
            "cancel_url": dealer.get_absolute_url(),
            "breadcrumbs": [
                crumb(_("Dealers"), "network:dealer_list"),
                crumb(str(dealer), "network:dealer_detail", dealer.pk),
                crumb(_("Edit")),
            ],
        },
    )


# --- regions -------------------------------------------------------------------------------


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    return _render_list(
        request,
        queryset=Region.objects.visible_to(request.user).select_related("parent"),
        filterset_class=RegionFilterSet,
        table_template="network/_region_table.html",
        context={
            "title": _("Regions"),
            "breadcrumbs": [crumb(_("Regions"))],
            "create_url": reverse("network:region_create"),
            "create_label": _("New region"),
        },
    )


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


@login_required
def region_create(request: HttpRequest) -> HttpResponse:
    _require_network_manager(request.user)
    form = RegionForm(request.POST or None, user=request.user)
    return _render_form(
        request,
        form=form,
        save=lambda data: services.region_create(actor=request.user, data=data),
        saved_message=_("Region %(record)s was created."),
        context={
            "title": _("New region"),
            "cancel_url": reverse("network:region_list"),
            "breadcrumbs": [crumb(_("Regions"), "network:region_list"), crumb(_("New"))],
        },
    )


@login_required
def region_edit(request: HttpRequest, region_id: int) -> HttpResponse:
    region = access_object(request.user, Region.objects.select_related("parent"), pk=region_id)
    _require_network_manager(request.user)
    form = RegionForm(request.POST or None, instance=copy.copy(region), user=request.user)
    return _render_form(
        request,
        form=form,
        save=lambda data: services.region_update(actor=request.user, region=region, data=data),
        saved_message=_("Region %(record)s was saved."),
        context={
            "title": _("Edit %(record)s") % {"record": region},
            "cancel_url": region.get_absolute_url(),
            "breadcrumbs": [
                crumb(_("Regions"), "network:region_list"),
                crumb(str(region), "network:region_detail", region.pk),
                crumb(_("Edit")),
            ],
        },
    )


# --- dealer groups -------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Count only the dealers the user may see, so the number matches the group's page.
    visible_dealers = Dealer.objects.visible_to(user).values("pk")
    groups = DealerGroup.objects.visible_to(user).annotate(
        dealer_count=Count("dealers", filter=Q(dealers__in=visible_dealers))
    )
    return _render_list(
        request,
        queryset=groups,
        filterset_class=DealerGroupFilterSet,
        table_template="network/_group_table.html",
        context={
            "title": _("Dealer groups"),
            "breadcrumbs": [crumb(_("Dealer groups"))],
            "create_url": reverse("network:group_create"),
            "create_label": _("New dealer group"),
        },
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


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    _require_network_manager(request.user)
    form = DealerGroupForm(request.POST or None)
    return _render_form(
        request,
        form=form,
        save=lambda data: services.dealer_group_create(actor=request.user, data=data),
        saved_message=_("Dealer group %(record)s was created."),
        context={
            "title": _("New dealer group"),
            "cancel_url": reverse("network:group_list"),
            "breadcrumbs": [crumb(_("Dealer groups"), "network:group_list"), crumb(_("New"))],
        },
    )


@login_required
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_object(request.user, DealerGroup.objects.all(), pk=group_id)
    _require_network_manager(request.user)
    form = DealerGroupForm(request.POST or None, instance=copy.copy(group))
    return _render_form(
        request,
        form=form,
        save=lambda data: services.dealer_group_update(actor=request.user, group=group, data=data),
        saved_message=_("Dealer group %(record)s was saved."),
        context={
            "title": _("Edit %(record)s") % {"record": group},
            "cancel_url": group.get_absolute_url(),
            "breadcrumbs": [
                crumb(_("Dealer groups"), "network:group_list"),
                crumb(str(group), "network:group_detail", group.pk),
                crumb(_("Edit")),
            ],
        },
    )


# --- HQ departments ------------------------------------------------------------------------


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    return _render_list(
        request,
        queryset=HQDepartment.objects.visible_to(request.user),
        filterset_class=None,
        table_template="network/_department_table.html",
        context={
            "title": _("HQ departments"),
            "breadcrumbs": [crumb(_("HQ departments"))],
            "create_url": reverse("network:department_create"),
            "create_label": _("New HQ department"),
        },
    )


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


@login_required
def department_create(request: HttpRequest) -> HttpResponse:
    _require_network_manager(request.user)
    form = HQDepartmentForm(request.POST or None)
    return _render_form(
        request,
        form=form,
        save=lambda data: services.department_create(actor=request.user, data=data),
        saved_message=_("HQ department %(record)s was created."),
        context={
            "title": _("New HQ department"),
            "cancel_url": reverse("network:department_list"),
            "breadcrumbs": [
                crumb(_("HQ departments"), "network:department_list"),
                crumb(_("New")),
            ],
        },
    )


@login_required
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    department = access_object(request.user, HQDepartment.objects.all(), pk=department_id)
    _require_network_manager(request.user)
    form = HQDepartmentForm(request.POST or None, instance=copy.copy(department))
    return _render_form(
        request,
        form=form,
        save=lambda data: services.department_update(
            actor=request.user, department=department, data=data
        ),
        saved_message=_("HQ department %(record)s was saved."),
        context={
            "title": _("Edit %(record)s") % {"record": department},
            "cancel_url": department.get_absolute_url(),
            "breadcrumbs": [
                crumb(_("HQ departments"), "network:department_list"),
                crumb(str(department), "network:department_detail", department.pk),
                crumb(_("Edit")),
            ],
        },
    )
