"""`manage.py rebuild_balances`: the summary tables again from the cached invoices.

The sync keeps it in step (invoices/balances.py); this is for after a restore,
a bulk load, or a suspicion that something wrote invoices behind the sync's back.
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from invoices import balances, open_book


class Command(BaseCommand):
    help = "Rebuilds the per-customer summary tables (balances, open balances) from the cached invoices."

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = balances.rebuild()
        text = ngettext("%(count)d balance written", "%(count)d balances written", rows) % {"count": rows}
        self.stdout.write(f"{text} ({time.monotonic() - started:.1f} s).")
        started = time.monotonic()
        rows = open_book.regroup_all(force=True)
        text = ngettext("%(count)d open balance written", "%(count)d open balances written", rows) % {"count": rows}
        self.stdout.write(f"{text} ({time.monotonic() - started:.1f} s).")
