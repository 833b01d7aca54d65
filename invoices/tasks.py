"""The background work: refresh one customer, look a new number up, sweep the book.

Pages only read the cache and enqueue these; workers run them (`manage.py
db_worker`, or `rqworker` when TASKS_REDIS_URL is set). Arguments are internal
ids and lock tokens, never a personal number: the task table and Redis keep
arguments in clear.

Every refresh holds its customer's lock (Customer.claim_refresh), taken before
it is enqueued: a refresh already queued or running is joined, never repeated.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django_tasks import TaskResult, task
from django_tasks.exceptions import TaskException

from invoices import budget, discovery, sweeping, sync
from invoices.models import Customer, CustomerLink, LookupAudit, Sweep, SweepAccount

SKIPPED: dict[str, Any] = {"skipped": "another refresh took over the customer's lock"}


@task()
def refresh_customer(
    customer_id: int, token: str, account_ids: list[int] | None = None, sweep_id: int | None = None
) -> dict[str, Any]:
    """Refetch the customer from every active account (or only `account_ids`).

    Whoever asked, the running sweep's item for the customer is marked when it
    ends: a refresh a page started stands for the sweep's. A sweep's own refresh
    (`sweep_id`) leaves out the accounts the sweep paused.
    """
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None or not customer.renew_refresh(token):
        return SKIPPED
    links: list[CustomerLink] = []
    try:
        links = sync.customer_links(customer)
        if account_ids is not None:
            links = [link for link in links if link.account_id in account_ids]
        # The home page names a paused account once; its customers are not failures each.
        paused = sweeping.paused_account_ids(sweep_id) if sweep_id else set()
        links = [link for link in links if link.account_id not in paused]
        if links:
            with budget.patience(settings.PROVIDER_BUDGET_WORKER_WAIT):
                sync.refresh(customer, links, fence=lambda: customer.renew_refresh(token))
    except sync.LockLost:
        return SKIPPED
    except Exception as exc:
        # One customer that trips a bug of ours fails alone; the sweep goes on without them.
        problem = gettext("an unexpected error (%(kind)s)") % {"kind": type(exc).__name__}
        sweeping.mark(customer_id, [sync.Problem("ARPortal", problem)], sweep_id)
        raise
    finally:
        customer.release_refresh(token)
    problems = sync.current_problems(links)
    sweeping.mark(customer_id, problems, sweep_id)
    return {"problems": [dataclasses.asdict(p) for p in problems]}


@task()
def sweep_book(sweep_id: int) -> dict[str, Any]:
    """Start a discovery task for each account of the sweep, and enqueue a refresh of
    every pending customer.

    Accounts are discovered side by side, and each one's customers are enqueued
    as soon as it is discovered: the biggest customer of a fast account need not
    wait for a slow account's listing. Run again on a sweep cut short (a crash,
    a restart), it starts only what was not discovered, and enqueues only
    pending customers nobody is refreshing.
    """
    sweep = Sweep.objects.filter(pk=sweep_id, running=True).first()
    if sweep is None:
        return {"skipped": "the sweep has ended"}
    for row_id in sweep.accounts.filter(discovered_at__isnull=True).values_list("pk", flat=True):
        discover_account.enqueue(sweep.pk, row_id)
    return enqueue_pending(sweep)


@task()
def discover_account(sweep_id: int, row_id: int) -> dict[str, Any]:
    """One account's discovery in a sweep, then a refresh of every customer it left pending."""
    row = SweepAccount.objects.filter(pk=row_id, sweep=sweep_id, sweep__running=True).select_related("sweep").first()
    if row is None or not discover(row):
        return {"skipped": "the account is discovered, or another task is discovering it"}
    return enqueue_pending(row.sweep)


def advance(sweep: Sweep) -> dict[str, Any]:
    """The sweep's work from where it stands, done here: each account discovered, then
    every pending customer refreshed, one after another (sync_invoices --book --now)."""
    for row in sweep.accounts.filter(discovered_at__isnull=True):
        discover(row)
    return enqueue_pending(sweep, enqueue=False)


def discover(row: SweepAccount) -> bool:
    """Discover the row's account unless another task has it; True when this call did."""
    if not sweeping.claim_account(row):
        return False
    with budget.patience(settings.PROVIDER_BUDGET_WORKER_WAIT):
        report = discovery.discover(row.account)
    sweeping.record_discovery(row, report)
    return True


