"""factory_boy factories for the platform's records."""

from __future__ import annotations

import datetime
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


# --- customers, vehicles, interactions -----------------------------------------------------
# Low-level factories: they write rows directly (no audit entries, no identity checks). Tests of
# behaviour go through the services; these build the surroundings.


def _fresh_customer_number(customer: Any) -> None:
    if not customer.number:
        customer.number = f"C{customer.pk:09d}"
        customer.save(update_fields=["number"])


class CustomerFactory(factory.django.DjangoModelFactory):
    """A person (kind individual) with name_folded / name_initials filled in. Link it to a dealer
    with ``dealers=[dealer]`` (relation assigned_to) so dealer staff can see it."""

    class Meta:
        model = "customers.Customer"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"客户{n}")
    name_folded = factory.LazyAttribute(lambda o: _identifiers().fold_name(o.name))
    name_initials = factory.LazyAttribute(lambda o: _identifiers().name_initials(o.name))

    @factory.post_generation
    def dealers(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        _fresh_customer_number(self)
        if create and extracted:
            from autocrm.customers.models import CustomerDealer

            for dealer in extracted:
                CustomerDealer.objects.create(customer=self, dealer=dealer, relation="assigned_to")


def _identifiers() -> Any:
    from autocrm.customers import identifiers

    return identifiers


class PhoneFactory(factory.django.DjangoModelFactory):
    """A phone contact point; ``value`` as typed, ``normalised`` in E.164."""

    class Meta:
        model = "customers.ContactPoint"

    customer = factory.SubFactory(CustomerFactory)
    kind = "phone"
    label = "mobile"
    value = factory.Sequence(lambda n: f"139{n:08d}")
    normalised = factory.LazyAttribute(lambda o: _identifiers().normalise_phone(o.value))
    is_mobile = True
    is_primary = True


class VehicleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "vehicles.VehicleModel"

    code = factory.Sequence(lambda n: f"M{n:04d}")
    brand = "别克"
    series = "君威"
    name = "君威 2.0T"
    configuration = "精英型"
    model_year = 2026
    powertrain = "petrol"
    price = factory.Sequence(lambda n: 180000 + n)


def oem_vin(serial: int) -> str:
    """A valid VIN under the OEM's first manufacturer code, unique per ``serial``."""
    from autocrm.vehicles.vin import with_check_digit

    return with_check_digit(f"LSGPC54U0TF{serial % 1_000_000:06d}")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "vehicles.Vehicle"

    vin = factory.Sequence(oem_vin)
    vin_tail = factory.LazyAttribute(lambda o: o.vin[-6:])
    model = factory.SubFactory(VehicleModelFactory)
    status = "sold"


class OwnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "vehicles.Ownership"

    vehicle = factory.SubFactory(VehicleFactory)
    customer = factory.SubFactory(CustomerFactory)
    role = "owner"
    started_on = factory.Faker("date_between", start_date="-5y", end_date="-1y")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Interaction"

    customer = factory.SubFactory(CustomerFactory)
    channel = "inbound_call"
    occurred_at = factory.Faker("date_time_between", start_date="-1y", tzinfo=datetime.UTC)
    subject = factory.Sequence(lambda n: f"来电咨询 {n}")
