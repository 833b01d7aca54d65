"""Whole-book sweeps of the sandbox with 1, 2 and 4 worker processes.

Each run is what `make run` does, in a scratch database of its own (a SQLite
file in a temporary directory, or a PostgreSQL database named after the
configured one with `_sweep` appended): migrate, `demo_setup`, N `manage.py
db_worker` processes, then two sweeps back to back with `sync_invoices --book
--wait`. The first fills an empty cache (discovery, every invoice inserted),
the second refreshes it (discovery again, every invoice upserted): the second
is what a nightly sweep costs.

The sandbox is served by this process on a loopback port (bench/refresh.py's
server), which notes the time of every request, so the Fusebill requests per
minute are counted where the provider would count them. Fusebill's ceiling is
the demo key's limit (the sandbox refuses with 429 above it); the budget the
workers share (invoices/budget.py) is what should keep them under it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import environ
from django.conf import settings
from django.db import connection, connections
from django.db.models import Max

from bench.refresh import SandboxServer
from invoices.models import Invoice, Sweep, SweepItem
from sandbox.fusebill.ratelimit import limiter
from sandbox.world import FUSEBILL_KEYS, world

ALIAS = "sweep"  # the scratch database, as the measuring process reads it
WINDOW = 60.0  # Fusebill's rate-limit window, seconds
CEILING = next(key.per_window for key in FUSEBILL_KEYS.values() if key.name == "live")
MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]


@dataclass
class SweepTiming:
    seconds: float
    discovery_seconds: float  # until the last account's discovery ended
    customers: int  # customers the sweep refreshed (its items)
    failed: int
    # Account name -> its customers (those with invoices there) per second, until the last of them ended.
    per_account: dict[str, float]


@dataclass
class Run:
    workers: int
    sweeps: list[SweepTiming] = field(default_factory=list)
    fusebill_requests: int = 0
    busiest_minute: int = 0  # the most Fusebill requests in any 60 s, wherever it starts
    mean_per_minute: float = 0.0  # over the span from the first Fusebill request to the last
    refused: int = 0  # 429s the sandbox answered
    errors: list[str] = field(default_factory=list)


def measure(worker_counts: list[int], log: Callable[[str], None]) -> list[Run]:
    world()  # the emulators' data is built before any clock starts
    runs = []
    with SandboxServer() as server:
        for workers in worker_counts:
            log(f"  {workers} worker(s)…")
            with scratch_database() as url:
                runs.append(sweep_with(workers, url, server))
            run = runs[-1]
            for n, timing in enumerate(run.sweeps, start=1):
                log(
                    f"    sweep {n}: {timing.customers} customers in {timing.seconds:.1f} s "
                    f"(discovery {timing.discovery_seconds:.1f} s), {timing.failed} failed"
                )
            log(
                f"    Fusebill: {run.fusebill_requests} requests, busiest minute {run.busiest_minute} "
                f"of {CEILING}, {run.refused} refused"
            )
    return runs


def sweep_with(workers: int, url: str, server: SandboxServer) -> Run:
    env = {**os.environ, "DATABASE_URL": url, "SANDBOX_ENABLED": "1"}
    env.pop("TASKS_REDIS_URL", None)  # the database queue, as `make run` has it
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "demo_setup", "--base-url", server.url)
    with limiter.lock:  # a fresh Fusebill window and a fresh count for every run
        limiter.windows.clear()
        limiter.usage.clear()
    server.app.take()
    run = Run(workers)
    with worker_processes(workers, env):
        for _ in range(2):
            done = subprocess.run([*MANAGE, "sync_invoices", "--book", "--wait", "-v", "0"], env=env, **QUIET)
            if done.returncode:
                run.errors.append(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "exit code")
            run.sweeps.append(timing_of_last_sweep())
    count_fusebill(run, server.app.take())
    return run


QUIET = {"capture_output": True, "text": True, "check": False}


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([*MANAGE, *args], env=env, **QUIET)
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed: {done.stderr.strip()[-500:]}")


@contextmanager
def worker_processes(count: int, env: dict[str, str]) -> Iterator[None]:
    """`count` db_worker processes, polling the queue five times a second, stopped on exit."""
    command = [*MANAGE, "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2", "-v", "0"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()  # db_worker finishes its task and exits on SIGTERM
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def timing_of_last_sweep() -> SweepTiming:
    sweep = Sweep.objects.using(ALIAS).order_by("-pk").first()
    if sweep is None or sweep.finished_at is None:
        return SweepTiming(0.0, 0.0, 0, 0, {})
    items = SweepItem.objects.using(ALIAS).filter(sweep=sweep)
    per_account = {}
    discovered = sweep.accounts.using(ALIAS).aggregate(last=Max("discovered_at"))["last"] or sweep.started_at
    for row in sweep.accounts.using(ALIAS).select_related("account"):
        # Every customer gets a link to every account it was asked at; invoices say whose customer it is.
        mine = items.filter(customer__in=Invoice.objects.using(ALIAS).filter(account=row.account_id).values("customer"))
        last = mine.aggregate(last=Max("ended_at"))["last"]
        if last is not None:
            per_account[row.account.name] = mine.count() / max((last - sweep.started_at).total_seconds(), 1e-3)
    return SweepTiming(
        (sweep.finished_at - sweep.started_at).total_seconds(),
        (discovered - sweep.started_at).total_seconds(),
        items.count(),
        items.filter(state=SweepItem.State.FAILED).count(),
        per_account,
    )


def count_fusebill(run: Run, requests: list[tuple[float, str]]) -> None:
    times = sorted(t for t, path in requests if path.startswith("/sandbox/fusebill/"))
    run.fusebill_requests = len(times)
    run.busiest_minute = busiest_window(times, WINDOW)
    if len(times) > 1:
        run.mean_per_minute = (len(times) - 1) / (times[-1] - times[0]) * WINDOW
    with limiter.lock:
        run.refused = limiter.usage.get("live", {}).get("refused", 0)


def busiest_window(times: list[float], width: float) -> int:
    """The most of the sorted `times` that fall in any half-open window [t, t + width)."""
    return max((bisect_left(times, start + width) - i for i, start in enumerate(times)), default=0)


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database beside the configured one, as a URL, readable here as ALIAS; dropped on exit."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_sweep"
        params = connection.get_connection_params()
        base = f"postgres://{params.get('user', '')}@{params.get('host', '')}:{params.get('port', 5432)}"
        drop_database(name)
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        url = f"{base}/{name}"
        try:
            with readable(url):
                yield url
        finally:
            drop_database(name)
        return
    with tempfile.TemporaryDirectory(prefix="arportal-sweep-") as directory:
        url = f"sqlite:///{directory}/sweep.sqlite3"
        with readable(url):
            yield url


def drop_database(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def readable(url: str) -> Iterator[None]:
    """The database at `url` as the connection ALIAS of this process, for as long as the `with` lasts.

    Only this measuring process reads it there; the workers are configured by
    DATABASE_URL like any other run.
    """
    # configure_settings fills in Django's defaults; it insists on a "default" alias.
    connections.settings[ALIAS] = connections.configure_settings({"default": environ.Env.db_url_config(url)})["default"]
    try:
        yield
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
