"""`python manage.py demo_setup` (`make run`): a staff login and provider accounts that talk to the sandbox.

It lives in the sandbox app because it only makes sense where the sandbox is
mounted: without SANDBOX_ENABLED the command does not exist. It writes the
accounts through the models and nothing else of the product, so the
emulators stay apart from the provider clients.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from invoices.models import ProviderAccount
from sandbox.world import FUSEBILL_KEYS, QVICKLY_MERCHANTS, world

DEMO_USER = "demo"
DEMO_PASSWORD = "arportal-demo"


class Command(BaseCommand):
    help = "Demo data for `make run`: a staff login and provider accounts that point at the sandbox."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", required=True, help="where the sandbox is served, ending in /sandbox/")

    def handle(self, *args, base_url, **options):
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USER)
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()

        base_url = base_url.rstrip("/") + "/"
        for eid, secret in QVICKLY_MERCHANTS.items():
            ProviderAccount.objects.update_or_create(
                name=f"Qvickly sandbox {eid}",
                defaults={"kind": "qvickly", "base_url": f"{base_url}qvickly/", "merchant_id": eid, "secret": secret},
            )

        # The demo key has a live Fusebill account's limits, so the account takes the
        # provider's usual budget (blank: 1000 a minute). The throttled key, for tests,
        # stands for a Fusebill sandbox account (50 a minute) on a shorter window.
        live_key = next(key for key, config in FUSEBILL_KEYS.items() if config.name == "live")
        ProviderAccount.objects.update_or_create(
            name="Fusebill sandbox",
            defaults={
                "kind": "fusebill",
                "base_url": f"{base_url}fusebill/v1",
                "secret": live_key,
                "requests_per_minute": None,
            },
        )

        site = base_url.removesuffix("sandbox/")
        lines = ["", f"  ARPortal runs at {site}", f"  Log in as {DEMO_USER} / {DEMO_PASSWORD}"]
        lines += ["  Numbers to search for (sandbox data, not real people):"]
        lines += [f"    {number:<15} {what}" for number, what in numbers_to_try()]
        self.stdout.write("\n".join([*lines, ""]))


def numbers_to_try():
    """(number as staff would type it, what it shows) for the demo's printout."""
    samples = world().samples()
    big = world().customer_by_identity(samples["big"])
    big_count = len(world().fusebill_invoices_of(big.fusebill_id))
    return [
        (f"{samples['both'][2:8]}-{samples['both'][8:]}", "a person with invoices at both providers"),
        (samples["both"], "the same person, written with 12 digits"),
        (f"{samples['coordination'][:8]}-{samples['coordination'][8:]}", "a samordningsnummer"),
        (f"{samples['company'][:6]}-{samples['company'][6:]}", "a company"),
        (f"{samples['big'][:6]}-{samples['big'][6:]}", f"a company with {big_count} Fusebill invoices"),
    ]