def enqueue_pending(sweep: Sweep, enqueue: bool = True) -> dict[str, Any]:
    """A refresh of every pending customer nobody is refreshing (`enqueue` False: here and now)."""
    queued = joined = 0
    for customer_id in sweeping.pending_customer_ids(sweep):
        token = Customer(pk=customer_id).claim_refresh()
        if token is None:
            joined += 1  # being refreshed already: that refresh marks the item when it ends
            continue
        queued += 1
        if not enqueue:
            refresh_customer.call(customer_id, token, None, sweep.pk)
            continue
        try:
            refresh_customer.enqueue(customer_id, token, None, sweep.pk)
        except Exception:
            Customer(pk=customer_id).release_refresh(token)
            raise
    sweeping.finish_if_done(sweep.pk)
    return {"queued": queued, "joined": joined}


def start_sweep() -> tuple[Sweep, bool]:
    """Start a whole-book sweep, or join (and resume) the one running; and whether it is new.

    Joining enqueues the sweep task again: it picks up what a crash left pending.
    """
    sweep, created = sweeping.start()
    sweep_book.enqueue(sweep.pk)
    return sweep, created


@task()
def look_up(customer_id: int, token: str, audit_id: int | None = None) -> dict[str, Any]:
    """Ask every account for a number nobody looked up before (sync.first_lookup).

    The customer row was created for the lookup and holds the number; the
    audit row of the lookup learns what was found.
    """
    placeholder = Customer.objects.filter(pk=customer_id).first()
    if placeholder is None or not placeholder.renew_refresh(token):
        return SKIPPED
    try:
        with budget.patience(settings.PROVIDER_BUDGET_WORKER_WAIT):
            result = sync.first_lookup(placeholder, fence=lambda: placeholder.renew_refresh(token))
    except sync.LockLost:
        return SKIPPED
    finally:
        Customer(pk=customer_id).release_refresh(token)  # the placeholder may be gone: then nothing to release
    found = result.customer
    if audit_id is not None:
        LookupAudit.objects.filter(pk=audit_id).update(
            customer=found, result_count=found.invoices.count() if found else 0
        )
    return {"customer": found.pk if found else None, "problems": [dataclasses.asdict(p) for p in result.problems]}


def request_refresh(customer: Customer, account_ids: list[int] | None = None) -> bool:
    """Enqueue a refresh of the customer unless one is queued or running already.

    True when this call enqueued it; False when it joined the one under way.
    """
    token = customer.claim_refresh()
    if token is None:
        return False
    try:
        refresh_customer.enqueue(customer.pk, token, account_ids)
    except Exception:
        customer.release_refresh(token)
        raise
    return True


def refresh_if_stale(customer: Customer, links: list[CustomerLink] | None = None) -> bool:
    """The page's part: a customer with a stale account gets a refresh (or joins one).

    True when the providers are being asked.
    """
    if customer.is_refreshing:
        return True  # joined: no second claim, no scan of the links
    if any(link.is_stale() for link in (links if links is not None else sync.customer_links(customer))):
        request_refresh(customer)
        return True
    return False


def start_lookup(placeholder: Customer, audit_id: int | None = None) -> TaskResult[dict[str, Any]] | None:
    """Enqueue the first lookup of the placeholder's number; None when one is under way."""
    token = placeholder.claim_refresh()
    if token is None:
        return None
    try:
        return look_up.enqueue(placeholder.pk, token, audit_id)
    except Exception:
        placeholder.release_refresh(token)
        raise


def outcome(result: TaskResult[dict[str, Any]]) -> dict[str, Any] | None:
    """What a finished task returned; None when it failed or cannot be read back."""
    try:
        if not result.is_finished:
            result.refresh()
        return result.return_value
    except (NotImplementedError, ValueError, TaskException):
        return None


def outcome_by_id(result_id: str) -> dict[str, Any] | None:
    """A lookup's outcome from another request (backends that keep results)."""
    if not result_id:
        return None
    try:
        return outcome(look_up.get_result(result_id))
    except (NotImplementedError, TaskException, ValueError):
        return None


def wait_for(customer_id: int, seconds: float) -> bool:
    """Wait up to `seconds` for the customer's refresh to end; True when it has."""
    deadline = time.monotonic() + seconds
    while busy(customer_id):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def busy(customer_id: int) -> bool:
    return Customer.objects.refreshing().filter(pk=customer_id).exists()
