"""The whole-book sweep on the database queue with real workers, over HTTP against
the sandbox: it covers every customer discovery finds, survives failing customers,
rejected credentials and crashes, and two workers at once stay within the limits.
"""

import threading
import time
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from invoices import sweeping, tasks
from invoices.models import Customer, CustomerLink, Invoice, Sweep, SweepItem
from sandbox.world import world
from tests.conftest import DB_TASKS
from tests.test_discovery import fusebill_ids, qvickly_identities

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_TASKS


def work(*args):
    """A real worker: `db_worker --batch`, which runs what is queued (and what that queues) and exits."""
    call_command("db_worker", "--batch", "--no-startup-delay", *args, stdout=StringIO(), stderr=StringIO())


def sync_book(*args):
    out, err = StringIO(), StringIO()
    call_command("sync_invoices", "--book", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def discovered_customers(qvickly_account, fusebill_account):
    """Our customers for everyone discovery can find: Fusebill's ids and Qvickly's numbers."""
    at_fusebill = CustomerLink.objects.filter(account=fusebill_account, provider_customer_id__in=fusebill_ids())
    at_qvickly = Customer.objects.with_numbers(qvickly_identities())
    return set(at_fusebill.values_list("customer", flat=True)) | set(at_qvickly.values_list("pk", flat=True))


def test_a_whole_sweep_on_the_database_queue_covers_every_customer_discovery_finds_and_the_home_page_counts_them(
    db_queue, staff_client, qvickly_account, fusebill_account
):
    started = time.monotonic()
    out, _ = sync_book()
    assert "Started sweep" in out
    work()
    took = time.monotonic() - started
    print(f"whole sandbox swept by one worker in {took:.1f} s")

    sweep = Sweep.objects.get()
    assert sweep.finished_at is not None and sweep.running is None
    swept = set(sweep.items.values_list("customer", flat=True))
    assert swept == set(Customer.objects.values_list("pk", flat=True))
    assert swept >= discovered_customers(qvickly_account, fusebill_account)
    assert len(swept) == len(fusebill_ids() | qvickly_identities()) - len(
        {c.identity for c in world().fusebill_customers()} & qvickly_identities()
    )
    assert set(sweep.items.values_list("state", flat=True)) == {SweepItem.State.DONE}
    assert not CustomerLink.objects.exclude(error="").exists()

    page = staff_client.get(reverse("home"))
    assert page.status_code == 200
    coverage = page.context["coverage"]
    assert coverage.running is None and coverage.last == sweep and coverage.failures == []
    known = {a.name: a.known_count for a in coverage.accounts}
    assert known[fusebill_account.name] == len(fusebill_ids())
    assert known[qvickly_account.name] >= len(qvickly_identities())
    for account in coverage.accounts:
        # What is on the books: still at the provider, not cancelled.
        on_books = Invoice.objects.filter(account=account, gone_at__isnull=True).exclude(state="cancelled")
        assert account.invoice_count == on_books.count() > 0
    assert "The last full sweep finished" in page.content.decode()


def test_a_failing_customer_does_not_stop_the_sweep_and_is_reported_grouped_by_problem(
    staff_client, fusebill_account, fault, settings, monkeypatch
):
    settings.PROVIDER_RETRIES = 0  # the fault below fails one customer, not a retry
    asked = []
    monkeypatch.setattr(type(fusebill_account), "take_request", lambda self: asked.append(1))
    from invoices.discovery import discover

    discover(fusebill_account)
    listing = len(asked)
    # The listing, then two refreshes' worth of requests, then one reply that fails.
    fault(provider="fusebill", fault="http_503", after=listing + 6, times=1)
    with pytest.raises(CommandError) as caught:
        sync_book("--now")
    assert caught.value.returncode == 1

    sweep = Sweep.objects.get()
    assert sweep.finished_at is not None
    failed = sweep.items.filter(state=SweepItem.State.FAILED)
    assert failed.count() == 1
    assert sweep.items.filter(state=SweepItem.State.DONE).count() == len(fusebill_ids()) - 1
    [(problem, count)] = sweeping.failures(sweep)
    assert count == 1 and problem.startswith(f"{fusebill_account.name}: ") and "503" in problem

    page = staff_client.get(reverse("home")).content.decode()
    assert "could not refresh, by problem" in page and "503" in page


def test_rejected_credentials_pause_that_account_and_the_home_page_names_it(
    staff_client, qvickly_account, fusebill_account, fault
):
    fault(provider="qvickly", fault="reject_credentials")
    with pytest.raises(CommandError):
        sync_book("--now")
    sweep = Sweep.objects.get()
    assert sweep.finished_at is not None
    row = sweep.accounts.get(account=qvickly_account)
    assert row.paused and row.discovered == 0
    # Fusebill's customers were swept all the same, and Qvickly was not asked for each.
    assert sweep.items.count() == len(fusebill_ids())
    assert set(sweep.items.values_list("state", flat=True)) == {SweepItem.State.DONE}
    assert not CustomerLink.objects.filter(account=qvickly_account, credentials_rejected=True).exists()

    page = staff_client.get(reverse("home"))
    assert page.context["coverage"].paused == [qvickly_account.name]
    text = page.content.decode()
    assert "provider rejected the credentials: Qvickly SE" in text


def test_an_interrupted_sweep_resumes_and_finishes_without_redoing_done_customers(
    db_queue, staff_client, fusebill_account
):
    tasks.start_sweep()
    work("--max-tasks", "12")  # the sweep task, the discovery and ten refreshes, then the worker dies
    sweep = Sweep.objects.get()
    done = dict(sweep.items.exclude(state=SweepItem.State.PENDING).values_list("customer", "ended_at"))
    assert len(done) == 10 and sweep.running

    # The crash: the queue lost its tasks, and the locks they held are left to expire.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    pending = sweep.items.filter(state=SweepItem.State.PENDING).values("customer")
    Customer.objects.filter(pk__in=pending).update(refresh_claimed_at=Customer.lock_expired_before() - timedelta(1))
    fetched = dict(CustomerLink.objects.filter(customer__in=list(done)).values_list("pk", "fetched_at"))

    page = staff_client.get(reverse("home"))
    assert page.context["coverage"].running == sweep
    assert 'hx-get="/sweep/"' in page.content.decode()

    out, _ = sync_book()
    assert f"Joined sweep {sweep.pk}" in out
    work()
    sweep.refresh_from_db()
    assert sweep.finished_at is not None
    assert set(sweep.items.values_list("state", flat=True)) == {SweepItem.State.DONE}
    assert dict(sweep.items.filter(customer__in=list(done)).values_list("customer", "ended_at")) == done
    assert dict(CustomerLink.objects.filter(pk__in=list(fetched)).values_list("pk", "fetched_at")) == fetched
    assert Sweep.objects.count() == 1
    poll = staff_client.get(reverse("sweep-progress"), headers={"HX-Request": "true"})
    assert poll.headers.get("HX-Refresh") == "true"


# Below the sandbox's 1000 a minute, so the budget has to hold the two workers back: the
# whole sweep asks Fusebill more than 400 times, and the bucket (40, then 6 a second)
# lets no 60-second window see more than 400.
FUSEBILL_PER_MINUTE = 400


@pytest.mark.slow
def test_two_workers_sweeping_at_once_on_postgresql_give_one_row_per_invoice_within_the_rate_limit(
    db_queue, qvickly_account, fusebill_account, sandbox_url
):
    if connection.vendor != "postgresql":
        pytest.skip("two workers writing at once need PostgreSQL; SQLite serialises its writers")
    fusebill_account.requests_per_minute = FUSEBILL_PER_MINUTE
    fusebill_account.save()
    usage = sandbox_url + "fusebill-usage/"
    requests.delete(usage, timeout=5)
    time.sleep(1)  # requests of earlier tests still on the wire are not counted
    started = time.monotonic()
    tasks.start_sweep()
    tasks.start_sweep()  # a second start joins the first (and both workers take a sweep task)
    from django_tasks_db.models import DBTaskResult

    errors = []

    def worker(name):
        # db_worker --batch itself, minus its signal handlers (only the main thread may set them).
        from django_tasks_db.management.commands.db_worker import Worker

        try:
            Worker(
                queue_names=["default"],
                interval=0.1,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=name,
                excluded_queue_names=[],
            ).run()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    work()  # whatever one worker enqueued after the other had looked

    took = time.monotonic() - started
    counts = requests.get(usage, timeout=5).json()["live"]
    print(f"two workers swept in {took:.1f} s; the sandbox's Fusebill requests per window: {counts}")
    assert errors == []
    sweep = Sweep.objects.get()
    assert sweep.finished_at is not None
    assert set(sweep.items.values_list("state", flat=True)) == {SweepItem.State.DONE}
    by_worker = Counter(w for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in ids)
    print(f"tasks per worker: {dict(by_worker)}")
    assert by_worker["worker-0"] and by_worker["worker-1"]  # both really worked the sweep
    keys = list(Invoice.objects.values_list("account", "provider_id"))
    assert len(keys) == len(set(keys))
    fusebill = Invoice.objects.filter(account=fusebill_account).count()
    assert fusebill == len(world().fusebill_invoices) + len({e.raw["invoiceNumber"] for e in examples()})
    assert counts["refused"] == 0 and counts["peak"] <= FUSEBILL_PER_MINUTE < 1000


def examples():
    from sandbox.fusebill.examples import examples as docs_examples

    return docs_examples()


def test_starting_a_sweep_while_one_runs_joins_it(fusebill_account, settings):
    settings.TASKS = DB_TASKS
    first, created = tasks.start_sweep()
    again, joined_created = tasks.start_sweep()
    assert created and not joined_created and again == first
    assert Sweep.objects.filter(running=True).count() == 1
    assert timezone.now() >= first.started_at


def test_the_command_follows_a_sweep_with_a_progress_bar_per_account(fusebill_account):
    # The test settings run tasks as they are enqueued: the sweep has ended when --wait looks.
    out, _ = sync_book("--wait")
    assert f"{fusebill_account.name} [{'#' * 30}] {len(fusebill_ids())}/{len(fusebill_ids())} 100%" in out
    assert "finished: the whole book is refreshed" in out


def test_a_progress_bar_says_done_of_total_failures_and_how_long_is_left():
    from invoices.management.commands.sync_invoices import bar

    row = sweeping.AccountProgress("Fusebill", discovering=False, total=300, ended=120, failed=2)
    assert bar(row, timedelta(seconds=80), width=10) == "Fusebill [####......] 120/300 40%, 2 failed, ETA 1m 20s"
    assert bar(sweeping.AccountProgress("Qvickly", discovering=True), None) == "Qvickly: discovering customers…"
    paused = sweeping.AccountProgress("Qvickly", discovering=False, paused=True)
    assert bar(paused, None) == "Qvickly: paused, its credentials were rejected"
