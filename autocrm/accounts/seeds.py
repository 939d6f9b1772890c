"""Demo users: an administrator, HQ staff in their departments, region managers, dealer staff,
and one demo login per role. Run by ``manage.py seed_demo`` after the network seeders."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from autocrm.core.seeding import DEMO_PASSWORD, SeedContext, demo_password_hash, register_seeder
from autocrm.network.seeds import DEPARTMENTS


def _person(context: SeedContext, username: str, role: str, **placement: Any) -> Any:
    from autocrm.accounts.models import User

    last_name, first_name = context.faker.last_name(), context.faker.first_name()
    return User(
        username=username,
        role=role,
        password=demo_password_hash(context),
        last_name=last_name,
        first_name=first_name,
        display_name=last_name + first_name,
        phone=context.faker.phone_number(),
        email=f"{username}@example.com",
        is_active=True,
        **placement,
    )


def seed_administrator(context: SeedContext) -> None:
    """The ``admin`` superuser (role administrator); the other seeders act as them."""
    from autocrm.accounts.choices import Role
    from autocrm.accounts.models import User

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = _person(context, "admin", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
        admin.save()
    context.actor = admin
    context.add("users", [admin])


# The demo logins: one per role, named after the role ("admin" for the administrator).
def demo_username(role: str) -> str:
    return "admin" if role == "administrator" else role


def seed_users(context: SeedContext) -> None:
    """HQ staff in their departments, a region manager per area, and each dealer's manager,
    salespeople and service advisors; plus one demo login per role."""
    from autocrm.accounts.choices import Role
    from autocrm.accounts.models import User

    rng, scale = context.rng, context.scale
    departments = {department.kind: department for department in context.created["departments"]}
    areas = context.created["areas"]
    first_dealer = context.created["dealers"][0]
    people: list[Any] = []

    def person(username: str, role: str, **placement: Any) -> None:
        people.append(_person(context, username, role, **placement))

    for code, _name, kind, role, count in DEPARTMENTS:
        department = departments[kind]
        if role != Role.ADMINISTRATOR:
            person(demo_username(role), role, hq_department=department)
        for number in range(1, count * scale.hq_staff_factor + 1):
            person(f"{code.lower()}.{number:02d}", role, hq_department=department)
    person(demo_username(Role.REGION_MANAGER), Role.REGION_MANAGER, region=areas[0])
    for area in areas:
        person(f"rm.{area.code.lower()}", Role.REGION_MANAGER, region=area)
    for role in (Role.DEALER_MANAGER, Role.SALESPERSON, Role.SERVICE_ADVISOR):
        person(demo_username(role), role, dealer=first_dealer)
    for dealer in context.created["dealers"]:
        prefix = dealer.code.lower()
        person(f"{prefix}.manager", Role.DEALER_MANAGER, dealer=dealer)
        if dealer.sells_vehicles:
            for number in range(1, rng.randint(*scale.salespeople) + 1):
                person(f"{prefix}.sales{number}", Role.SALESPERSON, dealer=dealer)
        if dealer.services_vehicles:
            for number in range(1, rng.randint(*scale.service_advisors) + 1):
                person(f"{prefix}.advisor{number}", Role.SERVICE_ADVISOR, dealer=dealer)
    User.objects.bulk_create(people, batch_size=1000)
    context.add("users", people)


register_seeder("accounts.administrator", seed_administrator, order=10)
register_seeder("accounts.users", seed_users, order=60)


# ---------------------------------------------------------------------------------------------
# The logins table that seed_demo prints.
# ---------------------------------------------------------------------------------------------


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(role, user name, password, what they see) for each demo login present in the database."""
    from autocrm.accounts.choices import HQ_ROLES, Role
    from autocrm.accounts.models import User
    from autocrm.network.models import Dealer

    users = User.objects.select_related("hq_department", "region", "dealer").in_bulk(
        [demo_username(role) for role in Role], field_name="username"
    )
    rows = []
    for role in Role:
        user = users.get(demo_username(role))
        if user is None:
            continue
        if user.is_superuser:
            sees = "everything; manages users and the dealer network"
        elif role in HQ_ROLES:
            department = user.hq_department.name if user.hq_department else "HQ"
            sees = f"all {Dealer.objects.count()} dealers nationwide ({department})"
        elif user.region is not None:
            count = Dealer.objects.filter(region__path__startswith=user.region.path).count()
            sees = f"the {count} dealers in {user.region.name}"
        elif user.dealer is not None:
            sees = f"{user.dealer.name} ({user.dealer.code}) only"
        else:
            sees = "nothing (no place in the network)"
        with translation.override("en"):  # the console table is in English throughout
            label = str(role.label)
        rows.append((label, user.username, DEMO_PASSWORD, sees))
    return rows
