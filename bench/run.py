"""``make bench``: build a dataset, start the real server, measure, write docs/benchmarks.md.

Settings (environment variables):
  BENCH_DATABASE_URL   database to build and measure (default: SQLite file var/bench/bench.sqlite3;
                       a PostgreSQL database must exist and be empty or already seeded)
  BENCH_SCALE          seed_demo scale: small, medium or large (default large, 1,500 dealers)
  BENCH_SEED           seed_demo seed (default 1)
  BENCH_REQUESTS       requests per measurement (default 1000)
  BENCH_CONCURRENCY    concurrent clients (default 2)
  BENCH_OUTPUT         report file (default docs/benchmarks.md)

  BENCH_ONLY           comma-separated measurement modules to run (e.g. screen_pop), default all

  BENCH_IMPORT_ROWS    rows in the generated import file (default 1,000,000 on PostgreSQL at
                       large, 100,000 on SQLite; fewer at the smaller scales)

Later measurements: add a module with ``measure(bench) -> section`` and list it in MEASUREMENTS.
A measurement whose endpoint or command does not exist yet reports "not available"; one that
fails reports the error in its section, and the others still run.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import (
    customer_360,
    customer_create,
    dealer_list,
    funnel,
    import_throughput,
    my_day,
    pipeline,
    reminders,
    screen_pop,
)
from bench.harness import ROOT, machine_description, running_server

MEASUREMENTS = [
    dealer_list.measure,
    screen_pop.measure,
    customer_360.measure,
    pipeline.measure,
    funnel.measure,
    customer_create.measure,
    reminders.measure,
    my_day.measure,
    import_throughput.measure,
]


@dataclass
class Bench:
    """What a measurement gets: the server's address, tokens per user, and the load to apply."""

    address: str
    environment: dict[str, str]
    requests: int
    concurrency: int
    scale: str = "large"
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        """A personal API token for ``username``, made by ``manage.py create_api_token``."""
        if username not in self._tokens:
            self._tokens[username] = (
                manage(self.environment, "create_api_token", username, "--name", "bench")
                .strip()
                .splitlines()[-1]
            )
        return self._tokens[username]


def manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, text=True,
        capture_output=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return result.stdout


def prepare_dataset(environment: dict[str, str], scale: str, seed: str) -> str:
    """Migrate and seed the bench database; a SQLite file seeded differently is rebuilt.
    Returns seed_demo's own summary line when it seeded (with its time)."""
    url = environment["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        stamp = path.with_suffix(".seeded")
        wanted = f"{scale} {seed}"
        if path.exists() and (not stamp.exists() or stamp.read_text().strip() != wanted):
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), stamp):
                leftover.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    manage(environment, "migrate", "--no-input", "--verbosity", "0")
    output = manage(environment, "seed_demo", "--scale", scale, "--seed", seed, "--if-empty")
    if url.startswith("sqlite:///"):
        stamp.write_text(wanted)
    print(f"dataset ready in {time.perf_counter() - started:.1f} s")
    seeded = [line for line in output.splitlines() if line.startswith(("Seeded", "  "))]
    return " ".join(line.strip() for line in seeded if " in " in line)


def dataset_description(scale: str, seed: str, seeding: str) -> list[tuple[str, str]]:
    from autocrm.accounts.models import User
    from autocrm.activities.models import Interaction
    from autocrm.customers.models import ContactPoint, Customer
    from autocrm.network.models import Dealer, DealerGroup, Region
    from autocrm.vehicles.models import Ownership, Vehicle, VehicleEvent

    rows = [("seed_demo", f"--scale {scale} --seed {seed}")]
    if seeding:
        rows.append(("seeding (this run)", seeding))
    for label, model in (
        ("regions", Region), ("dealer groups", DealerGroup), ("dealers", Dealer),
        ("users", User), ("customers", Customer), ("contact points", ContactPoint),
        ("vehicles", Vehicle), ("ownerships", Ownership), ("vehicle events", VehicleEvent),
        ("interactions", Interaction),
    ):  # fmt: skip
        rows.append((label, f"{model.objects.count():,}"))
    return rows


def _table(header: list[str], rows: list[list[str]] | list[tuple[str, str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def write_report(
    output: Path,
    machine: list[tuple[str, str]],
    dataset: list[tuple[str, str]],
    sections: list[dict[str, Any]],
) -> None:
    today = datetime.date.today().isoformat()
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`bench/run.py`) on {today}. Figures from one run on one "
        "machine, the load generator sharing the CPUs with the server: compare runs on the same "
        "machine, not across machines. The budgets are in docs/architecture.md.",
        "",
        "## Machine",
        "",
        *_table(["", ""], machine),
        "",
        "## Dataset",
        "",
        *_table(["", ""], dataset),
        "",
    ]
    for section in sections:
        lines += [f"## {section['title']}", "", section["description"], ""]
        lines += [*_table(section["header"], section["rows"]), ""]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines))


def main() -> None:
    database_url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}"
    )
    scale = os.environ.get("BENCH_SCALE", "large")
    seed = os.environ.get("BENCH_SEED", "1")
    requests = int(os.environ.get("BENCH_REQUESTS", "1000"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "2"))
    output = Path(os.environ.get("BENCH_OUTPUT") or ROOT / "docs" / "benchmarks.md")
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUTOCRM_PROFILE": "development",
        "DEBUG": "false",
        "TASK_BACKEND": "dummy",
        "DJANGO_SETTINGS_MODULE": "autocrm.settings",
    }
    print(f"bench: {scale} dataset in {database_url}")
    seeding = prepare_dataset(environment, scale, seed)

    # This process reads the same database for the bare-SQL side and the descriptions.
    os.environ.update(environment)
    import django

    django.setup()
    machine = machine_description()
    dataset = dataset_description(scale, seed, seeding)
    sections = []
    with running_server(environment) as address:
        bench = Bench(address, environment, requests, concurrency, scale)
        only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
        for measure in MEASUREMENTS:
            if only and measure.__module__.removeprefix("bench.") not in only:
                continue
            started = time.perf_counter()
            try:
                section = measure(bench)
            except Exception as error:  # one broken measurement must not lose the others
                section = {
                    "title": measure.__module__.removeprefix("bench."),
                    "description": "The measurement failed.",
                    "header": ["error"],
                    "rows": [[f"{type(error).__name__}: {str(error)[:300]}".replace("|", "/")]],
                }
            print(f"{section['title']}: {time.perf_counter() - started:.1f} s")
            for row in section["rows"]:
                print("  " + " | ".join(row))
            sections.append(section)
    write_report(output, machine, dataset, sections)
    print(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
