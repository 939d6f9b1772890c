"""Form helpers shared by every app's pages."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import django_filters.fields
from django import forms
from django.utils.translation import gettext_lazy as _

# The empty choice of a list page's filter selects.
ANY_CHOICE = ("", _("Any"))
# The empty choice of a form's selects, instead of Django's "---------".
CHOOSE_LABEL = _("Choose…")
_DJANGO_BLANK_LABEL = "---------"


def _replace_blank_label(field: forms.Field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == _DJANGO_BLANK_LABEL:
            field.empty_label = CHOOSE_LABEL
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)  # type: ignore[arg-type]
        if choices and choices[0] == ("", _DJANGO_BLANK_LABEL):
            field.choices = [("", CHOOSE_LABEL), *choices[1:]]


class StyledFormMixin:
    """Give widgets the theme's classes and mark invalid fields, so templates stay generic."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            base = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {base}".strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            _replace_blank_label(field)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class InlineValidationMixin(StyledFormMixin):
    """Theme classes, plus a way to show only the errors of fields the user has touched.

    The forms of ``autocrm.core.pages.render_form`` use it."""

    def enable_inline_validation(self, url: str) -> None:
        """Have htmx post the form with ``_validate=1`` when a field changes, and swap in just
        that field's block (``#field-<name>`` of ``core/_form_fields.html``) from the answer, so
        what the user typed meanwhile in other fields is left alone."""
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if isinstance(field.widget, forms.HiddenInput | forms.CheckboxInput):
                continue
            html_name = self.add_prefix(name)  # type: ignore[attr-defined]
            field.widget.attrs.update(
                {
                    "hx-post": url,
                    "hx-trigger": "change",
                    "hx-vals": json.dumps({"_validate": "1", "_field": html_name}),
                    "hx-target": f"#field-{html_name}",
                    "hx-select": f"#field-{html_name}",
                    "hx-swap": "outerHTML",
                }
            )

    def limit_errors_to(self, names: Iterable[str]) -> None:
        """Drop the errors of fields outside ``names`` (inline validation of a half-filled form
        should not shout "required" at fields the user has not reached yet)."""
        keep = set(names)
        for name in list(self.errors):  # type: ignore[attr-defined]
            if name in keep or name not in self.fields:  # type: ignore[attr-defined]
                continue
            del self.errors[name]  # type: ignore[attr-defined]
            widget = self.fields[name].widget  # type: ignore[attr-defined]
            classes = widget.attrs.get("class", "").split()
            widget.attrs["class"] = " ".join(c for c in classes if c != "is-invalid")
            widget.attrs.pop("aria-invalid", None)


def style_filter_form(form: forms.Form, *, user: Any = None) -> forms.Form:
    """Turn a FilterSet's form into a list page's filter bar: theme classes, "Any" as the empty
    choice, and yes/no filters as selects. An app that shows id filters as choice lists replaces
    their widgets first, then calls this (``user`` is for such wrappers; it is unused here)."""
    fields = form.fields
    for field in fields.values():
        if isinstance(field, forms.NullBooleanField):
            # A django-filter BooleanFilter: any, yes or no.
            field.widget = forms.Select(
                choices=[ANY_CHOICE, ("true", _("Yes")), ("false", _("No"))]
            )
    for name, field in fields.items():
        if isinstance(field, django_filters.fields.ChoiceField):
            # django-filter's choice fields put their empty choice first when choices are set.
            field.empty_label = ANY_CHOICE[1]
            field.choices = list(field.choices)[1:]
        if isinstance(field.widget, forms.Select):
            field.widget.attrs["class"] = "form-select form-select-sm"
        else:
            field.widget.attrs["class"] = "form-control form-control-sm"
            field.widget.attrs["placeholder"] = field.label or name
    return form
