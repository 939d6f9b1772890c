"""manage.py seed_demo: deterministic demo data for every role, with consistent region paths."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from autocrm.accounts.choices import DEALER_ROLES, HQ_ROLES, REGION_ROLES, Role
from autocrm.accounts.models import User
from autocrm.accounts.seeds import demo_username
from autocrm.core.seeding import DEMO_PASSWORD
from autocrm.network.choices import DealerType, RegionLevel
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region
from autocrm.network.seeds import short_place_name

pytestmark = pytest.mark.django_db


def seed(**options: Any) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Everything seeded, by natural keys (primary keys may differ between runs)."""
    return {
        "regions": list(
            Region.objects.order_by("code").values_list("code", "name", "level", "parent__code")
        ),
        "groups": list(DealerGroup.objects.order_by("code").values_list("code", "name")),
        "dealers": list(
            Dealer.objects.order_by("code").values_list(
                "code", "name", "dealer_type", "region__code", "group__code", "address", "phone"
            )
        ),
        "users": list(
            User.objects.order_by("username").values_list(
                "username",
                "display_name",
                "role",
                "hq_department__code",
                "region__code",
                "dealer__code",
            )
        ),
    }


def test_the_same_seed_gives_the_same_data() -> None:
    with transaction.atomic():
        seed(scale="small", seed=7)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Dealer.objects.exists()

    seed(scale="small", seed=7)

    assert snapshot() == first


def test_another_seed_gives_other_data() -> None:
    with transaction.atomic():
        seed(scale="small", seed=7)
        first = snapshot()
        transaction.set_rollback(True)

    seed(scale="small", seed=8)

    second = snapshot()
    assert second["regions"] == first["regions"]  # the same real places
    assert second["dealers"] != first["dealers"]
    assert second["users"] != first["users"]


def test_small_scale_builds_a_small_realistic_network() -> None:
    seed(scale="small", seed=1)

    assert Dealer.objects.count() == 30
    areas = Region.objects.filter(level=RegionLevel.AREA).order_by("code")
    assert list(areas.values_list("code", "name")) == [
        ("EAST", "华东"), ("NORTH", "华北"), ("SOUTH", "华南"), ("SOUTHWEST", "西南"),
    ]  # fmt: skip
    shanghai = Region.objects.get(code="310100")
    province = shanghai.parent
    assert province is not None
    assert (shanghai.name, province.code, province.name) == ("上海市", "310000", "上海市")
    assert HQDepartment.objects.count() == 6
    first = Dealer.objects.get(code="SH001")
    assert first.dealer_type == DealerType.FULL_4S
    assert first.region == shanghai
    assert re.fullmatch(r"上海[^\d]+汽车4S店", first.name)
    assert first.address.startswith("上海市")
    assert re.fullmatch(r"021-\d{8}", first.phone)
    for dealer in Dealer.objects.select_related("region__parent"):
        assert re.fullmatch(r"[A-Z]{2}\d{3}", dealer.code)
        assert dealer.name.startswith(short_place_name(dealer.region.name))
        assert dealer.region.level == RegionLevel.CITY
        province = dealer.region.parent
        assert province is not None and dealer.region.code[:2] == province.code[:2]
        expected_capabilities = {
            DealerType.FULL_4S: (True, True, True),
            DealerType.SALES_ONLY: (True, False, False),
            DealerType.SERVICE_ONLY: (False, True, True),
        }[DealerType(dealer.dealer_type)]
        capabilities = (dealer.sells_vehicles, dealer.services_vehicles, dealer.sells_parts)
        assert capabilities == expected_capabilities
    assert Dealer.objects.values("name").distinct().count() == 30


def test_every_role_has_users_placed_where_the_role_belongs() -> None:
    seed(scale="small", seed=1)

    for role in Role:
        users = User.objects.filter(role=role)
        assert users.exists(), role
        for user in users:
            user.full_clean(exclude=["password"])
            assert user.display_name and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", user.display_name)
            if role in HQ_ROLES:
                assert user.hq_department is not None, user.username
            if role in REGION_ROLES:
                assert user.region is not None and user.region.level == RegionLevel.AREA
            if role in DEALER_ROLES:
                assert user.dealer is not None, user.username
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.is_superuser, admin.is_staff) == (Role.ADMINISTRATOR, True, True)
    assert admin.hq_department is not None and admin.hq_department.code == "IT"
    salesperson = User.objects.get(username=demo_username(Role.SALESPERSON))
    assert salesperson.dealer is not None and salesperson.dealer.code == "SH001"
    assert salesperson.check_password(DEMO_PASSWORD)
    region_manager = User.objects.get(username=demo_username(Role.REGION_MANAGER))
    assert region_manager.region is not None and region_manager.region.code == "EAST"


def test_region_paths_follow_the_parents() -> None:
    seed(scale="small", seed=1)

    regions = list(Region.objects.select_related("parent"))
    assert len(regions) > 40
    for region in regions:
        parent_path = region.parent.path if region.parent else "/"
        assert region.path == f"{parent_path}{region.pk}/"
        expected_parent_level = {
            RegionLevel.AREA: None,
            RegionLevel.PROVINCE: RegionLevel.AREA,
            RegionLevel.CITY: RegionLevel.PROVINCE,
        }[RegionLevel(region.level)]
        assert (region.parent.level if region.parent else None) == expected_parent_level


def test_if_empty_leaves_a_seeded_database_alone_and_prints_the_logins() -> None:
    seed(scale="small", seed=1)
    before = snapshot()

    output = seed(scale="small", seed=2, if_empty=True)

    assert snapshot() == before
    assert "nothing was added" in output
    for role in Role:
        assert demo_username(role) in output
    assert DEMO_PASSWORD in output


def test_seeding_a_database_with_dealers_without_if_empty_is_refused() -> None:
    seed(scale="small", seed=1)
    with pytest.raises(CommandError, match="already has dealers"):
        seed(scale="small", seed=1)


def test_the_logins_table_names_each_role_and_what_it_sees() -> None:
    output = seed(scale="small", seed=1)

    lines = output.splitlines()
    row = next(
        line for line in lines if line.split()[:1] == ["Dealer"] and "dealer_manager" in line
    )
    assert "SH001" in row and DEMO_PASSWORD in row
    assert any("region_manager" in line and "华东" in line for line in lines)
    assert any(line.startswith("Administrator") and "admin " in line for line in lines)
