from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Accounts receivable")

    def ready(self):
        from django.core import checks

        from invoices.keys import check_keys
        from invoices.roles import create_roles

        checks.register(check_keys)

        # After auth has created this app's permissions for the same migrate run.
        post_migrate.connect(create_roles, sender=self)
        connection_created.connect(add_swedish_collation)
        # A connection another app opened before this one was ready is given it too.
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                add_swedish_collation(None, connection)


def add_swedish_collation(sender, connection, **kwargs):
    """SQLite knows no Swedish order: every connection is given ours (PostgreSQL's is ICU's)."""
    if connection.vendor == "sqlite":
        from invoices.collation import COLLATION, compare

        connection.connection.create_collation(COLLATION, compare)
