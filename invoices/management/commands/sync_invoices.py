import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from invoices import budget, sweeping, sync, tasks
from invoices.models import Customer, CustomerLink, ProviderAccount


class Command(BaseCommand):
    help = (
        "Refresh cached invoices from the providers: the whole book (--book: discover every customer "
        "each account can list, then refresh them all), every known customer, or one account, one "
        "customer, or those not refreshed for a while. Enqueues the refreshes for the workers "
        "(a customer already queued or refreshing is not queued twice); --now refreshes here "
        "instead and exits 1 when any refresh failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--book",
            action="store_true",
            help="sweep the whole book; joins (and resumes) a sweep that is running or was cut short",
        )
        parser.add_argument("--account", help="only this provider account (by name)")
        parser.add_argument("--customer", type=int, help="only this customer (internal id)")
        parser.add_argument(
            "--older-than", type=int, metavar="MINUTES", help="only customers not refreshed for this long"
        )
        parser.add_argument("--now", action="store_true", help="refresh here, one customer after another")
        parser.add_argument(
            "--wait", action="store_true", help="wait for the queued refreshes, with a progress line per account"
        )

    def handle(
        self,
        *args,
        book=False,
        account=None,
        customer=None,
        older_than=None,
        now=False,
        wait=False,
        verbosity=1,
        **options,
    ):
        if book:
            if account or customer is not None or older_than is not None:
                raise CommandError("--book sweeps every active account: leave out --account, --customer, --older-than.")
            return self.sweep(now, wait, verbosity)
        customers = Customer.objects.order_by("pk")
        accounts = ProviderAccount.objects.filter(active=True)
        if account:
            accounts = accounts.filter(name=account)
            if not accounts:
                raise CommandError(f"No active provider account is called {account!r}.")
            customers = customers.filter(links__account__in=accounts).distinct()
        if customer is not None:
            customers = customers.filter(pk=customer)
            if not customers:
                raise CommandError(f"No customer has the id {customer}.")
        if older_than is not None:
            cutoff = timezone.now() - timedelta(minutes=older_than)
            stale = Q(links__fetched_at__isnull=True) | Q(links__fetched_at__lt=cutoff)
            customers = customers.filter(stale, links__account__in=accounts).distinct()

        if not now:
            return self.enqueue(customers, accounts if account else None, wait, verbosity)
        self.refresh_here(customers, accounts, verbosity)

    def sweep(self, now, wait, verbosity):
        """Start or join the whole-book sweep; with `now` work it here, with `wait` show its progress."""
        if now:
            sweep, created = sweeping.start()
            if verbosity:
                self.stdout.write(f"{'Started' if created else 'Resuming'} sweep {sweep.pk}, refreshing here.")
            tasks.advance(sweep)
        else:
            sweep, created = tasks.start_sweep()
            if verbosity:
                self.stdout.write(
                    f"{'Started' if created else 'Joined'} sweep {sweep.pk}; the workers discover and refresh the book."
                )
            if not wait:
                return
            self.watch(sweep, verbosity)
        self.summarise(sweep, verbosity)

    def watch(self, sweep, verbosity):
        """A progress bar per account until the sweep ends (or the refresh lock's timeout passes idle)."""
        last, idle_since = None, time.monotonic()
        while True:
            sweep.refresh_from_db()
            lines = [bar(row, sweeping.eta_of(sweep, row)) for row in sweeping.progress(sweep)]
            if lines != last:
                idle_since = time.monotonic()
                if verbosity:
                    self.stdout.write("\n".join(lines))
            last = lines
            if not sweep.running or time.monotonic() - idle_since > settings.REFRESH_LOCK_TIMEOUT:
                return
            time.sleep(2)

    def summarise(self, sweep, verbosity):
        sweep.refresh_from_db()
        if sweep.running:
            self.stdout.write(f"Sweep {sweep.pk} is still running; run this again to follow or resume it.")
            return
        rows = sweeping.progress(sweep)
        failures = sweeping.failures(sweep)
        if verbosity:
            for row in rows:
                self.stdout.write(bar(row, None))
            for problem, count in failures:
                self.stdout.write(f"  {count} × {problem}")
        paused = [row.name for row in rows if row.paused]
        if paused:
            self.stderr.write(f"Paused, its credentials were rejected: {', '.join(paused)}. Check them in the admin.")
        if failures or paused:
            # Cron mails a failing exit: someone should look at the problems above.
            raise CommandError(
                "The sweep finished, but not every customer could be refreshed; "
                "their cached invoices were kept as they were.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"Sweep {sweep.pk} finished: the whole book is refreshed."))

    def enqueue(self, customers, accounts, wait, verbosity):
        """Queue a refresh of each customer; with `wait`, report per account until they end."""
        started = timezone.now()
        account_ids = [a.pk for a in accounts] if accounts is not None else None
        queued = joined = 0
        for each in customers.iterator():
            if tasks.request_refresh(each, account_ids):
                queued += 1
            else:
                joined += 1
        if verbosity:
            self.stdout.write(f"Queued {queued} refresh(es); {joined} already queued or running.")
        if wait:
            self.wait(customers, accounts, started, verbosity)

    def wait(self, customers, accounts, started, verbosity):
        """Until no selected customer is queued or refreshing: one line per account when it changes."""
        accounts = accounts if accounts is not None else ProviderAccount.objects.filter(active=True)
        links = CustomerLink.objects.filter(customer__in=customers.values("pk"))
        deadline = time.monotonic() + settings.REFRESH_LOCK_TIMEOUT
        last, failed = None, 0
        while True:
            busy = Customer.objects.refreshing().filter(pk__in=customers.values("pk")).exists()
            lines, failed = [], 0
            for each in accounts.order_by("name"):
                mine = links.filter(account=each)
                done = mine.filter(fetched_at__gte=started).count()
                errors = mine.filter(error_at__gte=started).count()
                failed += errors
                lines.append(f"{each.name}: {done}/{mine.count()} refreshed, {errors} failed")
            if lines != last and verbosity:
                self.stdout.write("; ".join(lines))
            last = lines
            if not busy or time.monotonic() > deadline:
                break
            time.sleep(2)
        if failed:
            raise CommandError(
                "Some refreshes failed; those customers' cached invoices were kept as they were.", returncode=1
            )

    def refresh_here(self, customers, accounts, verbosity):
        names = {a.name for a in accounts}
        # Accounts whose credentials a provider refused: asking again cannot help.
        rejected: set[str] = set()
        total, failed = customers.count(), 0
        for number, each in enumerate(customers.iterator(), start=1):
            links = [link for link in sync.customer_links(each) if link.account.name in names - rejected]
            problems, elsewhere = self.refresh_one(each, links) if links else ([], False)
            if elsewhere:
                # A worker holds the customer's lock: its refresh stands for ours.
                if verbosity:
                    self.stdout.write(f"[{number}/{total}] customer {each.pk}: being refreshed elsewhere, skipped")
                continue
            skipped = sorted(rejected)
            rejected |= {p.account for p in problems if p.credentials_rejected}
            failed += bool(problems or skipped)
            if verbosity:
                states = [str(p) for p in problems] + [
                    f"{name}: not asked, its credentials were rejected" for name in skipped
                ]
                state = "; ".join(states) or "ok"
                self.stdout.write(f"[{number}/{total}] customer {each.pk}: {each.invoices.count()} invoices, {state}")
        summary = f"Refreshed {total} customer(s): {total - failed} ok, {failed} failed."
        for name in sorted(rejected):
            summary += f" {name} rejected our credentials and was not asked again: check them in the admin."
        if failed:
            self.stderr.write(summary)
            raise CommandError(
                "Some refreshes failed; those customers' cached invoices were kept as they were.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def refresh_one(customer, links):
        """(problems, whether another refresh held the customer), under the customer's lock."""
        token = customer.claim_refresh()
        if token is None:
            return [], True
        try:
            with budget.patience(settings.PROVIDER_BUDGET_WORKER_WAIT):
                links = sync.refresh(customer, links, lambda: customer.renew_refresh(token))
            return sync.current_problems(links), False
        except sync.LockLost:
            return [], True
        finally:
            customer.release_refresh(token)


def bar(row: sweeping.AccountProgress, eta: timedelta | None, width: int = 30) -> str:
    """`name [#####.....] done/total  percent  failed  ETA`, one account of a sweep."""
    if row.paused:
        return f"{row.name}: paused, its credentials were rejected"
    if row.discovering:
        return f"{row.name}: discovering customers…"
    filled = width * row.ended // row.total if row.total else width
    text = f"{row.name} [{'#' * filled}{'.' * (width - filled)}] {row.ended}/{row.total} {row.percent}%"
    if row.failed:
        text += f", {row.failed} failed"
    if row.stopped:
        text += f" (the listing stopped: {row.stopped})"
    if eta is not None and row.ended < row.total:
        text += f", ETA {format_duration(eta)}"
    return text


def format_duration(span: timedelta) -> str:
    seconds = max(0, round(span.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
