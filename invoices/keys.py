"""Are the stored secrets and numbers readable with the configured keys, and
re-encrypting them under new ones (`manage.py rotate_keys`)."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Cast

from invoices.atrest import UndecryptableError, decrypt, number_index

# Each model's encrypted column: what `check` proves readable and rotate_keys re-encrypts.
ENCRYPTED = (("invoices.ProviderAccount", "secret"), ("invoices.Customer", "identity_number"))


def tokens(model: type[models.Model], field: str) -> models.QuerySet:
    """(pk, ciphertext) of every row holding a value, read as stored, undecrypted."""
    stored = Cast(field, models.TextField())
    return (
        model._default_manager.annotate(token=stored).exclude(token=None).exclude(token="").values_list("pk", "token")
    )


def unreadable_and_stale(model: type[models.Model], field: str) -> tuple[list[object], list[object]]:
    """The rows no configured key decrypts, and, for customers, those whose blind index is
    not their number's under IDENTITY_INDEX_KEY: one pass, each value decrypted once."""
    indexed = field == "identity_number"
    rows = tokens(model, field).values_list("pk", "token", "identity_index" if indexed else "pk")
    failed, stale = [], []
    for pk, token, index in rows.iterator():
        try:
            value = decrypt(token)
        except UndecryptableError:
            failed.append(pk)
            continue
        if indexed and number_index(value) != index:
            stale.append(pk)
    return failed, stale


def check_keys(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """An Error for every kind of stored secret or number the keys cannot read.

    Runs with `manage.py check` (and every command that checks): a wrong or missing
    key is found before a provider is sent ciphertext or a lookup finds nobody.
    """
    from django.apps import apps

    errors: list[checks.CheckMessage] = []
    try:
        if migrations_pending():
            return []  # numbers may still be stored in clear: migrate encrypts them
        stale: list[object] = []
        for label, field in ENCRYPTED:
            failed, unindexed = unreadable_and_stale(apps.get_model(label), field)
            stale += unindexed
            if failed:
                errors.append(
                    checks.Error(
                        f"{label}.{field}: no configured key decrypts {len(failed)} stored values.",
                        hint="Set FIELD_ENCRYPTION_KEY (and SECRET_KEY) to the keys they were encrypted with; "
                        "README: rotating keys.",
                        obj=label,
                        id="invoices.E101",
                    )
                )
        if stale:
            errors.append(
                checks.Error(
                    f"{len(stale)} customers are indexed under another IDENTITY_INDEX_KEY: lookups miss them.",
                    hint="Run `manage.py rotate_keys` to recompute the index.",
                    obj="invoices.Customer",
                    id="invoices.E102",
                )
            )
    except DatabaseError:
        return []  # tables not migrated yet: nothing stored to read
    return errors


def migrations_pending() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def rotate() -> dict[str, int]:
    """Re-encrypts every secret and number under the first key and recomputes the blind
    index, in one transaction: any value no key reads stops it with nothing changed."""
    from invoices.models import Customer, ProviderAccount

    counts = {}
    with transaction.atomic():
        secrets = list(ProviderAccount.objects.values_list("pk", "secret"))
        for pk, secret in secrets:
            ProviderAccount.objects.filter(pk=pk).update(secret=secret)  # the field encrypts with the first key
        numbers = list(Customer.objects.identified().values_list("pk", "identity_number"))
        for pk, number in numbers:
            Customer.objects.filter(pk=pk).update(identity_number=number, identity_index=number_index(number))
        counts = {"secrets": len(secrets), "numbers": len(numbers)}
    return counts
