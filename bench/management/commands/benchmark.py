"""`python manage.py benchmark` (`make bench`): do the pages stay fast as the book ages?

A scaling run. A book's open part stays about the same size for years while
its paid history only grows; a page whose cost follows the history gets
slower every month although nobody owes more. So the same pages are measured
at several sizes of one book that differ only in history:

1. The first step (200,000 invoices by default, `--steps`) is built in the
   configured database: 100,000 customers, every open invoice the book will
   have (5% of the final size), the last two years of settled history, one
   customer with 5,000 invoices. bench/dataset.py.
2. The book then grows to each further step and to the final size
   (2,000,000 by default, `--invoices`): settled history only (paid, a few
   cancelled, credited, written off), issued before the oldest invoice
   there is, over ever more years; the same customers, the same open
   invoices. At the end 95% of the book is history. After the build and
   after each growth the per-customer balance summary is rebuilt
   (`invoices.balances.rebuild`, timed) and the planner statistics are
   refreshed (`VACUUM ANALYZE` on PostgreSQL).
3. At every step: server time and query count of the customer page of the
   biggest customer, the home page summary, the aging report, the overdue
   list, the follow-up list and an invoice detail, and the baselines of
   the same run on the same machine: the Django admin's change list of the
   same invoices, and one hand-written SQL query for the home page's
   totals over the invoices ("the floor"). Absolute times depend on the
   machine; ratios to these, and between the first and the final size, say
   whether a page wastes time or grows with the history. bench/measure.py.
4. At the final size only: a full refresh of the sandbox's 5,000-invoice
   Fusebill customer over HTTP (bench/refresh.py); whole-book sweeps of the
   sandbox with 1, 2 and 4 worker processes, each in a scratch database:
   customers per second, and Fusebill requests per minute against the demo
   key's limit (bench/sweep.py); load on gunicorn with production settings
   from a second process: throughput, latency and errors when several staff
   work at once (bench/load.py).

`--keep` measures the book an earlier run left, as it is, at its one size.
`--steps ''` builds the final size at once, as the benchmark did before it
measured scaling (say `--customers 10000 --invoices 200000 --steps ''`).

The results go to stdout and to BENCHMARKS.md, one section per database
vendor (bench/report.py).
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import override_settings
from django.urls import reverse

from bench import dataset, load, measure, refresh, report, sweep
from invoices import open_book
from invoices.balances import rebuild

LOAD_CLIENTS, LOAD_SECONDS, LOAD_MAX_REQUESTS = 8, 20, 2000


class Command(BaseCommand):
    help = "Builds a large invoice cache in the configured database and measures the pages against baselines."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--invoices", type=int, default=2_000_000, help="invoices of the final size")
        parser.add_argument(
            "--steps",
            default="200000,1000000",
            help="invoices of each size measured before the final one, comma-separated; the first is built, "
            "the book grows to the others; an empty string builds the final size at once",
        )
        parser.add_argument("--big", type=int, default=5_000, help="invoices of the biggest customer")
        parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
        parser.add_argument("--keep", action="store_true", help="reuse the bench dataset of an earlier run")
        parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
        parser.add_argument(
            "--sweep-workers",
            default="1,2,4",
            help="worker processes of each whole-book sweep run, comma-separated; 0 skips the sweeps",
        )
        parser.add_argument("--output", default="BENCHMARKS.md")

    def handle(self, *args, **options):
        sizes = check(options)
        # Query logging off: DEBUG=1 would keep the SQL of every bulk insert in memory.
        with override_settings(DEBUG=False):
            migrate(self.stdout)
            book, sizes = self.book(options, sizes)
            with dataset.running(book) as (user, password):
                run = self.run_measurements(book, sizes, user, password, options)
            text = report.section(run)
            report.write(options["output"], text)
        self.stdout.write("\n" + text)
        self.stdout.write(f"Written to {options['output']}.")

    def book(self, options, sizes):
        """The Dataset, and the sizes to measure it at (only its own when reused)."""
        if options["keep"] and (book := dataset.existing()) is not None:
            self.say(
                f"Reusing the bench dataset: {book.customer_count:,} customers, {book.invoice_count:,} invoices "
                f"({book.open_count:,} open); measured at this size only."
            )
            return book, [book.invoice_count]
        open_invoices = dataset.open_count(sizes[-1])
        self.say(
            f"Building {options['customers']:,} customers and {sizes[0]:,} invoices, {open_invoices:,} of them open…"
        )
        book = dataset.build(options["customers"], sizes[0], options["big"], open_invoices, log=self.say)
        self.say(f"  built in {book.build_seconds:.1f} s")
        return book, sizes

    def run_measurements(self, book, sizes, user, password, options):
        runs = options["runs"]
        steps = []
        for size in sizes:
            if size > book.invoice_count:
                self.say(f"Growing the book to {size:,} invoices with settled history…")
                seconds = dataset.grow(book, size, log=self.say)
                self.say(f"  grown in {seconds:.1f} s")
            steps.append(self.measure_step(book, user, runs))
        final = steps[-1]
        run = report.Run(book, final.pages, final.floor, final.floor_matches, [], None, runs, steps=steps)
        vs_admin, vs_floor = report.ratios(run)
        self.say(f"  customer page / admin change list: {vs_admin:.2f}×; home page / hand-written SQL: {vs_floor:.2f}×")

        self.say("Refreshing the sandbox's 5,000-invoice Fusebill customer…")
        run.refresh = refresh.refresh_huge_customer()
        for step in run.refresh:
            self.say(f"  {step.name}: {step.seconds:.2f} s, {step.invoice_pages} invoice pages, {step.rows:,} rows")

        workers = sweep_workers(options["sweep_workers"])
        if workers:
            self.say("Sweeping the sandbox's whole book (two sweeps a run, each run in a scratch database)…")
            run.sweeps = sweep.measure(workers, self.say)

        if not options["no_load"]:
            run.load = self.run_load(book, password)
        return run

    def measure_step(self, book, user, runs):
        """The summary rebuilt and the statistics refreshed, then every page timed at the book's current size."""
        step = report.Step(book.invoice_count, book.customer_count, book.open_count, book.build_seconds)
        # bulk_create and COPY bypass the sync, which keeps the summary in step: it is written again.
        started = time.perf_counter()
        step.summary_rows = rebuild()
        step.summary_seconds = time.perf_counter() - started
        self.say(f"  balance summary rebuilt: {step.summary_rows:,} rows in {step.summary_seconds:.1f} s")
        # What the first read of each day does: the open book grouped per customer again.
        started = time.perf_counter()
        step.open_rows = open_book.regroup_all(force=True)
        step.open_seconds = time.perf_counter() - started
        self.say(f"  open book grouped: {step.open_rows:,} rows in {step.open_seconds:.1f} s")
        dataset.analyze()
        step.database_bytes, step.invoice_bytes = dataset.database_size()
        dataset.freshen(book)  # a long growth can outlive the demo accounts' cache TTL
        self.say(f"Timing the pages at {book.invoice_count:,} invoices ({runs} runs each)…")
        step.pages = measure.measure_pages(book, user, runs, book.big_count)
        step.floor, step.floor_matches = measure.measure_floor(runs)
        for result in [*step.pages.values(), step.floor]:
            self.say(
                f"  {result.name}: median {result.median_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
                f"{result.queries} queries"
            )
        if not step.floor_matches:
            self.say("  WARNING: the hand-written SQL does not agree with the ORM's totals")
        return step

    def run_load(self, book, password):
        self.say(
            f"Load: gunicorn and {LOAD_CLIENTS} clients for up to {LOAD_SECONDS} s / {LOAD_MAX_REQUESTS:,} requests…"
        )
        dataset.freshen(book)  # the demo accounts' links expire after their own TTL
        customers = [book.big_customer, *book.customers]
        pages = [reverse("customer", args=[pk]) for pk in customers]
        mix = [
            reverse("home"),
            pages[0],
            reverse("aging"),
            pages[1],
            reverse("invoice", args=[book.detail_invoice]),
            *pages[2:],
        ]
        result = load.run_load(mix, dataset.USERNAME, password, LOAD_CLIENTS, LOAD_SECONDS, LOAD_MAX_REQUESTS)
        result["customer_pages"] = len(pages)
        self.say(
            f"  {result['rps']:.1f} requests/s, median {result['median_ms']:.0f} ms, "
            f"p95 {result['p95_ms']:.0f} ms, {result['errors']} errors"
        )
        return result

    def say(self, message):
        self.stdout.write(message)
        self.stdout.flush()


