import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invoices import providers
from invoices.models import ProviderAccount


class Command(BaseCommand):
    help = (
        "Create or update the provider account called NAME. The secret is read from "
        "the environment variable named by --secret-env, never from an argument, so "
        "it stays out of shell history and process lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=list(providers.registry()))
        parser.add_argument(
            "--base-url", required=True, help="e.g. https://api.qvickly.io/ or https://secure.fusebill.com/v1"
        )
        parser.add_argument("--merchant-id", default="")
        parser.add_argument("--secret-env", required=True, metavar="VAR")
        parser.add_argument("--currency", default=None, help="currency for replies that carry none (default SEK)")
        parser.add_argument("--test-mode", action="store_true")
        parser.add_argument("--identity-field", choices=ProviderAccount.IdentityField.values, default=None)
        parser.add_argument("--inactive", action="store_true")

    def handle(self, *args, **options):
        secret = os.environ.get(options["secret_env"], "")
        if not secret:
            raise CommandError(f"The environment variable {options['secret_env']} is empty or not set.")
        account = ProviderAccount.objects.filter(name=options["name"]).first() or ProviderAccount(name=options["name"])
        account.kind = options["kind"]
        account.base_url = options["base_url"]
        account.merchant_id = options["merchant_id"]
        account.secret = secret
        account.test_mode = options["test_mode"]
        account.active = not options["inactive"]
        if options["currency"]:
            account.currency = options["currency"].upper()
        if options["identity_field"]:
            account.identity_field = options["identity_field"]
        try:
            account.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        created = account._state.adding
        account.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {account.get_kind_display()} account {account.name!r}."))
