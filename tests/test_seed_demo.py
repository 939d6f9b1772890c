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
from autocrm.activities.models import Interaction
from autocrm.core.seeding import DEMO_PASSWORD
from autocrm.customers.models import ContactPoint, Customer, CustomerDealer, CustomerRelationship
from autocrm.network.choices import DealerType, RegionLevel
from autocrm.network.models import Dealer, DealerGroup, HQDepartment, Region
from autocrm.network.seeds import short_place_name
from autocrm.vehicles.models import Ownership, Vehicle, VehicleEvent

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
        "customers": list(
            Customer.objects.order_by("number").values_list(
                "number",
                "name",
                "kind",
                "status",
                "id_number_masked",
                "credit_code",
                "manager__username",
                "city__code",
                "birth_date",
            )
        ),
        "contact_points": list(
            ContactPoint.objects.order_by("customer__number", "kind", "normalised").values_list(
                "customer__number", "kind", "value", "normalised", "is_primary"
            )
        ),
        "vehicles": list(
            Vehicle.objects.order_by("vin").values_list(
                "vin", "plate", "model__code", "dealer__code", "status", "current_mileage"
            )
        ),
        "ownerships": list(
            Ownership.objects.order_by("vehicle__vin", "started_on").values_list(
                "vehicle__vin", "customer__number", "started_on", "ended_on"
            )
        ),
        "interactions": list(
            Interaction.objects.order_by("customer__number", "occurred_at", "subject").values_list(
                "customer__number", "channel", "occurred_at", "subject", "user__username"
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


# --- the system of record -----------------------------------------------------------------


def test_seeded_identifiers_pass_the_validators() -> None:
    from django.conf import settings

    from autocrm.customers.identifiers import (
        decrypt_identifier,
        fold_name,
        identifier_hash,
        is_mobile,
        mask_resident_id,
        name_initials,
        normalise_phone,
        validate_credit_code,
        validate_resident_id,
    )
    from autocrm.vehicles.vin import normalise_plate, validate_vin

    seed(scale="small", seed=3)

    customers = list(Customer.objects.all())
    assert len(customers) == 240
    with_id_number = 0
    for customer in customers:
        assert customer.number == f"C{customer.pk:09d}"
        assert customer.name_folded == fold_name(customer.name)
        assert customer.name_initials == name_initials(customer.name)
        if customer.id_number_encrypted:
            with_id_number += 1
            number = validate_resident_id(decrypt_identifier(customer.id_number_encrypted))
            assert customer.id_number_hash == identifier_hash(number)
            assert customer.id_number_masked == mask_resident_id(number)
            assert customer.birth_date.strftime("%Y%m%d") == number[6:14]
            assert (customer.gender == "male") == (int(number[16]) % 2 == 1)
        if customer.credit_code:
            assert validate_credit_code(customer.credit_code) == customer.credit_code
    assert with_id_number > 150
    phones = ContactPoint.objects.filter(kind="phone")
    assert phones.filter(is_mobile=True).count() > 200
    for phone in phones:
        assert normalise_phone(phone.value) == phone.normalised, phone.value
        assert is_mobile(phone.normalised) == phone.is_mobile
    vehicles = list(Vehicle.objects.all())
    assert len(vehicles) > 250
    oem = [v for v in vehicles if v.vin[:3] in settings.AUTOCRM_OEM_WMIS]
    assert len(oem) > 200
    for vehicle in vehicles:
        parsed = validate_vin(vehicle.vin)  # OEM VINs with a wrong check digit would raise
        assert parsed.check_digit_ok == vehicle.vin_check_digit_ok
        assert vehicle.vin_tail == vehicle.vin[-6:]
        assert vehicle.plate == normalise_plate(vehicle.plate)
    flagged = [v for v in vehicles if not v.vin_check_digit_ok]
    assert flagged and all(v.vin[:3] not in settings.AUTOCRM_OEM_WMIS for v in flagged)


def test_ownership_histories_and_statuses_agree() -> None:
    seed(scale="small", seed=3)

    current = Ownership.objects.filter(ended_on__isnull=True)
    owners = set(current.values_list("customer_id", flat=True))
    assert set(Customer.objects.filter(status="owner").values_list("pk", flat=True)) == owners
    for former in Customer.objects.filter(status="former_owner"):
        assert former.pk not in owners
        assert Ownership.objects.filter(customer=former, ended_on__isnull=False).exists()
    transferred = VehicleEvent.objects.filter(kind="transferred").values_list("vehicle", flat=True)
    assert transferred
    for vehicle_id in transferred:
        history = list(Ownership.objects.filter(vehicle_id=vehicle_id).order_by("started_on"))
        assert len(history) == 2 and history[0].ended_on == history[1].started_on
    sold = VehicleEvent.objects.filter(kind="sold", vehicle__vin__startswith="LS")
    for event in sold.select_related("vehicle")[:50]:
        built = VehicleEvent.objects.get(vehicle=event.vehicle, kind="built")
        assert built.occurred_at < event.occurred_at


def test_the_demo_customers_the_readme_and_the_bench_use() -> None:
    from autocrm.customers.seeds import FLEET_CUSTOMER_NAME

    seed(scale="small", seed=1)

    demo = Customer.objects.get(name="张三丰")
    assert demo.name_initials == "zsf"
    phone = demo.contact_points.get(kind="phone", is_primary=True)
    assert (phone.value, phone.normalised) == ("138 1234 5678", "+8613812345678")
    assert set(demo.dealer_links.values_list("dealer__code", flat=True)) == {"SH001"}
    assert demo.manager is not None and demo.manager.username == "salesperson"
    assert demo.ownerships.filter(ended_on__isnull=True).count() == 3
    assert demo.interactions.count() == 12
    fleet = Customer.objects.get(name=FLEET_CUSTOMER_NAME)
    assert fleet.ownerships.filter(ended_on__isnull=True).count() == 20
    assert fleet.interactions.count() == 2000
    assert CustomerRelationship.objects.filter(customer=fleet, kind="company_contact").exists()
    assert ContactPoint.objects.filter(normalised="+8613812345678").count() == 1


def test_dealer_staff_see_only_their_dealers_seeded_customers() -> None:
    seed(scale="small", seed=1)

    salesperson = User.objects.get(username=demo_username(Role.SALESPERSON))
    linked = set(
        CustomerDealer.objects.filter(dealer=salesperson.dealer).values_list("customer", flat=True)
    )
    visible = set(Customer.objects.visible_to(salesperson).values_list("pk", flat=True))
    assert visible == linked and len(visible) > 10
    other_dealer = User.objects.filter(role=Role.SALESPERSON).exclude(dealer=salesperson.dealer)[0]
    theirs = set(Customer.objects.visible_to(other_dealer).values_list("pk", flat=True))
    assert theirs == linked_to(other_dealer)
    assert Customer.objects.get(name="张三丰").pk in visible - theirs
    analyst = User.objects.get(username=demo_username(Role.ANALYST))
    assert Customer.objects.visible_to(analyst).count() == Customer.objects.count()
    assert set(Interaction.objects.visible_to(salesperson).values_list("customer", flat=True)) <= (
        visible
    )


def linked_to(user: User) -> set[int]:
    return set(CustomerDealer.objects.filter(dealer=user.dealer).values_list("customer", flat=True))
