"""The benchmark's report: the machine, the numbers, the targets, as Markdown.

BENCHMARKS.md keeps one section per database vendor between HTML comment
markers; a run replaces its own vendor's section and keeps the others, so
running on SQLite and then on PostgreSQL leaves both side by side.
"""

import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.db import connection
from django.utils import timezone

from bench import sweep

QUERY_LIMIT = 12
# The customer page adds to the summaries the follow-up panel and the contact details:
# seven reads whose number, like the rest, does not grow with the book.
CUSTOMER_QUERY_LIMIT = 15
FLOOR_LIMIT = 2.0

HEADER = """# Benchmarks

Written by `python manage.py benchmark` (`make bench`; see
`bench/management/commands/benchmark.py` for what is measured and why).
Each database vendor has its own section; a run replaces only its own.

    DEBUG=1 make bench                                                        # SQLite, db.sqlite3
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench   # PostgreSQL

(`DEBUG=1` only supplies the development SECRET_KEY and FIELD_ENCRYPTION_KEY;
set those instead to run without it. The pages are measured with DEBUG off
either way.) Options: `--customers`, `--invoices`, `--big`, `--runs`,
`--keep` (reuse the dataset), `--sweep-workers` (1,2,4; 0 skips the sweeps),
`--no-load`, `--output`.
"""


@dataclass
class Run:
    dataset: object  # bench.dataset.Dataset
    pages: dict  # key -> measure.Result
    floor: object  # measure.Result
    floor_matches: bool
    refresh: list  # refresh.Step
    load: dict | None  # bench/client.py's summary, None with --no-load
    runs: int
    sweeps: list = field(default_factory=list)  # sweep.Run, one per worker count


# The machine ------------------------------------------------------------------


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown memory"


