from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from invoices.models import ProviderAccount

DEMO_USER = "demo"
DEMO_PASSWORD = "arportal-demo"


class Command(BaseCommand):
    help = "Demo data for `make run`: a staff login and provider accounts that point at the sandbox."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", required=True, help="where the sandbox is served, ending in /sandbox/")

    def handle(self, *args, base_url, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("The demo needs SANDBOX_ENABLED=1: its accounts point at the sandbox.")
        from sandbox.world import QVICKLY_MERCHANTS, world

        user, _ = get_user_model().objects.get_or_create(username=DEMO_USER)
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()

        base_url = base_url.rstrip("/") + "/"
        for eid, secret in QVICKLY_MERCHANTS.items():
            ProviderAccount.objects.update_or_create(
                name=f"Qvickly sandbox {eid}",
                defaults=dict(kind="qvickly", base_url=f"{base_url}qvickly/", merchant_id=eid, secret=secret),
            )

        samples = world().samples()
        site = base_url.removesuffix("sandbox/")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"  ARPortal runs at {site}",
                    f"  Log in as {DEMO_USER} / {DEMO_PASSWORD}",
                    "  Personal numbers to try (sandbox data, not real people):",
                    f"    {samples['person'][2:8]}-{samples['person'][8:]}   a person (also as {samples['person']})",
                    f"    {samples['coordination'][:8]}-{samples['coordination'][8:]}  a samordningsnummer",
                    f"    {samples['company'][:6]}-{samples['company'][6:]}    a company",
                    "",
                ]
            )
        )
