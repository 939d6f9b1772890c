"""Pieces every measurement shares: the server under test, a bounded HTTP load, percentiles,
timing bare SQL, and a description of the machine."""

from __future__ import annotations

import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timings:
    """Latencies in seconds of one measured operation."""

    samples: list[float] = field(default_factory=list)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.samples)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(environment: dict[str, str], workers: int = 2) -> Iterator[str]:
    """gunicorn serving autocrm on a free loopback port; yields the base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "autocrm.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 60 s") from None
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def http_get(address: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn's sync workers close it after each response)."""
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(
    request: Callable[[], None], *, total: int, concurrency: int, warm_up: int = 20
) -> Timings:
    """Call ``request`` ``total`` times from ``concurrency`` threads; time each call."""
    for _ in range(warm_up):
        request()
    timings = Timings()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client(count: int) -> None:
        mine: list[float] = []
        try:
            for _ in range(count):
                started = time.perf_counter()
                request()
                mine.append(time.perf_counter() - started)
        except BaseException as error:  # reported by the caller's thread
            errors.append(error)
        with lock:
            timings.samples.extend(mine)

    shares = [
        total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)
    ]
    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return timings


def time_sql(sql: str, params: Any, *, total: int) -> Timings:
    """Run one SELECT ``total`` times through the DB-API cursor, fetching every row."""
    from django.db import connection

    timings = Timings()
    with connection.cursor() as cursor:
        for _ in range(20):
            cursor.execute(sql, params)
            cursor.fetchall()
        for _ in range(total):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timings.samples.append(time.perf_counter() - started)
    return timings


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (file, WAL)"
        if connection.vendor == "postgresql":
            cursor.execute("show server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return connection.vendor


def machine_description() -> list[tuple[str, str]]:
    import django
    import gunicorn

    return [
        ("CPU", f"{_cpu_model()}, {os.cpu_count()} logical CPUs"),
        ("memory", _memory()),
        ("system", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("server", f"gunicorn {gunicorn.__version__}, 2 sync workers, loopback"),
        ("database", database_description()),
    ]


def route_exists(path: str) -> bool:
    """Whether the running code serves ``path`` (a measurement of an endpoint that is not built
    yet reports "not available" instead of failing the run)."""
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def not_available(title: str, why: str) -> dict[str, Any]:
    return {"title": title, "description": why, "header": ["result"], "rows": [["not available"]]}


def time_sql_each(sql: str, params: list[Any]) -> Timings:
    """Run one SELECT once per parameter set, in order; time each (execute and fetch all)."""
    from django.db import connection

    timings = Timings()
    with connection.cursor() as cursor:
        for values in params[:20]:
            cursor.execute(sql, values)
            cursor.fetchall()
        for values in params:
            started = time.perf_counter()
            cursor.execute(sql, values)
            cursor.fetchall()
            timings.samples.append(time.perf_counter() - started)
    return timings


def http_request(
    address: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, bytes]:
    """One request on a fresh connection."""
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
