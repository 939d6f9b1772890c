"""Pieces every app's API functions share: filtering a list with the FilterSet the pages use,
and turning an id sent in a payload into the record it names, within the caller's scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from autocrm.core.scoping import visible_to

ModelT = TypeVar("ModelT", bound=models.Model)


def filtered(
    filterset_class: Any, params: Mapping[str, Any], queryset: models.QuerySet[ModelT]
) -> models.QuerySet[ModelT]:
    """``queryset`` narrowed by the query parameters ``params`` (``request.GET``, or a filter
    schema's values); an invalid filter is a validation error (422) naming the parameter, never
    silently ignored."""
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    rows: models.QuerySet[ModelT] = filterset.qs
    return rows


@overload
def resolve_reference(
    user: Any, source: type[ModelT] | models.QuerySet[ModelT], field: str, pk: int
) -> ModelT: ...


@overload
def resolve_reference(
    user: Any, source: type[ModelT] | models.QuerySet[ModelT], field: str, pk: int | None
) -> ModelT | None: ...


def resolve_reference(
    user: Any,
    source: type[ModelT] | models.QuerySet[ModelT],
    field: str,
    pk: int | None,
) -> ModelT | None:
    """The record ``pk`` names among ``source`` (a model or a queryset narrowing it) that
    ``user`` may see; ``None`` for ``None``. An unknown or out-of-scope id is a validation error
    on ``field``, the payload's name for it, so the caller learns nothing about other dealers'
    records."""
    if pk is None:
        return None
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    found = visible_to(user, queryset).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("No such record: %(id)s.") % {"id": pk}})
    return found
