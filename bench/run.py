"""``make bench``: build a dataset, start the real server, measure, write docs/benchmarks.md.

Settings (environment variables):
  BENCH_DATABASE_URL   database to build and measure (default: SQLite file var/bench/bench.sqlite3;
                       a PostgreSQL database must exist and be empty or already seeded)
  BENCH_SCALE          seed_demo scale: small, medium or large (default large, 1,500 dealers)
  BENCH_SEED           seed_demo seed (default 1)
  BENCH_REQUESTS       requests per measurement (default 1000)
  BENCH_CONCURRENCY    concurrent clients (default 2)
  BENCH_OUTPUT         report file (default docs/benchmarks.md)

Later measurements: add a module with ``measure(bench) -> section`` and list it in MEASUREMENTS.
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

from bench import dealer_list
from bench.harness import ROOT, machine_description, running_server

MEASUREMENTS = [dealer_list.measure]


@dataclass
class Bench:
    """What a measurement gets: the server's address, tokens per user, and the load to apply."""

    address: str
    environment: dict[str, str]
    requests: int
    concurrency: int
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


def prepare_dataset(environment: dict[str, str], scale: str, seed: str) -> None:
    """Migrate and seed the bench database; a SQLite file seeded differently is rebuilt."""
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
    manage(environment, "seed_demo", "--scale", scale, "--seed", seed, "--if-empty")
    if url.startswith("sqlite:///"):
        stamp.write_text(wanted)
    print(f"dataset ready in {time.perf_counter() - started:.1f} s")


def dataset_description(scale: str, seed: str) -> list[tuple[str, str]]:
    from autocrm.accounts.models import User
    from autocrm.network.models import Dealer, DealerGroup, Region

    return [
        ("seed_demo", f"--scale {scale} --seed {seed}"),
        ("regions", f"{Region.objects.count():,}"),
        ("dealer groups", f"{DealerGroup.objects.count():,}"),
        ("dealers", f"{Dealer.objects.count():,}"),
        ("users", f"{User.objects.count():,}"),
    ]


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
    prepare_dataset(environment, scale, seed)

    # This process reads the same database for the bare-SQL side and the descriptions.
    os.environ.update(environment)
    import django

    django.setup()
    machine = machine_description()
    dataset = dataset_description(scale, seed)
    sections = []
    with running_server(environment) as address:
        bench = Bench(address, environment, requests, concurrency)
        for measure in MEASUREMENTS:
            started = time.perf_counter()
            section = measure(bench)
            print(f"{section['title']}: {time.perf_counter() - started:.1f} s")
            for row in section["rows"]:
                print("  " + " | ".join(row))
            sections.append(section)
    write_report(output, machine, dataset, sections)
    print(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
