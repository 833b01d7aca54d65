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
from django.db.models import Q
from django_tasks import TaskResult, task
from django_tasks.exceptions import TaskException

from invoices import budget, sync
from invoices.models import Customer, CustomerLink, LookupAudit

SKIPPED: dict[str, Any] = {"skipped": "another refresh took over the customer's lock"}


@task()
def refresh_customer(customer_id: int, token: str, account_ids: list[int] | None = None) -> dict[str, Any]:
    """Refetch the customer from every active account (or only `account_ids`)."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None or not customer.renew_refresh(token):
        return SKIPPED
    try:
        links = sync.customer_links(customer)
        if account_ids is not None:
            links = [link for link in links if link.account_id in account_ids]
        if links:
            with budget.patience(settings.PROVIDER_BUDGET_WORKER_WAIT):
                sync.refresh(customer, links, fence=lambda: customer.renew_refresh(token))
    except sync.LockLost:
        return SKIPPED
    finally:
        customer.release_refresh(token)
    return {"problems": [dataclasses.asdict(p) for p in sync.current_problems(links)]}


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
    held = ~Q(refresh_token="") & Q(refresh_claimed_at__gte=Customer.lock_expired_before())
    return Customer.objects.filter(held, pk=customer_id).exists()
