"""Declarative list, create and edit pages on the machinery of ``autocrm.core.pages``.

An app declares each page as a small class: what it shows or saves, who may use it, and its
labels; the class answers every request through ``render_list`` or ``render_form``. All pages
require a login (``as_view`` wraps them in ``login_required``) and, like function views, answer
every method alike. Reads start from the user's scope: a list shows ``queryset(request)``
(``model.objects.visible_to(user)`` unless overridden) and an edit page fetches its record with
``access_object`` *before* checking ``permission``, so a record out of scope is "not found"
(404) rather than "forbidden" (403). Writes go through a service, called by ``save``.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from autocrm.core.forms import style_filter_form
from autocrm.core.pages import crumb, render_form, render_list
from autocrm.core.scoping import access_object, visible_to


class ScopedPage(View):
    """A page behind the login; ``respond`` answers every HTTP method."""

    model: type[Model]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return login_required(super().as_view(**initkwargs))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.respond(request, **kwargs)

    def respond(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        raise NotImplementedError


class ScopedListView(ScopedPage):
    """A filtered, keyset-paged list of the records the user may see (``render_list``).

    ``title`` heads the page and is its breadcrumb; ``create_url_name`` and ``create_label``
    make the create link, shown when ``may_edit(user)``."""

    filterset_class: Any = None
    without_filters: tuple[str, ...] = ()
    template_name = "core/list.html"
    table_template: str
    ordering: tuple[str, ...]
    list_id = "record-list"
    title: Any
    create_url_name: str | None = None
    create_label: Any = None

    def queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible_to(request.user, self.model._default_manager.all())

    def may_edit(self, user: Any) -> bool:
        return False

    def filter_form(self, form: forms.Form, *, user: Any) -> forms.Form:
        """The filter bar made of the FilterSet's form."""
        return style_filter_form(form, user=user)

    def breadcrumbs(self, request: HttpRequest) -> list[dict[str, Any]]:
        return [crumb(self.title)]

    def context(self, request: HttpRequest) -> dict[str, Any]:
        context = {"title": self.title, "breadcrumbs": self.breadcrumbs(request)}
        if self.create_url_name:
            context["create_url"] = reverse(self.create_url_name)
            context["create_label"] = self.create_label
        return context

    def respond(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render_list(
            request,
            queryset=self.queryset(request),
            filterset_class=self.filterset_class,
            without_filters=self.without_filters,
            template=self.template_name,
            table_template=self.table_template,
            context=self.context(request),
            ordering=self.ordering,
            prepare_filter_form=self.filter_form,
            list_id=self.list_id,
            may_edit=self.may_edit(request.user),
        )


class ScopedFormView(ScopedPage):
    """A form saving through a service (``render_form``), after ``permission`` (else 403).

    ``list_label`` and ``list_url_name`` name the list the record belongs to, for the
    breadcrumbs and the cancel link; ``saved_message`` is formatted with ``record``."""

    form_class: type[forms.BaseForm]
    form_id = "record-form"
    template_name = "core/form.html"
    fields_template = "core/_form.html"
    title: Any = None
    saved_message: Any
    list_label: Any
    list_url_name: str

    def permission(self, user: Any, instance: Any) -> bool:
        """Whether ``user`` may save (``instance`` is ``None`` on a create page); no by default."""
        return False

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def save(self, request: HttpRequest, data: dict[str, Any], instance: Any) -> Any:
        """Save the form's cleaned ``data`` through a service; return the record."""
        raise NotImplementedError

    def page_title(self, instance: Any) -> Any:
        return self.title

    def cancel_url(self, instance: Any) -> str:
        return reverse(self.list_url_name)

    def breadcrumbs(self, instance: Any) -> list[dict[str, Any]]:
        return [crumb(self.list_label, self.list_url_name)]

    def render_page(self, request: HttpRequest, instance: Any) -> HttpResponse:
        if not self.permission(request.user, instance):
            raise PermissionDenied
        form_kwargs = self.form_kwargs(request)
        if instance is not None:
            # The form works on a copy: the service compares against the record as stored.
            form_kwargs["instance"] = copy.copy(instance)
        form = self.form_class(request.POST or None, **form_kwargs)
        return render_form(
            request,
            form=form,  # type: ignore[arg-type]
            save=lambda data: self.save(request, data, instance),
            saved_message=self.saved_message,
            form_id=self.form_id,
            template=self.template_name,
            fields_template=self.fields_template,
            context={
                "title": self.page_title(instance),
                "cancel_url": self.cancel_url(instance),
                "breadcrumbs": self.breadcrumbs(instance),
            },
        )


class ScopedCreateView(ScopedFormView):
    """The page creating a record: ``title`` ("New …") heads it."""

    def respond(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.render_page(request, None)

    def breadcrumbs(self, instance: None) -> list[dict[str, Any]]:
        return [*super().breadcrumbs(instance), crumb(_("New"))]


class ScopedEditView(ScopedFormView):
    """The page editing the record ``pk_url_kwarg`` names, found among ``queryset(request)``
    within the user's scope (else 404); ``detail_url_name`` is its page."""

    pk_url_kwarg: str
    detail_url_name: str

    def queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model._default_manager.all()

    def respond(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        pk = kwargs[self.pk_url_kwarg]
        return self.render_page(request, access_object(request.user, self.queryset(request), pk=pk))

    def page_title(self, instance: Any) -> Any:
        return _("Edit %(record)s") % {"record": instance}

    def cancel_url(self, instance: Any) -> str:
        return instance.get_absolute_url()

    def breadcrumbs(self, instance: Any) -> list[dict[str, Any]]:
        return [
            *super().breadcrumbs(instance),
            crumb(str(instance), self.detail_url_name, instance.pk),
            crumb(_("Edit")),
        ]
