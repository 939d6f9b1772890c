"""Writes to the dealer network. Each service validates, saves, and writes the audit trail."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from autocrm.core import audit
from autocrm.core.errors import PermissionDenied, StaleRecord
from autocrm.network.choices import PARENT_LEVEL, RegionLevel
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region

ModelT = TypeVar("ModelT", bound=models.Model)


def _require_network_manager(actor: Any) -> None:
    if not getattr(actor, "may_manage_network", False):
        raise PermissionDenied


def _assign(instance: models.Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(instance, name, value)


def _create(model: type[ModelT], *, actor: Any, data: dict[str, Any]) -> ModelT:
    _require_network_manager(actor)
    instance = model(**data)
    instance.full_clean()
    instance.save()
    audit.record_creation(instance, actor=actor)
    return instance


def _update(instance: ModelT, *, actor: Any, data: dict[str, Any]) -> ModelT:
    _require_network_manager(actor)
    before = audit.snapshot(instance)
    _assign(instance, data)
    instance.full_clean()
    instance.save()
    audit.record_change(instance, before, actor=actor)
    return instance


def _check_region_parent(level: str, parent: Region | None) -> None:
    if level not in RegionLevel.values:
        return  # full_clean names the level that is not one of the choices
    expected = PARENT_LEVEL.get(RegionLevel(level))
    if expected is None and parent is not None:
        raise ValidationError({"parent": _("A sales area has no parent region.")})
    if expected is not None and (parent is None or parent.level != expected):
        raise ValidationError(
            {
                "parent": _("The parent of a %(level)s must be a %(parent)s.")
                % {"level": RegionLevel(level).label, "parent": expected.label}
            }
        )


@transaction.atomic
def region_create(*, actor: Any, data: dict[str, Any]) -> Region:
    """Create a region under a parent of the level above, and give it its subtree path."""
    _require_network_manager(actor)
    _check_region_parent(data.get("level", ""), data.get("parent"))
    region = _create(Region, actor=actor, data=data)
    parent_path = region.parent.path if region.parent else "/"
    Region.objects.filter(pk=region.pk).update(path=f"{parent_path}{region.pk}/")
    region.refresh_from_db(fields=["path"])
    return region


@transaction.atomic
def region_update(*, actor: Any, region: Region, data: dict[str, Any]) -> Region:
    """Update a region; moving it re-roots its whole subtree in one statement."""
    _require_network_manager(actor)
    level = data.get("level", region.level)
    parent = data.get("parent", region.parent)
    _check_region_parent(level, parent)
    if parent is not None and region.pk in parent.ancestor_ids:
        raise ValidationError({"parent": _("A region cannot be moved under itself.")})
    old_path = region.path
    region = _update(region, actor=actor, data=data)
    new_path = f"{region.parent.path if region.parent else '/'}{region.pk}/"
    if new_path != old_path:
        Region.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
        )
        region.refresh_from_db(fields=["path"])
    return region


@transaction.atomic
def dealer_create(*, actor: Any, data: dict[str, Any]) -> Dealer:
    return _create(Dealer, actor=actor, data=data)


@transaction.atomic
def dealer_update(
    *, actor: Any, dealer: Dealer, data: dict[str, Any], expected_version: int | None = None
) -> Dealer:
    """Update a dealer. With ``expected_version`` (the version the editor opened), a save that
    comes after someone else's is refused instead of overwriting their change."""
    locked = Dealer.objects.select_for_update().get(pk=dealer.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord
    # The row is locked until commit, so a plain increment cannot lose an update.
    locked.version += 1
    return _update(locked, actor=actor, data=data)


@transaction.atomic
def dealer_group_create(*, actor: Any, data: dict[str, Any]) -> DealerGroup:
    return _create(DealerGroup, actor=actor, data=data)


@transaction.atomic
def dealer_group_update(*, actor: Any, group: DealerGroup, data: dict[str, Any]) -> DealerGroup:
    return _update(group, actor=actor, data=data)


@transaction.atomic
def department_create(*, actor: Any, data: dict[str, Any]) -> HQDepartment:
    return _create(HQDepartment, actor=actor, data=data)


@transaction.atomic
def department_update(
    *, actor: Any, department: HQDepartment, data: dict[str, Any]
) -> HQDepartment:
    return _update(department, actor=actor, data=data)
