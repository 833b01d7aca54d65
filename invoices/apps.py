from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Accounts receivable")

    def ready(self):
        from invoices.roles import create_roles

        # After auth has created this app's permissions for the same migrate run.
        post_migrate.connect(create_roles, sender=self)
