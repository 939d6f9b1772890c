"""Import throughput with identity resolution: a generated CSV through
``manage.py import_records`` in a subprocess, as an administrator would run it.

Besides the wall time, the CPU seconds of the parts: the import's process (resolving, and its
writer thread) with the reading process it forks, and the PostgreSQL server (every server
process, so on a machine shared with other work the figure includes theirs). On a machine
that is not idle, the CPU seconds are the figures to compare."""

from __future__ import annotations

import csv
import datetime
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.harness import ROOT, not_available

TITLE = "Import with identity resolution"
BORN_FROM, BORN_DAYS = datetime.date(1970, 1, 1), 10_950
HEADER = ["姓名", "手机", "身份证号", "车架号", "车型", "车牌号", "购车日期", "经销商代码"]


def default_rows(scale: str, vendor: str) -> int:
    if scale == "large":
        return 1_000_000 if vendor == "postgresql" else 100_000
    return {"small": 2_000, "medium": 100_000}.get(scale, 10_000)


def write_csv(path: Path, rows: int) -> int:
    """``rows`` rows: about 30 % people already known (their mobile and name, a new car), the
    rest new people, half with an ID number, each with a new car. Returns the known share."""
    from autocrm.customers.models import ContactPoint
    from autocrm.customers.seeds import mobile_number, resident_id
    from autocrm.network.models import Dealer
    from autocrm.vehicles.models import VehicleModel
    from autocrm.vehicles.seeds import vin_for

    rng = random.Random(7)
    known = list(
        ContactPoint.objects.filter(kind="phone", is_mobile=True, customer__kind="individual")
        .order_by("customer_id")
        .values_list("normalised", "customer__name")[: rows * 3 // 10]
    )
    dealers = list(Dealer.objects.filter(sells_vehicles=True).values_list("code", flat=True))
    models = list(VehicleModel.objects.values_list("code", flat=True)) or [""]
    stamp = int(time.time()) % 1000
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(rows):
            if index % 10 < 3 and index // 10 * 3 + index % 10 < len(known):
                phone, name = known[index // 10 * 3 + index % 10]
                id_number = ""
            else:
                # Serials far beyond what the seeders hand out: new people.
                phone = mobile_number(50_000_000 + stamp * 1_000_000 + index)
                name = f"导入客户{index}"
                # A birth date and sequence of their own (5 million apart): new people.
                born = (BORN_FROM + datetime.timedelta(days=index % BORN_DAYS)).isoformat()
                sequence = index // BORN_DAYS % 500
                id_number = resident_id("310115", born, sequence, True) if index % 2 else ""
            vin = vin_for("LSJ", "RZ9D", 2024, "S", index)  # a VDS the seeders never use
            writer.writerow([
                name, phone, id_number, vin, rng.choice(models), "",
                f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}", rng.choice(dealers),
            ])  # fmt: skip
    return len(known)


def _server_cpu_by_process() -> dict[int, float] | None:
    """CPU seconds used so far by each process named ``postgres`` (Linux ``/proc``; None
    elsewhere)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, _sep, rest = stat.partition(" (")[2].rpartition(") ")
        if name != "postgres":
            continue
        fields = rest.split()
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


class ServerCpu:
    """The PostgreSQL server's CPU seconds over a span, sampled every half second: the
    backends that serve the import end with it, and a reading taken afterwards alone would
    miss them (what they used after the last sample, under half a second each, is missed)."""

    def __init__(self) -> None:
        self.start = _server_cpu_by_process()
        self.last: dict[int, float] = dict(self.start or {})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        if self.start is not None:
            self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.last.update(_server_cpu_by_process() or {})

    def seconds(self) -> float | None:
        if self.start is None:
            return None
        self._stop.set()
        self._thread.join()
        self.last.update(_server_cpu_by_process() or {})
        start = self.start
        return sum(used - start.get(pid, 0.0) for pid, used in self.last.items())


def _cpu_summary(client: float, server: float | None) -> str:
    text = f"import process and its reader {client:.0f} s"
    if server is not None:
        text += f", PostgreSQL server {server:.0f} s (all its processes)"
    return text


def measure(bench: Any) -> dict[str, Any]:
    from django.core.management import get_commands
    from django.db import connection

    if "import_records" not in get_commands():
        return not_available(TITLE, "`manage.py import_records` is not in this version.")
    rows = int(os.environ.get("BENCH_IMPORT_ROWS") or default_rows(bench.scale, connection.vendor))
    path = ROOT / "var" / "bench" / f"import-{rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    known = write_csv(path, rows)
    source = f"bench-{time.strftime('%Y%m%d%H%M%S')}"
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = ServerCpu() if connection.vendor == "postgresql" else None
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "import_records", str(path), "--source", source],
        cwd=ROOT, env=bench.environment, text=True, capture_output=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    server_cpu = server.seconds() if server is not None else None
    if result.returncode != 0:
        raise RuntimeError(f"import_records failed: {(result.stdout + result.stderr)[-500:]}")
    summary = next(
        (line for line in result.stdout.splitlines() if re.match(r"import \d+ done", line)), ""
    )
    return {
        "title": TITLE,
        "description": (
            f"`manage.py import_records FILE --source {source}` on a generated UTF-8 CSV of "
            f"{rows:,} rows (name, mobile, ID number for half the new people, VIN, model, "
            f"purchase date, dealer code); {known:,} rows are people already in the database "
            "(same mobile and name), the others new, every VIN new. Wall time of the subprocess, "
            "start-up included, and the CPU seconds of the parts (on a machine that is not "
            "idle the wall time grows with the others' work, the CPU seconds much less). "
            "Budget: 1 million rows in under 2 minutes on PostgreSQL, 100,000 on SQLite."
        ),
        "header": ["rows", "seconds", "rows/s", "CPU seconds", "import's own summary"],
        "rows": [
            [
                f"{rows:,}",
                f"{elapsed:.1f}",
                f"{rows / elapsed:,.0f}",
                _cpu_summary(client_cpu, server_cpu),
                summary,
            ]
        ],
    }
