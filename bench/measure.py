"""Server time and SQL query count of the pages, and the baselines they are held to.

Each page is requested in-process with Django's test `Client` as a logged-in
superuser: the time is what the server spends (middleware, views, queries,
templates), without a network or a WSGI server in the way. Two warm-up
requests fill the caches a long-running worker would have; then `runs`
timed requests give a median and a 95th percentile. Queries are counted in
one more request of their own, because capturing them costs time.

The baselines say what "fast" means on this machine and this data:

* the Django admin's change list of the same 5,000 invoices, a page nobody
  optimised by hand, which counts them all: the customer page, showing one
  page of them beside its summaries, should take at most half its time;
* "the floor": one hand-written SQL query computing the home page's
  per-currency totals from the invoices, which grows with the history: the
  home page, reading the per-customer balance summary instead, should take
  at most half its time.
"""

import datetime
import math
import statistics
import time
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from invoices.aging import Aging
from invoices.models import Invoice

WARM_UP = 2


@dataclass
class Result:
    name: str
    samples: list[float]  # seconds
    queries: int | None = None
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL) of the counting run

    @property
    def median_ms(self):
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self):
        ordered = sorted(self.samples)
        return ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000


def timed(call, runs):
    """Seconds per call, after the warm-up calls."""
    for _ in range(WARM_UP):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


# The in-process test client can neither follow the HTTPS redirect nor use a
# host name from production settings; DEBUG off so query logging costs nothing
# and the plain static storage needs no collectstatic manifest.
PAGE_SETTINGS = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": False,
    "ALLOWED_HOSTS": ["testserver"],
    "STORAGES": {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


def no_provider_calls(account):
    raise AssertionError(f"a page view tried to call {account.name}: the bench cache should be fresh")


def page_urls(dataset):
    changelist = reverse("admin:invoices_invoice_changelist") + f"?customer__id__exact={dataset.big_customer}"
    return {
        "customer": reverse("customer", args=[dataset.big_customer]),
        "admin": changelist,
        "home": reverse("home"),
        "aging": reverse("aging"),
        "invoice": reverse("invoice", args=[dataset.detail_invoice]),
        "overdue": reverse("overdue"),
        "followup": reverse("followup"),
    }


PAGE_NAMES = {
    "customer": "Customer page ({n:,} invoices)",
    "admin": "Admin change list (same {n:,} invoices)",
    "home": "Home page summary",
    "aging": "Aging report",
    "invoice": "Invoice detail (cached)",
    "overdue": "Overdue list (first page)",
    "followup": "Follow-up list (first page)",
}


def measure_pages(dataset, user, runs, big_count):
    """Each page's Result; a provider call or a non-200 answer stops the benchmark."""
    results = {}
    with (
        override_settings(**PAGE_SETTINGS),
        mock.patch("invoices.models.ProviderAccount.client", autospec=True, side_effect=no_provider_calls),
    ):
        client = Client()
        client.force_login(user)
        for key, url in page_urls(dataset).items():
            results[key] = measure_page(client, PAGE_NAMES[key].format(n=big_count), url, runs)
    return results


def measure_page(client, name, url, runs):
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{name}: {url} answered {response.status_code}")
        return response

    samples = timed(get, runs)
    with CaptureQueriesContext(connection) as captured:
        get()
    return Result(name, samples, len(captured), slowest(captured.captured_queries))


def slowest(queries, count=3, at_least_ms=0.5):
    """The few queries worth looking at; the session and user lookups never are."""
    ranked = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:count]
    return [(float(q["time"]) * 1000, q["sql"]) for q in ranked if float(q["time"]) * 1000 >= at_least_ms]


# The floor --------------------------------------------------------------------


