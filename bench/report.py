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
# reads whose number, like the rest, does not grow with the book. (17 since its totals
# read the ids of the few invoices paid after today or issued ahead first: one small
# query that spares building the biggest one where a customer has none.)
CUSTOMER_QUERY_LIMIT = 17
# A page may cost this much more at the final size than at the first: history must not show.
GROWTH_LIMIT = 1.2
# The home page reads the balance summary, not the invoices: at most this share of the floor's time.
FLOOR_SHARE = 0.5
# The customer page reads one customer's summary and one page of invoices; the admin counts them all.
ADMIN_SHARE = 0.5
# Requests per second of the load test in the 10,000-customer, 200,000-invoice runs of
# 2026-11-22, before the balance summary; the scaling run must sustain LOAD_FACTOR times as many.
PREVIOUS_RPS = {"postgresql": 8.3, "sqlite": 4.6}
LOAD_FACTOR = 3
LOAD_P95_MS = 300

HEADER = """# Benchmarks

Written by `python manage.py benchmark` (`make bench`; see
`bench/management/commands/benchmark.py` for what is measured and why).
Each database vendor has its own section; a run replaces only its own.

    DEBUG=1 make bench                                                        # SQLite, db.sqlite3
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench   # PostgreSQL

(`DEBUG=1` only supplies the development SECRET_KEY and FIELD_ENCRYPTION_KEY;
set those instead to run without it. The pages are measured with DEBUG off
either way.)

A scaling run: the book is built at its first size and grown to each further
one with settled history only (same customers, same open invoices, older
paid invoices), and the pages are measured at every size. Options:
`--customers` (100,000), `--invoices` (the final size, 2,000,000; 5% of it
open, all from the first size), `--steps` (the sizes before it,
200000,1000000; `''` builds the final size at once), `--big` (5,000
invoices of the biggest customer), `--runs`, `--keep` (measure the dataset
an earlier run left, at its size only), `--sweep-workers` (1,2,4; 0 skips
the sweeps), `--no-load`, `--output`. The refresh, the sweeps and the load
run at the final size only.
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
    steps: list = field(default_factory=list)  # Step, one per size measured, the final one last


@dataclass
class Step:
    """The book at one size, and what its pages cost there."""

    invoices: int
    customers: int
    open_invoices: int
    build_seconds: float | None  # cumulative; None for a reused dataset
    summary_rows: int = 0
    summary_seconds: float = 0.0
    open_rows: int = 0
    open_seconds: float = 0.0
    database_bytes: int | None = None
    invoice_bytes: int | None = None  # the invoice table with its indexes, where cheap to get
    pages: dict = field(default_factory=dict)  # key -> measure.Result
    floor: object = None  # measure.Result
    floor_matches: bool = False


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
    first, final = run.steps[0], run.steps[-1]
    if data.build_seconds is None:
        built = "reused (`--keep`) and measured at its size only"
    elif len(run.steps) == 1:
        built = f"built in {data.build_seconds:.0f} s, then `{analyze}`"
    else:
        built = (
            f"built at {first.invoices:,} invoices, then grown to "
            + ", ".join(f"{step.invoices:,}" for step in run.steps[1:])
            + f" with settled history only, `{analyze}` after each; {data.build_seconds:.0f} s of writing in all"
        )
    parts = [
        f"## {db_name}",
        f"Run {timezone.now():%Y-%m-%d %H:%M} UTC on {machine()}; "
        f"database {db_name} ({connection.settings_dict['NAME']}).",
        (
            f"Dataset: {data.customer_count:,} customers, {data.invoice_count:,} invoices, "
            f"{final.open_invoices:,} of them open ({share_of(final.open_invoices, final.invoices)}); Qvickly and "
            f"Fusebill accounts; SEK, EUR, USD; credit invoices; the biggest customer with {data.big_count:,} "
            f"invoices; {built}."
        ),
        "### Scaling",
        (
            "The same book at each size: the first holds every customer, every open invoice and the last two "
            "years of settled history (the biggest customer complete); each larger one only adds settled history "
            "(paid, and a few cancelled, credited or written off), issued before the oldest invoice there was. "
            f"Median ms and queries of each page (as under Pages, {run.runs} requests), and the final size's "
            "median over the first's."
        ),
        scaling_table(run),
        "### Build",
        (
            "Per size: invoices, customers and open invoices; seconds of writing rows so far; the rebuild of the "
            "per-customer balance summary (`invoices.balances.rebuild`) at that size; the open book grouped per "
            "customer (`invoices.open_book.regroup_all`, what the first read of each day does); the database's size "
            "and the invoice table's with its indexes."
        ),
        build_table(run),
        "### Pages",
        (
            f"At the final size. In-process (Django test client, logged in as a superuser): median and 95th "
            f"percentile of {run.runs} requests after 2 warm-ups; queries counted in one more request."
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
            "At the final size, from the counting request, as Django's debug cursor times them (the execute call; "
            "SQLite does part of the work while rows are fetched, so its figures are low); SQL cut at 300 "
            "characters."
        ),
        slowest_text(run),
    ]
    return "\n\n".join(parts) + "\n"


PAGE_ORDER = ["customer", "admin", "home", "aging", "overdue", "followup", "invoice"]


def share_of(part, whole):
    return f"{part / whole:.1%}" if whole else "—"


def megabytes(size):
    return "—" if size is None else f"{size / 1024 / 1024:,.0f} MB"


def growth(first, final):
    return final.median_ms / first.median_ms


def growth_cell(run, first, final):
    return f"{growth(first, final):.2f}×" if len(run.steps) > 1 else "— (one size)"


def scaling_table(run):
    first, final = run.steps[0], run.steps[-1]
    header = ["page", *(f"{step.invoices:,} invoices" for step in run.steps), "final / first"]
    rows = []
    for key in PAGE_ORDER:
        results = [step.pages[key] for step in run.steps]
        cells = [f"{ms(r.median_ms)} ms, {r.queries} q" for r in results]
        rows.append([results[-1].name, *cells, growth_cell(run, results[0], results[-1])])
    floors = [step.floor for step in run.steps]
    rows.append(
        [
            floors[-1].name,
            *(f"{ms(f.median_ms)} ms, {f.queries} q" for f in floors),
            growth_cell(run, first.floor, final.floor),
        ]
    )
    return table(header, rows)


def build_table(run):
    rows = []
    for step in run.steps:
        summary = f"{step.summary_seconds:.2f} ({step.summary_rows:,} rows)"
        rows.append(
            [
                f"{step.invoices:,}",
                f"{step.customers:,}",
                f"{step.open_invoices:,} ({share_of(step.open_invoices, step.invoices)})",
                "—" if step.build_seconds is None else f"{step.build_seconds:.0f}",
                summary,
                f"{step.open_seconds:.2f} ({step.open_rows:,} rows)",
                megabytes(step.database_bytes),
                megabytes(step.invoice_bytes),
            ]
        )
    header = [
        "invoices",
        "customers",
        "open",
        "build s (so far)",
        "summary rebuild s",
        "open book grouped s",
        "database",
        "invoice table",
    ]
    return table(header, rows)


def pages_table(run):
    rows = [
        [page.name, ms(page.median_ms), ms(page.p95_ms), page.queries] for page in (run.pages[k] for k in PAGE_ORDER)
    ]
    floor = run.floor
    agrees = "agrees with the ORM's totals" if run.floor_matches else "**disagrees with the ORM's totals**"
    rows.append([f"{floor.name}, {agrees}", ms(floor.median_ms), ms(floor.p95_ms), floor.queries])
    return table(["page", "median ms", "p95 ms", "queries"], rows)


def ratios(run):
    customer, admin, home = run.pages["customer"], run.pages["admin"], run.pages["home"]
    return customer.median_ms / admin.median_ms, home.median_ms / run.floor.median_ms


def targets(run):
    """(target, measured, met) rows; also what the command prints. Met or not: None when not measured."""
    vs_admin, vs_floor = ratios(run)
    names = {"customer": "Customer page", "home": "Home page summary"}
    names |= {"aging": "Aging report", "overdue": "Overdue list", "followup": "Follow-up list"}
    rows = []
    for key, limit in [("customer", CUSTOMER_QUERY_LIMIT), *((k, QUERY_LIMIT) for k in list(names)[1:])]:
        most = max(step.pages[key].queries for step in run.steps)
        rows.append((f"{names[key]} ≤ {limit} queries at every size", most, most <= limit))
    for key in ("home", "aging", "overdue", "followup"):
        rows.append(growth_target(run, names[key], key))
    rows += [
        (
            f"Home page ≤ {FLOOR_SHARE:g}× the hand-written SQL (final size)",
            f"{vs_floor:.2f}×",
            vs_floor <= FLOOR_SHARE,
        ),
        (
            f"Customer page ≤ {ADMIN_SHARE:g}× the admin change list (final size)",
            f"{vs_admin:.2f}×",
            vs_admin <= ADMIN_SHARE,
        ),
    ]
    rows += sweep_targets(run)
    rows += load_targets(run)
    return rows


def growth_target(run, name, key):
    target = f"{name} at the final size within {GROWTH_LIMIT:g}× the first"
    if len(run.steps) < 2:
        return target, "one size only", None
    first, final = run.steps[0].pages[key], run.steps[-1].pages[key]
    ratio = growth(first, final)
    return target, f"{ratio:.2f}× ({ms(first.median_ms)} → {ms(final.median_ms)} ms)", ratio <= GROWTH_LIMIT


def load_targets(run):
    previous = PREVIOUS_RPS.get(connection.vendor)
    if previous:
        rps = f"Load ≥ {LOAD_FACTOR}× the requests/s before ({previous:g}): ≥ {LOAD_FACTOR * previous:.1f}"
    else:
        rps = f"Load ≥ {LOAD_FACTOR}× the requests/s before (none measured on this database)"
    p95, errors = f"Load p95 < {LOAD_P95_MS} ms", "Zero errors under load"
    load = run.load
    if load is None:
        return [(target, "not run (`--no-load`)", None) for target in (rps, p95, errors)]
    return [
        (rps, f"{load['rps']:.1f}", load["rps"] >= LOAD_FACTOR * previous if previous else None),
        (p95, f"{ms(load['p95_ms'])} ms", load["p95_ms"] < LOAD_P95_MS),
        (errors, load["errors"], load["errors"] == 0),
    ]


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
        f"the aging report, {load['customer_pages']} customer pages (the {run.dataset.big_count:,}-invoice one "
        "among them) and the "
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
