"""Removes cached customers who owe nothing and have been inactive for the
retention period, with their invoices, notes and promises (invoices/retention.py).
Meant for a daily cron job; --dry-run says what it would remove."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from invoices import retention


class Command(BaseCommand):
    help = "Purge cached customers with nothing outstanding and no activity for the retention period."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days without activity (default {settings.PERSONAL_DATA_RETENTION_DAYS}, the setting)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be removed; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1. Nothing was changed.")
        before = retention.cutoff(days)
        customers = retention.purgeable(before)
        if options["dry_run"]:
            counts = retention.summary(customers)
            # Masked: this output may end up in a cron mail or a log.
            for customer in customers.order_by("pk"):
                self.stdout.write(
                    f"Would purge customer {customer.pk}: {customer.masked_identity or '-'} "
                    f"{retention.masked_name(customer.name)}"
                )
            self.stdout.write(f"Dry run, inactive since {before:%Y-%m-%d}: would purge {self.said(counts)}.")
            return
        counts = retention.purge(customers)
        self.stdout.write(f"Inactive since {before:%Y-%m-%d}: purged {self.said(counts)}; audit rows kept.")

    @staticmethod
    def said(counts: retention.Purged) -> str:
        return (
            f"{counts.customers} customers, {counts.invoices} invoices, "
            f"{counts.notes} notes and {counts.promises} promises"
        )