def check(options):
    """The sizes to build and grow the book to, the final one last."""
    sizes = [*invoice_steps(options["steps"]), options["invoices"]]
    if sizes != sorted(set(sizes)):
        raise CommandError("--steps: invoice counts in growing order, each below --invoices")
    first = sizes[0]
    if options["customers"] < 5:
        raise CommandError("--customers: at least 5 (one big customer and four for the load mix)")
    if not 0 < options["big"] <= first - (options["customers"] - 1):
        raise CommandError(
            "--big: between 1 and what is left of the first size once every other customer has one invoice"
        )
    if dataset.open_count(options["invoices"]) > first:
        raise CommandError(
            f"--steps: the first size holds every open invoice ({dataset.OPEN_SHARE:.0%} of --invoices): "
            f"at least {dataset.open_count(options['invoices']):,}"
        )
    if options["runs"] < 1:
        raise CommandError("--runs: at least 1")
    sweep_workers(options["sweep_workers"])
    return sizes


def invoice_steps(text):
    try:
        return [int(part) for part in text.replace("_", "").split(",") if part.strip()]
    except ValueError:
        raise CommandError("--steps: whole numbers separated by commas, such as 200000,1000000") from None


def sweep_workers(text):
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        counts = [-1]
    if any(count < 0 for count in counts):
        raise CommandError("--sweep-workers: whole numbers separated by commas, such as 1,2,4 (0 skips the sweeps)")
    return [count for count in counts if count]


def migrate(stdout):
    """A fresh database (PostgreSQL's `test`, say) gets the schema first; an up-to-date one is left alone."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        stdout.write("Applying migrations…")
        call_command("migrate", interactive=False, verbosity=0)
