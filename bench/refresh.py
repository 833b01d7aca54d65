"""A full refresh of the sandbox's 5,000-invoice Fusebill customer, over real HTTP.

The project's own WSGI app is served on a free loopback port in a thread (as
tests/conftest.py does), so `invoices.sync` talks to the Fusebill emulator
exactly as it would talk to Fusebill: 100 invoices a page, 50 pages. Two
timings: the first lookup (creates the customer and inserts every row) and a
second refresh (the same rows again, upserted on account + provider id).

Everything happens inside one transaction rolled back at the end, with every
other account switched off inside it: only the emulator is asked, and the
demo's accounts and customers are exactly as they were afterwards. The final
COMMIT (one fsync) is therefore not part of the times.
"""

import re
import threading
import time
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from django.db.models import Count

from invoices import identity, sync
from invoices.models import Customer, Invoice, ProviderAccount
from sandbox.world import FUSEBILL_KEYS, world

INVOICE_PAGE = re.compile(r"/customers/\d+/invoices$", re.IGNORECASE)


@dataclass
class Step:
    name: str
    seconds: float
    invoice_pages: int  # listing pages fetched, the empty one that ends the listing included
    requests: int  # every request to the emulator
    rows: int
    distinct: int  # distinct provider ids among the rows: rows - distinct are duplicates
    problems: list


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class CountingApp:
    """The WSGI app, noting when it was asked for every path, so the pages fetched
    (and, for bench/sweep.py, the requests per minute) can be reported."""

    def __init__(self, app):
        self.app = app
        self.paths = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.paths.append((time.monotonic(), environ.get("PATH_INFO", "")))
        return self.app(environ, start_response)

    def take(self):
        with self.lock:
            paths, self.paths = self.paths, []
        return paths


class SandboxServer:
    """The project on a free loopback port, in a daemon thread, for the duration of a `with`."""

    def __enter__(self):
        self.app = CountingApp(WSGIHandler())
        self.server = make_server("127.0.0.1", 0, self.app, server_class=ThreadingServer, handler_class=QuietHandler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/sandbox/"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Rollback(Exception):
    pass


def refresh_huge_customer():
    """[first lookup Step, second refresh Step]; nothing of it stays in the database."""
    number = world().samples()["huge"]  # built before the clock starts: it is the emulator's data, not ours
    live_key = next(key for key, config in FUSEBILL_KEYS.items() if config.name == "live")
    steps = []
    with SandboxServer() as server:
        try:
            with transaction.atomic():
                only_account(server.url, live_key)
                Customer.objects.with_number(number).delete()  # a demo lookup of it is rolled back too
                steps.append(first_lookup(server, number))
                steps.append(second_refresh(server, number))
                raise Rollback
        except Rollback:
            pass
    return steps


def only_account(base_url, key):
    ProviderAccount.objects.update(active=False)
    return ProviderAccount.objects.create(
        name="Bench Fusebill live (rolled back)", kind="fusebill", base_url=f"{base_url}fusebill/v1", secret=key
    )


def first_lookup(server, number):
    server.app.take()
    started = time.perf_counter()
    result = sync.lookup_identity(identity.parse(number))
    seconds = time.perf_counter() - started
    if result.customer is None:
        raise AssertionError(f"the sandbox did not find its huge customer: {result.problems}")
    return step("First lookup (fetch and insert)", seconds, server, result.customer, result.problems)


def second_refresh(server, number):
    customer = Customer.objects.with_number(number).get()
    server.app.take()
    started = time.perf_counter()
    problems = sync.current_problems(sync.refresh(customer))
    seconds = time.perf_counter() - started
    return step("Second refresh (fetch and upsert)", seconds, server, customer, problems)


def step(name, seconds, server, customer, problems):
    paths = server.app.take()
    invoices = Invoice.objects.filter(customer=customer)
    counts = invoices.aggregate(rows=Count("pk"), distinct=Count("provider_id", distinct=True))
    return Step(
        name,
        seconds,
        sum(1 for _, p in paths if INVOICE_PAGE.search(p)),
        len(paths),
        counts["rows"],
        counts["distinct"],
        [str(p) for p in problems],
    )