def database():
    """(section key, human name with version)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return vendor, f"SQLite {cursor.fetchone()[0]}"
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return vendor, f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return vendor, connection.display_name


def machine():
    return (
        f"{cpu_model()}, {os.cpu_count()} CPUs, {memory()} RAM; Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )


# Markdown ---------------------------------------------------------------------


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(value):
    return f"{value:,.1f}"


def verdict(ok):
    return "met" if ok else "**not met**"


def section(run):
    _, db_name = database()
    data = run.dataset
    analyze = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    if data.build_seconds is None:
        built = "reused (`--keep`)"
    else:
        built = f"built in {data.build_seconds:.0f} s, then `{analyze}`"
    parts = [
        f"## {db_name}",
        f"Run {timezone.now():%Y-%m-%d %H:%M} UTC on {machine()}; "
        f"database {db_name} ({connection.settings_dict['NAME']}).",
        (
            f"Dataset: {data.customer_count:,} customers, {data.invoice_count:,} invoices (Qvickly and Fusebill "
            f"accounts; SEK, EUR, USD; two years of due dates; credit invoices), the biggest customer with "
            f"{data.big_count:,} invoices; {built}."
        ),
        "### Pages",
        (
            f"In-process (Django test client, logged in as a superuser): median and 95th percentile of {run.runs} "
            "requests after 2 warm-ups; queries counted in one more request."
        ),
        pages_table(run),
        "### Targets",
        targets_table(run),
        "### Refresh of the sandbox's 5,000-invoice Fusebill customer",
        "Over real HTTP to the emulator (100 invoices a page), inside a transaction rolled back afterwards.",
        refresh_table(run),
        "### Whole-book sweep of the sandbox",
        sweep_text(run),
        "### Load",
        load_text(run),
        "### Slowest queries of each page",
        (
            "From the counting request, as Django's debug cursor times them (the execute call; SQLite does part "
            "of the work while rows are fetched, so its figures are low); SQL cut at 300 characters."
        ),
        slowest_text(run),
    ]
    return "\n\n".join(parts) + "\n"


def pages_table(run):
    order = ["customer", "admin", "home", "aging", "invoice"]
    rows = [[page.name, ms(page.median_ms), ms(page.p95_ms), page.queries] for page in (run.pages[k] for k in order)]
    floor = run.floor
    agrees = "agrees with the ORM's totals" if run.floor_matches else "**disagrees with the ORM's totals**"
    rows.append([f"{floor.name}, {agrees}", ms(floor.median_ms), ms(floor.p95_ms), floor.queries])
    return table(["page", "median ms", "p95 ms", "queries"], rows)


def ratios(run):
    customer, admin, home = run.pages["customer"], run.pages["admin"], run.pages["home"]
    return customer.median_ms / admin.median_ms, home.median_ms / run.floor.median_ms


def targets(run):
    """(target, measured, met) rows; also what the command prints."""
    vs_admin, vs_floor = ratios(run)
    queries = {key: run.pages[key].queries for key in ("customer", "home", "aging")}
    rows = [
        (
            f"Customer page ≤ {CUSTOMER_QUERY_LIMIT} queries",
            queries["customer"],
            queries["customer"] <= CUSTOMER_QUERY_LIMIT,
        ),
        (f"Home page summary ≤ {QUERY_LIMIT} queries", queries["home"], queries["home"] <= QUERY_LIMIT),
        (f"Aging report ≤ {QUERY_LIMIT} queries", queries["aging"], queries["aging"] <= QUERY_LIMIT),
        (f"Home page within {FLOOR_LIMIT:g}× the hand-written SQL", f"{vs_floor:.2f}×", vs_floor <= FLOOR_LIMIT),
        ("Customer page no slower than the admin change list", f"{vs_admin:.2f}×", vs_admin <= 1.0),
    ]
    rows += sweep_targets(run)
    if run.load is None:
        rows.append(("Zero errors under load", "not run (`--no-load`)", None))
    else:
        rows.append(("Zero errors under load", run.load["errors"], run.load["errors"] == 0))
    return rows


SWEEP_SHARE = 0.8  # of the Fusebill ceiling, with the most workers measured


def sweep_targets(run):
    if not run.sweeps:
        return []
    ceiling, most = sweep.CEILING, max(run.sweeps, key=lambda r: r.workers)
    busiest = max(r.busiest_minute for r in run.sweeps)
    refused = sum(r.refused for r in run.sweeps)
    return [
        (
            f"Fusebill with {most.workers} workers: busiest minute ≥ {SWEEP_SHARE:.0%} of the ceiling",
            f"{most.busiest_minute / ceiling:.0%}",
            most.busiest_minute >= SWEEP_SHARE * ceiling,
        ),
        (
            f"Fusebill never above the ceiling ({ceiling:,} a minute), no 429",
            f"busiest {busiest:,}, {refused} refused",
            busiest <= ceiling and refused == 0,
        ),
    ]


def targets_table(run):
    rows = [(t, m, "—" if ok is None else verdict(ok)) for t, m, ok in targets(run)]
    return table(["target", "measured", "verdict"], rows)


def refresh_table(run):
    rows = [
        [
            s.name,
            f"{s.seconds:.2f}",
            s.invoice_pages,
            s.requests,
            f"{s.rows:,}",
            s.rows - s.distinct,
            "; ".join(s.problems) or "none",
        ]
        for s in run.refresh
    ]
    return table(["step", "seconds", "invoice pages", "requests", "rows", "duplicates", "problems"], rows)


def sweep_text(run):
    if not run.sweeps:
        return "Not run (`--sweep-workers 0`)."
    ceiling = sweep.CEILING
    shape = (
        "Each run: a scratch database, `demo_setup`, N `db_worker` processes on this machine, then two "
        "`sync_invoices --book` sweeps back to back (the first into an empty cache, the second refreshing "
        "it). Customers per second: customers the sweep refreshed over its time from start to finish; per "
        "account, the customers with invoices there until the last of them was done. Fusebill requests "
        f"as the sandbox received them: the most in any 60 s window against the demo key's {ceiling:,} a "
        "minute (the ceiling; above it the sandbox answers 429), and the mean over the span of both sweeps."
    )
    accounts = sorted({name for r in run.sweeps for t in r.sweeps for name in t.per_account})
    header = ["workers", "sweep", "customers", "seconds", "discovery s", "customers/s"]
    header += [f"{name} customers/s" for name in accounts]
    rows = []
    for r in run.sweeps:
        for n, t in enumerate(r.sweeps, start=1):
            row = [r.workers, ("first", "second")[n - 1] if n <= 2 else n, t.customers, f"{t.seconds:.1f}"]
            row += [f"{t.discovery_seconds:.1f}", f"{t.customers / t.seconds:.2f}" if t.seconds else "—"]
            row += [f"{t.per_account[name]:.2f}" if name in t.per_account else "—" for name in accounts]
            rows.append(row)
    fusebill = [
        [
            r.workers,
            f"{r.fusebill_requests:,}",
            f"{r.busiest_minute:,} ({r.busiest_minute / ceiling:.0%})",
            f"{r.mean_per_minute:,.0f} ({r.mean_per_minute / ceiling:.0%})",
            r.refused,
            "; ".join(r.errors) or "none",
        ]
        for r in run.sweeps
    ]
    fusebill_header = ["workers", "Fusebill requests", "busiest 60 s", "mean per minute", "refused (429)", "errors"]
    return "\n\n".join([shape, table(header, rows), table(fusebill_header, fusebill)])


def load_text(run):
    load = run.load
    if load is None:
        return "Not run (`--no-load`)."
    shape = (
        f"gunicorn, {load['workers']} {load['worker_class']} workers, production settings on plain HTTP; "
        f"{load['clients']} concurrent clients in a second process, logged in through the login form, "
        f"for at most {load['limit_seconds']:g} s or {load['max_requests']:,} requests; a mix of the home page, "
        f"the aging report, {load['customer_pages']} customer pages (the 5,000-invoice one among them) and the "
        "invoice detail. Latency is as the client saw it."
    )
    rows = [
        [
            f"{load['requests']:,} in {load['seconds']:.1f} s",
            f"{load['rps']:.1f}",
            ms(load["median_ms"]),
            ms(load["p95_ms"]),
            load["errors"],
        ]
    ]
    text = [shape, table(["requests", "requests/s", "median ms", "p95 ms", "errors"], rows)]
    text.append(table(["path", "median ms"], [[f"`{p}`", ms(v)] for p, v in load["per_path"].items()]))
    if load["error_samples"]:
        text.append("Errors: " + "; ".join(load["error_samples"]))
    return "\n\n".join(text)


def slowest_text(run):
    blocks = []
    for result in run.pages.values():
        lines = [f"- {q_ms:.1f} ms: `{' '.join(sql.split())[:300]}`" for q_ms, sql in result.slowest]
        blocks.append(f"{result.name}:\n\n" + "\n".join(lines))
    return "\n\n".join(blocks)


# The file ---------------------------------------------------------------------


def write(path, text):
    """Replace this vendor's section of `path` (or add it), keeping the rest; atomic rename."""
    vendor, _ = database()
    start, end = f"<!-- benchmark:{vendor} -->", f"<!-- /benchmark:{vendor} -->"
    block = f"{start}\n{text}{end}\n"
    path = Path(path)
    current = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: block, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + block
    temporary = path.with_suffix(".tmp")
    temporary.write_text(updated, encoding="utf-8")
    temporary.replace(path)
