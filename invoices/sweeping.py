"""The whole-book sweep's records: which accounts were discovered, which customers
are still to refresh, and what the home page and sync_invoices say about them.

The work itself (discovering, enqueueing refreshes) is in invoices/tasks.py; this
module only reads and writes the Sweep rows, so pages can read it without
pulling in the task machinery.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.balances import BookBalance
from invoices.discovery import DiscoveryReport
from invoices.models import Customer, CustomerLink, ProviderAccount, Sweep, SweepAccount, SweepItem
from invoices.sync import Problem

PENDING, DONE, FAILED = SweepItem.State.PENDING, SweepItem.State.DONE, SweepItem.State.FAILED


def start() -> tuple[Sweep, bool]:
    """The running sweep, or a new one over every active account; and whether it is new."""
    running = Sweep.objects.running()
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            sweep = Sweep.objects.create()
            SweepAccount.objects.bulk_create(
                SweepAccount(sweep=sweep, account=account) for account in ProviderAccount.objects.filter(active=True)
            )
    except IntegrityError:
        # Another start won the race (one running sweep at a time): join it.
        running = Sweep.objects.running()
        if running is None:
            raise
        return running, False
    return sweep, True


def claim_account(row: SweepAccount) -> bool:
    """Take the account's discovery in this sweep; False when another task has it or it is done.

    A claim older than the refresh lock's timeout belonged to a task that died.
    """
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=Customer.lock_expired_before())
    return bool(
        SweepAccount.objects.filter(free, pk=row.pk, discovered_at__isnull=True).update(claimed_at=timezone.now())
    )


def record_discovery(row: SweepAccount, report: DiscoveryReport) -> None:
    """What discovery found, and an item for every customer of the account the sweep refreshes.

    Customers known before (looked up, or found by an earlier sweep) are swept
    too, unless the account was paused: the sweep covers the whole cache.
    """
    row.discovered = report.found
    row.failed = dict(report.failed)
    row.stopped = report.stopped[:500]
    row.paused = report.credentials_rejected
    row.discovered_at = timezone.now()
    ids = set(report.customer_ids)
    if not row.paused:
        ids |= set(CustomerLink.objects.filter(account=row.account_id).values_list("customer_id", flat=True))
    with transaction.atomic():
        SweepItem.objects.bulk_create(
            (SweepItem(sweep_id=row.sweep_id, customer_id=pk) for pk in sorted(ids)), ignore_conflicts=True
        )
        row.save(update_fields=["discovered", "failed", "stopped", "paused", "discovered_at"])


def pending_customer_ids(sweep: Sweep) -> list[int]:
    return list(sweep.items.filter(state=PENDING).order_by("pk").values_list("customer_id", flat=True))


def paused_account_ids(sweep_id: int) -> set[int]:
    return set(SweepAccount.objects.filter(sweep=sweep_id, paused=True).values_list("account_id", flat=True))


def mark(customer_id: int, problems: list[Problem], sweep_id: int | None = None) -> None:
    """A refresh of the customer ended: their item in the sweep (the running one when
    none is named) is done or failed, and an account that refused its credentials is
    paused for the rest of the sweep."""
    sweep_id = sweep_id or Sweep.objects.filter(running=True).values_list("pk", flat=True).first()
    if sweep_id is None:
        return
    problem = "; ".join(str(p) for p in problems)[:1000]
    SweepItem.objects.filter(sweep=sweep_id, customer=customer_id, state=PENDING).update(
        state=FAILED if problems else DONE, problem=problem, ended_at=timezone.now()
    )
    for p in problems:
        if p.credentials_rejected:
            SweepAccount.objects.filter(sweep=sweep_id, account__name=p.account, paused=False).update(
                paused=True, stopped=str(p)[:500]
            )
    finish_if_done(sweep_id)


def finish_if_done(sweep_id: int) -> bool:
    """Ends the sweep once every account is discovered and no item is pending; True when it has ended."""
    undiscovered = SweepAccount.objects.filter(sweep=sweep_id, discovered_at__isnull=True)
    pending = SweepItem.objects.filter(sweep=sweep_id, state=PENDING)
    if undiscovered.exists() or pending.exists():
        return False
    Sweep.objects.filter(pk=sweep_id, running=True).update(running=None, finished_at=timezone.now())
    return True


@dataclass
class AccountProgress:
    """One account in a sweep: how far the refreshes of its customers have come."""

    name: str
    discovering: bool
    discovered: int = 0
    total: int = 0
    ended: int = 0
    failed: int = 0
    paused: bool = False
    stopped: str = ""

    @property
    def percent(self) -> int:
        return 100 * self.ended // self.total if self.total else (0 if self.discovering else 100)


def progress(sweep: Sweep) -> list[AccountProgress]:
    """Per account of the sweep: customers to refresh, refreshed so far, and failed.

    A customer counts under every account that knows them; one failed at this
    account when its link holds an error from this sweep.
    """
    rows = {
        row.account_id: AccountProgress(
            row.account.name,
            discovering=row.discovered_at is None,
            discovered=row.discovered,
            paused=row.paused,
            stopped=row.stopped,
        )
        for row in sweep.accounts.select_related("account")
    }
    counts = (
        SweepItem.objects.filter(sweep=sweep, customer__links__account__in=list(rows))
        .values(account=F("customer__links__account"))
        .annotate(
            total=Count("pk"),
            ended=Count("pk", filter=~Q(state=PENDING)),
            failed=Count("pk", filter=Q(customer__links__error_at__gte=sweep.started_at)),
        )
        .order_by()
    )
    for count in counts:
        row = rows[count["account"]]
        row.total, row.ended, row.failed = count["total"], count["ended"], count["failed"]
    return sorted(rows.values(), key=lambda row: row.name)


def eta_of(sweep: Sweep, row: AccountProgress, now: datetime | None = None) -> timedelta | None:
    """How long the account's remaining customers should take at the pace the sweep has
    kept since it started; None before any customer ended."""
    ended = sweep.items.exclude(state=PENDING).count()
    if not ended:
        return None
    spent = (now or timezone.now()) - sweep.started_at
    return spent / ended * (row.total - row.ended)


@dataclass
class Coverage:
    """What the book covers, for the home page."""

    accounts: list[ProviderAccount]  # each with known_count (its customers) and invoice_count
    running: Sweep | None
    progress: list[AccountProgress]
    last: Sweep | None  # the last sweep that finished
    failures: list[tuple[str, int]] = field(default_factory=list)  # (problem, customers), most first
    paused: list[str] = field(default_factory=list)  # accounts whose credentials were rejected


def live() -> Coverage:
    """Just what the polled progress needs: the running sweep and how far it got. The
    coverage counts are the costliest queries of the home page, and nothing polled reads them."""
    running = Sweep.objects.running()
    return Coverage([], running, progress(running) if running else [], None)


def coverage() -> Coverage:
    # What each account has on the books, from the book's rows: counting the
    # invoices themselves would read the whole history on every home page.
    invoices = (
        BookBalance.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(n=Sum("invoice_count"))
        .values("n")
    )
    # Customers the account knows by its own customer id: every customer has a link to
    # every active account (the refresh asks them all), most of them empty. COUNT(*),
    # not of a column: PostgreSQL then counts from the link_known index alone.
    known = (
        CustomerLink.objects.filter(account=OuterRef("pk"))
        .exclude(provider_customer_id="")
        .order_by()
        .values("account")
        .annotate(n=Count("*"))
        .values("n")
    )
    accounts = list(
        ProviderAccount.objects.with_freshness().annotate(
            known_count=Coalesce(Subquery(known), 0), invoice_count=Coalesce(Subquery(invoices), 0)
        )
    )
    running, last = Sweep.objects.running_and_last_finished()
    result = Coverage(accounts, running, progress(running) if running else [], last)
    if last is not None:
        result.failures, result.paused = failures_and_paused(last)
    return result


def failures(sweep: Sweep) -> list[tuple[str, int]]:
    """(problem, how many customers it stopped), most first: discovery's and the refreshes'."""
    return failures_and_paused(sweep)[0]


def failures_and_paused(sweep: Sweep) -> tuple[list[tuple[str, int]], list[str]]:
    """failures(), and the names of the accounts the sweep paused, read together."""
    grouped: Counter[str] = Counter()
    paused = []
    for row in sweep.accounts.select_related("account").order_by("account__name"):
        if row.paused:
            paused.append(row.account.name)
        for reason, count in (row.failed or {}).items():
            grouped[_("%(account)s: not discovered: %(reason)s") % {"account": row.account.name, "reason": reason}] += (
                count
            )
        if row.stopped and not row.paused:
            grouped[
                _("%(account)s: the listing stopped early: %(reason)s")
                % {"account": row.account.name, "reason": row.stopped}
            ] += 1
    for each in sweep.items.filter(state=FAILED).values("problem").annotate(n=Count("pk")).order_by():
        grouped[each["problem"] or _("failed without a reason")] += each["n"]
    return grouped.most_common(), paused
