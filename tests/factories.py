"""factory_boy factories for the platform's records."""

from __future__ import annotations

from typing import Any, cast

import factory
from django.contrib.auth.hashers import make_password

from autocrm.accounts.choices import Role
from autocrm.accounts.models import User
from autocrm.network.choices import DealerType, DepartmentKind, RegionLevel
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region

PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory):
    """A region with its subtree path set, as the region services set it."""

    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"R{n:05d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    level = RegionLevel.AREA
    parent = None

    @classmethod
    def _create(cls, model_class: type[Region], *args: Any, **kwargs: Any) -> Region:
        region = super()._create(model_class, *args, **kwargs)
        parent_path = region.parent.path if region.parent else "/"
        region.path = f"{parent_path}{region.pk}/"
        region.save(update_fields=["path"])
        return region


def region_tree(prefix: str = "") -> dict[str, Region]:
    """An area with one province and one city below it."""
    area = cast(Region, RegionFactory(level=RegionLevel.AREA, name=f"{prefix}大区"))
    province = cast(
        Region, RegionFactory(level=RegionLevel.PROVINCE, parent=area, name=f"{prefix}省")
    )
    city = cast(Region, RegionFactory(level=RegionLevel.CITY, parent=province, name=f"{prefix}市"))
    return {"area": area, "province": province, "city": city}


class DealerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealerGroup

    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"集团{n}")


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer

    code = factory.Sequence(lambda n: f"D{n:05d}")
    name = factory.Sequence(lambda n: f"经销商{n}")
    dealer_type = DealerType.FULL_4S
    region = factory.LazyFunction(lambda: region_tree()["city"])


class HQDepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HQDepartment

    code = factory.Sequence(lambda n: f"HQ{n:03d}")
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = DepartmentKind.CALL_CENTER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))
    role = Role.ADMINISTRATOR
    is_active = True
