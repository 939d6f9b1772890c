"""``manage.py seed_demo``: fill an empty database with deterministic demo data."""

from __future__ import annotations

import contextlib
import time
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from autocrm.accounts.seeds import demo_logins
from autocrm.core.bulkload import analyze, indexes_deferred
from autocrm.core.channels import Channel, working_through
from autocrm.core.seeding import SCALES, bulk_loaded_models, discover_seeders, run_seeders


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def format_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(_width(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


class Command(BaseCommand):
    help = (
        "Create demo data (HQ departments, sales areas with real provinces and cities, dealer "
        "groups, dealers, and users for every role) and print one login per role. The same "
        "--seed always gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help="small ≈ 30 dealers, medium ≈ 300, large ≈ 1,500",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when any dealer exists",
        )

    def handle(self, *args: Any, scale: str, seed: int, if_empty: bool, **options: Any) -> None:
        from autocrm.network.models import Dealer

        if Dealer.objects.exists():
            if not if_empty:
                raise CommandError(
                    "The database already has dealers. Seed an empty database, or pass "
                    "--if-empty to leave it as it is."
                )
            self.stdout.write("The database already has data; nothing was added.")
        else:
            started = time.perf_counter()
            loaded = bulk_loaded_models(discover_seeders())
            bulk = contextlib.nullcontext() if SCALES[scale].through_services else None
            with transaction.atomic(), working_through(Channel.SYSTEM):
                with bulk or indexes_deferred(loaded):
                    context = run_seeders(seed=seed, scale=SCALES[scale], log=self.stdout.write)
                    loaded_at = time.perf_counter()
                indexed_at = time.perf_counter()
                analyze()
                self.stdout.write(
                    f"  indexes and constraints in {indexed_at - loaded_at:.1f} s, "
                    f"statistics in {time.perf_counter() - indexed_at:.1f} s"
                )
            counts = context.counts()
            summary = ", ".join(
                f"{counts.get(name, 0)} {name.replace('_', ' ')}"
                for name in ("areas", "provinces", "cities", "dealer_groups", "dealers",
                             "departments", "users")
            )  # fmt: skip
            elapsed = time.perf_counter() - started
            self.stdout.write(
                self.style.SUCCESS(f"Seeded {scale} demo data (seed {seed}) in {elapsed:.1f} s: ")
                + summary
            )
        rows = demo_logins()
        if rows:
            self.stdout.write("\nDemo logins:\n")
            self.stdout.write(format_table(("role", "user name", "password", "sees"), rows))
            self.stdout.write("")
