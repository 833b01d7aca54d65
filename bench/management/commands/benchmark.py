"""`python manage.py benchmark` (`make bench`): are the pages fast on a big book?

What is measured, and why:

1. A large cache is built in the configured database (10,000 customers,
   200,000 invoices, one customer with 5,000): page costs that grow with the
   data only show at that size. bench/dataset.py.
2. Server time and query count of the customer page, the home page summary,
   the aging report and an invoice detail: a page whose query count grows
   with the data, or that is slow on it, is caught before staff notice.
   bench/measure.py.
3. Baselines from the same run on the same machine: the Django admin's
   change list of the same invoices, and one hand-written SQL query for the
   home page's totals ("the floor"). Absolute times depend on the machine;
   ratios to these say whether the app wastes time.
4. A full refresh of the sandbox's 5,000-invoice Fusebill customer, over
   HTTP: how long a big customer's first lookup and each refresh take.
   bench/refresh.py.
5. Whole-book sweeps of the sandbox with 1, 2 and 4 worker processes, each
   in a scratch database: customers per second, and Fusebill requests per
   minute against the demo key's limit (the ceiling the workers' shared budget
   must keep them under). bench/sweep.py.
6. Load on gunicorn with production settings, from a second process:
   throughput and errors when several staff work at once. bench/load.py.

The results go to stdout and to BENCHMARKS.md, one section per database
vendor (bench/report.py).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import override_settings
from django.urls import reverse

from bench import dataset, load, measure, refresh, report, sweep

LOAD_CLIENTS, LOAD_SECONDS, LOAD_MAX_REQUESTS = 8, 20, 2000


class Command(BaseCommand):
    help = "Builds a large invoice cache in the configured database and measures the pages against baselines."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=10_000)
        parser.add_argument("--invoices", type=int, default=200_000)
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
        check(options)
        # Query logging off: DEBUG=1 would keep the SQL of every bulk insert in memory.
        with override_settings(DEBUG=False):
            migrate(self.stdout)
            book = self.book(options)
            with dataset.running(book) as (user, password):
                run = self.run_measurements(book, user, password, options)
            text = report.section(run)
            report.write(options["output"], text)
        self.stdout.write("\n" + text)
        self.stdout.write(f"Written to {options['output']}.")

    def book(self, options):
        if options["keep"] and (book := dataset.existing()) is not None:
            self.say(f"Reusing the bench dataset: {book.customer_count:,} customers, {book.invoice_count:,} invoices.")
            return book
        self.say(f"Building {options['customers']:,} customers and {options['invoices']:,} invoices…")
        book = dataset.build(options["customers"], options["invoices"], options["big"], log=self.say)
        self.say(f"  built in {book.build_seconds:.1f} s")
        return book

    def run_measurements(self, book, user, password, options):
        runs = options["runs"]
        self.say(f"Timing the pages ({runs} runs each)…")
        pages = measure.measure_pages(book, user, runs, book.big_count)
        floor, matches = measure.measure_floor(runs)
        for result in [*pages.values(), floor]:
            self.say(
                f"  {result.name}: median {result.median_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
                f"{result.queries} queries"
            )
        if not matches:
            self.say("  WARNING: the hand-written SQL does not agree with the ORM's totals")
        run = report.Run(book, pages, floor, matches, [], None, runs)
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
    if options["customers"] < 5:
        raise CommandError("--customers: at least 5 (one big customer and four for the load mix)")
    if not 0 < options["big"] <= options["invoices"] - (options["customers"] - 1):
        raise CommandError("--big: between 1 and what is left once every other customer has one invoice")
    if options["runs"] < 1:
        raise CommandError("--runs: at least 1")
    sweep_workers(options["sweep_workers"])


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
