"""Network pages: list, view, create and edit regions, dealer groups, dealers (and the service
stations among them) and HQ departments.

Views are thin: every read starts from ``visible_to`` (out of scope is "not found"), every write
goes through ``autocrm.network.services``. Lists page by keyset and, for htmx requests, answer
with the table alone.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from autocrm.accounts.models import User
from autocrm.core import errors
from autocrm.core.audit import history_of
from autocrm.core.models import AuditAction, AuditEntry
from autocrm.core.pagination import KeysetPage, keyset_page
from autocrm.core.scoping import access_object, visible_to
from autocrm.network import services
from autocrm.network.filters import DealerFilterSet, DealerGroupFilterSet, RegionFilterSet
from autocrm.network.forms import (
    DealerForm,
    DealerGroupForm,
    HQDepartmentForm,
    NetworkFormMixin,
    RegionForm,
    prepare_filter_form,
)
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region

# Rows per list page; a module constant so tests can make pages small.
LIST_PAGE_SIZE = 50
# Related records shown on a detail page before pointing to the filtered list.
RELATED_LIMIT = 50
# Audit entries shown on a detail page, newest first.
HISTORY_LIMIT = 50

LIST_ORDERING = ("code",)
LIST_TARGET = "#network-list"


# --- helpers -------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore after a cache miss wants the whole page, not the fragment.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _require_network_manager(user: Any) -> None:
    if not getattr(user, "may_manage_network", False):
        raise PermissionDenied


def _crumb(label: Any, url_name: str | None = None, *args: Any) -> dict[str, Any]:
    return {"label": label, "url": reverse(url_name, args=args) if url_name else None}


def _page(request: HttpRequest, rows: QuerySet[Any]) -> KeysetPage[Any]:
    try:
        return keyset_page(
            rows, ordering=LIST_ORDERING, cursor=request.GET.get("cursor"), limit=LIST_PAGE_SIZE
        )
    except errors.InvalidCursor as error:
        messages.warning(request, str(error.message))
        return keyset_page(rows, ordering=LIST_ORDERING, cursor=None, limit=LIST_PAGE_SIZE)


def _render_list(
    request: HttpRequest,
    *,
    queryset: QuerySet[Any],
    filterset_class: Any,
    template: str,
    table_template: str,
    context: dict[str, Any],
    without_filters: tuple[str, ...] = (),
) -> HttpResponse:
    """Filter (with the FilterSet the API shares), page by keyset, render page or table."""
    filter_form = None
    rows = queryset
    if filterset_class is not None:
        filterset = filterset_class(request.GET or None, queryset=queryset)
        for name in without_filters:
            del filterset.filters[name]
        # An invalid filter shows its error and no rows, rather than silently ignoring it.
        valid = not filterset.is_bound or filterset.is_valid()
        rows = filterset.qs if valid else queryset.none()
        filter_form = prepare_filter_form(filterset.form, user=request.user)
    context = {
        **context,
        "page": _page(request, rows),
        "filter_form": filter_form,
        "table_template": table_template,
        "list_target": LIST_TARGET,
        "is_htmx": _is_htmx(request),
        "may_manage_network": getattr(request.user, "may_manage_network", False),
    }
    response = render(request, table_template if context["is_htmx"] else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _display_value(field: Any, value: Any, related_labels: dict[tuple[str, Any], str]) -> Any:
    if value is None or value == "":
        return None
    if field is None:
        return value
    if field.is_relation:
        return related_labels.get((field.name, value), f"#{value}")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _related_labels(
    model: type[Model], entries: list[AuditEntry], user: Any
) -> dict[tuple[str, Any], str]:
    """Names of the records foreign keys in the changes point to: one query per relation, and
    only records the user may see (others stay as "#id")."""
    labels: dict[tuple[str, Any], str] = {}
    for field in model._meta.concrete_fields:
        related_model = field.related_model
        if not field.many_to_one or not hasattr(related_model, "scope_filter"):
            continue
        ids = {
            value
            for entry in entries
            if isinstance(entry.changes.get(field.name), list)
            for value in entry.changes[field.name]
            if value is not None
        }
        if ids:
            rows = cast(type[Model], related_model)._default_manager.filter(pk__in=ids)
            related = visible_to(user, rows)
            labels.update({(field.name, row.pk): str(row) for row in related})
    return labels


def history_rows(instance: Model, user: Any) -> list[dict[str, Any]]:
    """The record's latest audit entries, each change as field label, before and after, in the
    user's language (context for ``core/_history.html``)."""
    model = type(instance)
    entries = list(history_of(instance)[:HISTORY_LIMIT])
    fields = {field.name: field for field in model._meta.concrete_fields}
    related_labels = _related_labels(model, entries, user)

    positions = {name: position for position, name in enumerate(fields)}

    def order(name: str) -> int:
        return positions.get(name, len(positions))

    def label(name: str) -> Any:
        field = fields.get(name)
        return capfirst(field.verbose_name) if field is not None else name

    rows = []
    for entry in entries:
        changes: list[dict[str, Any]] = []
        if entry.action == AuditAction.VIEW_IDENTIFIER:
            changes.append({"label": _("Field"), "value": label(str(entry.changes.get("field")))})
        else:
            # In the order the model declares its fields, as on the form.
            for name, values in sorted(entry.changes.items(), key=lambda item: order(item[0])):
                field = fields.get(name)
                if isinstance(values, list) and len(values) == 2:
                    before, after = (_display_value(field, v, related_labels) for v in values)
                    if entry.action == AuditAction.CREATE and after is None:
                        continue  # a new record's empty fields say nothing
                    changes.append({"label": label(name), "before": before, "after": after})
                else:
                    changes.append({"label": label(name), "value": values})
        rows.append({"entry": entry, "changes": changes})
    return rows