def floor_sql(as_of):
    """The home page's totals (InvoiceQuerySet.totals over InvoiceQuerySet.as_of) in one query.

    Same rules: cancelled invoices and those issued after `as_of` are left
    out; an invoice paid after `as_of` still counts as unpaid then (its
    balance is its total); buckets are ranges of days past the due date.
    Plain SQL-92 (CTE, CASE, COALESCE), so SQLite and PostgreSQL both run it.
    """
    table = connection.ops.quote_name(Invoice._meta.db_table)
    overdue = "balance > 0 AND due_date < %(day)s"
    params = {"day": as_of}
    bucket_columns = []
    for key, condition, bounds in bucket_conditions(as_of):
        params.update(bounds)
        bucket_columns.append(f"COALESCE(SUM(CASE WHEN {condition} THEN balance END), 0) AS {key}")
    sql = f"""
        WITH book AS (
            SELECT currency, kind, total, credited, written_off, due_date,
                   CASE WHEN paid_date > %(day)s THEN total ELSE outstanding END AS balance
            FROM {table}
            WHERE state <> 'cancelled' AND (issue_date IS NULL OR issue_date <= %(day)s)
        )
        SELECT currency,
               COALESCE(SUM(CASE WHEN kind NOT IN ('credit', 'interest') THEN total END), 0) AS invoiced,
               COALESCE(SUM(CASE WHEN kind = 'interest' THEN total END), 0) AS interest,
               COALESCE(SUM(CASE WHEN kind = 'credit' THEN ABS(total) END), 0) AS credit_invoiced,
               COALESCE(SUM(credited), 0) AS credit_notes,
               COALESCE(SUM(written_off), 0) AS written_off_sum,
               COALESCE(SUM(balance), 0) AS owed,
               COALESCE(SUM(CASE WHEN {overdue} THEN balance END), 0) AS overdue,
               COUNT(CASE WHEN balance <> 0 THEN 1 END) AS open_count,
               COUNT(CASE WHEN kind = 'credit' THEN 1 END) AS credit_count,
               MIN(CASE WHEN {overdue} THEN due_date END) AS oldest_overdue,
               {", ".join(bucket_columns)}
        FROM book
        GROUP BY currency
        ORDER BY currency
    """
    return sql, params


def bucket_conditions(as_of):
    """(key, SQL condition, its parameters) per aging bucket, with the keys invoices.aging uses."""
    buckets = [("current", "(due_date IS NULL OR due_date >= %(day)s)", {})]
    low = 1
    for edge in settings.AGING_BUCKETS:
        key = f"days_{low}_{edge}"
        condition = f"due_date <= %({key}_latest)s AND due_date >= %({key}_earliest)s"
        bounds = {
            f"{key}_latest": as_of - datetime.timedelta(days=low),
            f"{key}_earliest": as_of - datetime.timedelta(days=edge),
        }
        buckets.append((key, condition, bounds))
        low = edge + 1
    key = f"days_{low}_plus"
    buckets.append((key, f"due_date <= %({key}_latest)s", {f"{key}_latest": as_of - datetime.timedelta(days=low)}))
    return buckets


def run_floor(as_of):
    sql, params = floor_sql(as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def measure_floor(runs):
    """The floor's Result, and whether it agrees with the ORM's totals to the cent."""
    as_of = timezone.localdate()
    samples = timed(lambda: run_floor(as_of), runs)
    return Result("Hand-written SQL floor (home totals)", samples, 1), floor_matches(as_of)


def floor_matches(as_of):
    """The floor only counts if it computes what the page computes."""
    aging = Aging(as_of=as_of)
    expected = Invoice.objects.totals(aging)
    got = run_floor(as_of)
    if len(expected) != len(got):
        return False
    for orm, raw in zip(expected, got, strict=True):
        for key, value in raw.items():
            if not same(orm[key], value):
                return False
    return True


def same(orm, raw):
    """SQLite sums decimals as floats and returns dates as text: compare to the cent / the day."""
    if isinstance(orm, datetime.date) or orm is None:
        return str(orm) == str(raw) if raw is not None else orm is None
    if isinstance(orm, (Decimal, int, float)):
        return abs(Decimal(str(orm)) - Decimal(str(raw))) < Decimal("0.005")
    return orm == raw
