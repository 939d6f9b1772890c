"""The machinery of an app's list and form pages, so views stay thin.

``render_list`` filters with the FilterSet the API shares, pages by keyset and, for htmx
requests, answers with the table alone (``core/list.html`` around the app's table template).
``render_form`` shows a form, validates it inline over htmx and saves it through a service
(``core/form.html`` and ``core/_form.html``). Both are parametrised by the app: ordering, ids,
templates, and whether the user may edit (``may_edit`` in the template context). Apps normally
declare their list, create and edit pages with the views of ``autocrm.core.crud``, built on these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from autocrm.core import errors
from autocrm.core.forms import InlineValidationMixin, style_filter_form
from autocrm.core.pagination import KeysetPage, keyset_page

# Rows per list page; a module constant so tests can make pages small.
LIST_PAGE_SIZE = 50

FilterFormHook = Callable[..., forms.Form]


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx asked for a fragment of the page."""
    # A history restore after a cache miss wants the whole page, not the fragment.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def crumb(label: Any, url_name: str | None = None, *args: Any) -> dict[str, Any]:
    """A breadcrumb for ``base.html``: a label, linked to ``url_name`` (with ``args``) if given."""
    return {"label": label, "url": reverse(url_name, args=args) if url_name else None}


def list_page(
    request: HttpRequest,
    rows: QuerySet[Any],
    *,
    ordering: tuple[str, ...],
    page_size: int | None = None,
) -> KeysetPage[Any]:
    """The page of ``rows`` after the request's ``cursor``; a broken cursor warns and starts
    again from the first page. ``ordering`` must end with a unique field."""
    limit = LIST_PAGE_SIZE if page_size is None else page_size
    try:
        return keyset_page(rows, ordering=ordering, cursor=request.GET.get("cursor"), limit=limit)
    except errors.InvalidCursor as error:
        messages.warning(request, str(error.message))
        return keyset_page(rows, ordering=ordering, cursor=None, limit=limit)


def render_list(
    request: HttpRequest,
    *,
    queryset: QuerySet[Any],
    filterset_class: Any,
    table_template: str,
    context: dict[str, Any],
    ordering: tuple[str, ...],
    template: str = "core/list.html",
    without_filters: tuple[str, ...] = (),
    prepare_filter_form: FilterFormHook = style_filter_form,
    page_size: int | None = None,
    list_id: str = "record-list",
    may_edit: bool = False,
) -> HttpResponse:
    """Filter (with the FilterSet the API shares, minus ``without_filters``), page by keyset,
    render ``template`` (normally extending ``core/list.html``), or ``table_template`` alone
    for htmx. ``prepare_filter_form(form, user=...)`` turns the FilterSet's form into the filter
    bar; ``list_id`` is the id of the element holding the table; ``may_edit`` shows the create
    link."""
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
        "page": list_page(request, rows, ordering=ordering, page_size=page_size),
        "filter_form": filter_form,
        "table_template": table_template,
        "list_id": list_id,
        "list_target": f"#{list_id}",
        "is_htmx": is_htmx(request),
        "may_edit": may_edit,
    }
    response = render(request, table_template if context["is_htmx"] else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def add_service_errors(form: Any, error: ValidationError) -> None:
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


def render_form(
    request: HttpRequest,
    *,
    form: InlineValidationMixin,
    save: Callable[[dict[str, Any]], Any],
    context: dict[str, Any],
    saved_message: str,
    form_id: str = "record-form",
    template: str = "core/form.html",
    fields_template: str = "core/_form.html",
) -> HttpResponse:
    """GET shows the form; POST with ``_validate`` answers with the validated ``fields_template``
    partial and saves nothing; a plain POST saves through ``save`` (a service) and redirects to
    the record, with ``saved_message % {"record": record}``. ``form_id`` names the form
    (``data-testid``) and its fields block (``<form_id>-fields``)."""
    context = {**context, "form": form, "form_id": form_id, "fields_template": fields_template}
    form.enable_inline_validation(request.path)
    if request.method == "POST":
        if request.POST.get("_validate"):
            form.is_valid()  # type: ignore[attr-defined]
            form.limit_errors_to(_touched_fields(request, form))
            return render(request, fields_template, context)
        if form.is_valid():  # type: ignore[attr-defined]
            try:
                record = save(form.cleaned_data)  # type: ignore[attr-defined]
            except errors.PermissionDenied as error:
                raise PermissionDenied from error
            except errors.StaleRecord as error:
                form.add_error(None, str(error.message))  # type: ignore[attr-defined]
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, saved_message % {"record": record})
                return redirect(record)
    return render(request, template, context)
