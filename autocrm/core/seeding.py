"""Demo data: a registry of seeders that ``manage.py seed_demo`` runs in order.

An app adds demo data by registering a seeder, normally in its own ``seeds.py`` module (every
installed app's ``seeds`` module is imported by ``discover_seeders``)::

    from autocrm.core.seeding import SeedContext, register_seeder

    def seed_customers(context: SeedContext) -> None:
        for dealer in context.created["dealers"]:
            ...
        context.add("customers", customers)

    register_seeder("customers", seed_customers, order=100)

Determinism: before each seeder runs, ``context.rng`` (``random.Random``) and ``context.faker``
(``Faker("zh_CN")``) are re-seeded from the run's seed and the seeder's name. The same seed gives
the same data, and adding a seeder does not change what the others produce. Seeders draw all
randomness from those two and never depend on primary-key values.

The platform's own seeders live in ``autocrm/network/seeds.py`` (HQ departments, regions, dealer
groups, dealers) and ``autocrm/accounts/seeds.py`` (users), with orders 10-60; later apps use
orders from 100 on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils.module_loading import autodiscover_modules
from faker import Faker

# The one password every demo user gets. Demo data only: never seed a production database.
DEMO_PASSWORD = "demo-2026"


@dataclass(frozen=True)
class Scale:
    """How much demo data to create. ``factor`` (1, 10, 50) lets later seeders scale their own
    counts with the dealer network."""

    name: str
    factor: int
    areas: int
    cities_per_province: int | None
    dealers: int
    dealer_groups: int
    hq_staff_factor: int
    salespeople: tuple[int, int]
    service_advisors: tuple[int, int]
    # Small data goes through the services one record at a time (validation, audit entries);
    # bigger data is written with bulk_create.
    through_services: bool


SCALES: dict[str, Scale] = {
    "small": Scale("small", 1, 4, 2, 30, 5, 1, (1, 2), (1, 1), True),
    "medium": Scale("medium", 10, 6, 4, 300, 25, 3, (2, 4), (1, 2), False),
    "large": Scale("large", 50, 7, None, 1500, 80, 8, (2, 5), (1, 3), False),
}


@dataclass
class SeedContext:
    """What every seeder receives: the randomness, the scale, and what earlier seeders made."""

    seed: int
    scale: Scale
    log: Callable[[str], None] = print
    actor: Any = None  # the administrator the services run as; set by the first seeder
    created: dict[str, list[Any]] = field(default_factory=dict)
    password_hash: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per seeder
    rng: random.Random = field(init=False)
    faker: Faker = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(self.seed)

    def start(self, seeder_name: str) -> None:
        """Re-seed the randomness for one seeder (``run_seeders`` calls it)."""
        stream = f"{self.seed}:{seeder_name}"
        self.rng.seed(stream)
        self.faker.seed_instance(stream)

    def add(self, name: str, objects: list[Any]) -> None:
        self.created.setdefault(name, []).extend(objects)

    def counts(self) -> dict[str, int]:
        return {name: len(objects) for name, objects in self.created.items()}


Seeder = Callable[[SeedContext], None]


@dataclass(frozen=True)
class RegisteredSeeder:
    order: int
    name: str
    function: Seeder
    loads: tuple[str, ...] = ()  # labels of the models it bulk-loads ("app.Model")


_registry: dict[str, RegisteredSeeder] = {}


def register_seeder(
    name: str, function: Seeder, order: int = 100, loads: tuple[str, ...] = ()
) -> None:
    """Add (or replace) the seeder called ``name``; a lower ``order`` runs first. ``loads``
    names the models whose tables it fills in bulk at medium and large scale (``"app.Model"``):
    ``seed_demo`` loads those without their indexes and refreshes their statistics after."""
    _registry[name] = RegisteredSeeder(order=order, name=name, function=function, loads=loads)


def bulk_loaded_models(seeders: list[RegisteredSeeder]) -> list[Any]:
    from django.apps import apps

    return [apps.get_model(label) for entry in seeders for label in entry.loads]


def discover_seeders() -> list[RegisteredSeeder]:
    """Import every installed app's ``seeds`` module, then list the seeders in run order."""
    autodiscover_modules("seeds")
    return sorted(_registry.values(), key=lambda entry: (entry.order, entry.name))


def run_seeders(*, seed: int, scale: Scale, log: Callable[[str], None] = print) -> SeedContext:
    """Run every registered seeder in order. The caller wraps this in one transaction."""
    context = SeedContext(seed=seed, scale=scale, log=log)
    for entry in discover_seeders():
        context.start(entry.name)
        started = time.perf_counter()
        entry.function(context)
        context.timings[entry.name] = time.perf_counter() - started
    return context


def demo_password_hash(context: SeedContext) -> str:
    # Hashing once keeps large seeds fast; every demo user shares the hash (demo data only).
    if not context.password_hash:
        context.password_hash = make_password(DEMO_PASSWORD)
    return context.password_hash
