"""Keys of the secrets and numbers at rest: a wrong key is an error, never the
ciphertext used as a secret; `check` says so; `rotate_keys` moves everything to a
new key; the migration encrypts what was stored in clear."""

from io import StringIO

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from invoices.atrest import UndecryptableError
from invoices.models import Customer, ProviderAccount
from sandbox.world import QVICKLY_MERCHANTS, world

BEFORE, AFTER = ("invoices", "0019_view_audit"), ("invoices", "0020_numbers_encrypted_at_rest")


@pytest.fixture
def person():
    return world().samples()["person"]


def check():
    call_command("check", stdout=StringIO(), stderr=StringIO())


def stored(model, pk, column):
    """A column as the database holds it."""
    with connection.cursor() as cursor:
        table, quote = model._meta.db_table, connection.ops.quote_name
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_number_is_stored_encrypted_and_found_by_its_index(person):
    customer = Customer.objects.get_or_create_for_number(person)[0]
    assert person not in stored(Customer, customer.pk, "identity_number")
    assert person not in stored(Customer, customer.pk, "identity_index")
    assert Customer.objects.with_number(person).get() == customer
    assert Customer.objects.get_or_create_for_number(person) == (customer, False)


@pytest.mark.django_db
def test_comparing_the_encrypted_number_in_the_database_is_refused_rather_than_finding_nobody(person):
    Customer.objects.get_or_create_for_number(person)
    with pytest.raises(FieldError, match="with_number"):
        Customer.objects.get(identity_number=person)
    assert Customer.objects.filter(identity_number__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_wrong_key_is_an_error_on_reading_never_the_ciphertext(settings, qvickly_account, person):
    Customer.objects.get_or_create_for_number(person)
    settings.SALT_KEY = ["a-key-nothing-was-encrypted-with"]
    with pytest.raises(UndecryptableError):
        ProviderAccount.objects.get()
    with pytest.raises(UndecryptableError):
        Customer.objects.get()
    with pytest.raises(SystemCheckError) as caught:
        check()
    assert "invoices.E101" in str(caught.value)


@pytest.mark.django_db
def test_keys_rotate_end_to_end_and_the_old_key_alone_no_longer_reads_anything(
    settings, staff_client, qvickly_account, person
):
    settings.SALT_KEY = ["the-old-key"]
    qvickly_account.secret = next(iter(QVICKLY_MERCHANTS.values()))
    qvickly_account.save()
    assert staff_client.post(reverse("search"), {"q": person}).status_code == 302
    check()

    settings.SALT_KEY = ["the-new-key", "the-old-key"]  # the new key first, the old one still reads
    settings.IDENTITY_INDEX_KEY = "the-new-index-key"
    with pytest.raises(SystemCheckError) as caught:
        check()
    assert "invoices.E102" in str(caught.value)  # lookups would miss everyone until the index is recomputed
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "1 provider secrets and 1 personal numbers" in out.getvalue()

    settings.SALT_KEY = ["the-new-key"]  # the old key removed
    check()
    assert ProviderAccount.objects.get().secret == next(iter(QVICKLY_MERCHANTS.values()))
    assert Customer.objects.with_number(person).get().identity_number == person
    # The secret still signs requests: a new lookup goes to Qvickly and back.
    Customer.objects.all().delete()
    assert staff_client.post(reverse("search"), {"q": person}).status_code == 302
    assert Customer.objects.with_number(person).get().invoices.exists()

    settings.SALT_KEY = ["the-old-key"]  # only the old key, after rotation
    with pytest.raises(SystemCheckError) as caught:
        check()
    assert "invoices.E101" in str(caught.value)
    with pytest.raises(CommandError):
        call_command("rotate_keys", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_stored_numbers_and_strips_them_from_cached_invoices(person):
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        account = old.get_model("invoices", "ProviderAccount").objects.create(
            name="Q", kind="qvickly", base_url="https://q.example/", secret="s"
        )
        customer = old.get_model("invoices", "Customer").objects.create(identity_number=person, name="Anna")
        invoice = old.get_model("invoices", "Invoice").objects.create(
            account=account,
            customer=customer,
            provider_id="1",
            number="1",
            total=1,
            outstanding=1,
            fetched_at="2026-01-01T00:00:00Z",
            raw={"number": "1", "pno": person},
            detail={"Customer": {"pno": f"{person[2:8]}-{person[8:]}", "nr": "7"}},
        )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([AFTER])

        assert person not in stored(Customer, customer.pk, "identity_number")
        assert Customer.objects.with_number(person).get().identity_number == person
        migrated = Customer.objects.get().invoices.get(pk=invoice.pk)
        assert migrated.raw == {"number": "1"} and migrated.detail == {"Customer": {"nr": "7"}}
    finally:
        # Back to the latest schema, whatever happened, so the next test on this database has it.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