def _add_service_errors(form: Any, error: ValidationError) -> None:
    """Put a service's validation errors back on the form, on the field they name."""
    if hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _touched_fields(request: HttpRequest, form: Any) -> set[str]:
    touched = {name for name in form.fields if request.POST.get(form.add_prefix(name))}
    # The field whose change sent the request, even when the user just emptied it.
    changed = request.POST.get("_field", "")
    touched.add(changed.removeprefix(f"{form.prefix}-") if form.prefix else changed)
    return touched


def _render_form(
    request: HttpRequest,
    *,
    form: NetworkFormMixin,
    save: Callable[[dict[str, Any]], Any],
    context: dict[str, Any],
    saved_message: str,
) -> HttpResponse:
    """GET shows the form; POST with ``_validate`` answers with the validated form partial and
    saves nothing; a plain POST saves through ``save`` (a service) and redirects to the record."""
    context = {**context, "form": form}
    form.enable_inline_validation(request.path)
    if request.method == "POST":
        if request.POST.get("_validate"):
            form.is_valid()  # type: ignore[attr-defined]
            form.limit_errors_to(_touched_fields(request, form))
            return render(request, "network/_form.html", context)
        if form.is_valid():  # type: ignore[attr-defined]
            try:
                record = save(form.cleaned_data)  # type: ignore[attr-defined]
            except errors.PermissionDenied as error:
                raise PermissionDenied from error
            except errors.StaleRecord as error:
                form.add_error(None, str(error.message))  # type: ignore[attr-defined]
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, saved_message % {"record": record})
                return redirect(record)
    return render(request, "network/form.html", context)


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
            "breadcrumbs": [_crumb(_("Dealers"))],
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
            "breadcrumbs": [_crumb(_("Service stations"))],
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
    staff = User.objects.filter(dealer=dealer, is_active=True).order_by("username")
    return render(
        request,
        "network/dealer_detail.html",
        {
            "dealer": dealer,
            "region_chain": list(region_chain.order_by("path")),
            "staff": list(staff[:RELATED_LIMIT]),
            "history": history_rows(dealer, user),
            "may_manage_network": getattr(user, "may_manage_network", False),
            "breadcrumbs": [_crumb(_("Dealers"), "network:dealer_list"), _crumb(str(dealer))],
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
            "breadcrumbs": [_crumb(_("Dealers"), "network:dealer_list"), _crumb(_("New"))],
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
                _crumb(_("Dealers"), "network:dealer_list"),
                _crumb(str(dealer), "network:dealer_detail", dealer.pk),
                _crumb(_("Edit")),
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
        template="network/list.html",
        table_template="network/_region_table.html",
        context={
            "title": _("Regions"),
            "breadcrumbs": [_crumb(_("Regions"))],
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
            "may_manage_network": getattr(user, "may_manage_network", False),
            "breadcrumbs": [_crumb(_("Regions"), "network:region_list"), _crumb(str(region))],
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
            "breadcrumbs": [_crumb(_("Regions"), "network:region_list"), _crumb(_("New"))],
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
                _crumb(_("Regions"), "network:region_list"),
                _crumb(str(region), "network:region_detail", region.pk),
                _crumb(_("Edit")),
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
        template="network/list.html",
        table_template="network/_group_table.html",
        context={
            "title": _("Dealer groups"),
            "breadcrumbs": [_crumb(_("Dealer groups"))],
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
            "may_manage_network": getattr(user, "may_manage_network", False),
            "breadcrumbs": [_crumb(_("Dealer groups"), "network:group_list"), _crumb(str(group))],
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
            "breadcrumbs": [_crumb(_("Dealer groups"), "network:group_list"), _crumb(_("New"))],
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
                _crumb(_("Dealer groups"), "network:group_list"),
                _crumb(str(group), "network:group_detail", group.pk),
                _crumb(_("Edit")),
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
        template="network/list.html",
        table_template="network/_department_table.html",
        context={
            "title": _("HQ departments"),
            "breadcrumbs": [_crumb(_("HQ departments"))],
            "create_url": reverse("network:department_create"),
            "create_label": _("New HQ department"),
        },
    )


@login_required
def department_detail(request: HttpRequest, department_id: int) -> HttpResponse:
    user = request.user
    department = access_object(user, HQDepartment.objects.all(), pk=department_id)
    # The department's staff, for a user who may see the department (checked above).
    staff = User.objects.filter(hq_department=department, is_active=True).order_by("username")
    return render(
        request,
        "network/department_detail.html",
        {
            "department": department,
            "staff": list(staff[:RELATED_LIMIT]),
            "history": history_rows(department, user),
            "may_manage_network": getattr(user, "may_manage_network", False),
            "breadcrumbs": [
                _crumb(_("HQ departments"), "network:department_list"),
                _crumb(str(department)),
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
                _crumb(_("HQ departments"), "network:department_list"),
                _crumb(_("New")),
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
                _crumb(_("HQ departments"), "network:department_list"),
                _crumb(str(department), "network:department_detail", department.pk),
                _crumb(_("Edit")),
            ],
        },
    )
