from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from invoices import sync
from invoices.models import Customer, ProviderAccount


class Command(BaseCommand):
    help = (
        "Refresh cached invoices from the providers: every known customer, or one account, one "
        "customer, or those not refreshed for a while. Safe to run while the web app refreshes "
        "and safe to run twice at once. Exits 1 when any refresh failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", help="only this provider account (by name)")
        parser.add_argument("--customer", type=int, help="only this customer (internal id)")
        parser.add_argument(
            "--older-than", type=int, metavar="MINUTES", help="only customers not refreshed for this long"
        )

    def handle(self, *args, account=None, customer=None, older_than=None, verbosity=1, **options):
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

        names = {a.name for a in accounts}
        # Accounts whose credentials a provider refused: asking again cannot help.
        rejected: set[str] = set()
        total, failed = customers.count(), 0
        for number, each in enumerate(customers.iterator(), start=1):
            links = [link for link in sync.customer_links(each) if link.account.name in names - rejected]
            problems = sync.current_problems(sync.refresh(each, links)) if links else []
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
