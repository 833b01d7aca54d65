"""Personal numbers at rest: after a sync of the sandbox world over HTTP, no table
holds one in clear, in any written form; they are encrypted on the customer and
found by a blind index."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from invoices.models import Customer, Invoice, LookupAudit
from sandbox.world import world
from tests.conftest import DB_TASKS

pytestmark = pytest.mark.django_db(transaction=True)

# A date and a serial, bounded by anything but digits: YYYYMMDDNNNN, YYMMDDNNNN,
# with - or + between the two or neither.
WRITTEN_NUMBER = re.compile(r"(?<![0-9])([0-9]{6}|[0-9]{8})[-+]?([0-9]{4})(?![0-9])")


def persons():
    """Every personal number of the sandbox world, canonical (organisation numbers are public)."""
    return {identity for identity in world()._by_identity if identity and len(identity) == 12}


def as_canonical(match, numbers):
    """The canonical number a written form stands for, if it is one of `numbers`."""
    date, serial = match.groups()
    if len(date) == 8:
        return date + serial if date + serial in numbers else None
    return next((century + date + serial for century in ("19", "20") if century + date + serial in numbers), None)


def stored_text():
    """Every text and JSON column of every table, cast to text: (table, column, value)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            described = connection.introspection.get_table_description(cursor, table)
            columns = [
                column.name
                for column in described
                if connection.introspection.get_field_type(column.type_code, column)
                in {"CharField", "TextField", "JSONField", "EmailField", "SlugField", "URLField"}
            ]
            if not columns:
                continue
            cursor.execute(f"SELECT {', '.join(f'CAST({quote(c)} AS TEXT)' for c in columns)} FROM {quote(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value:
                        yield table, column, value


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())


def test_no_table_holds_a_personal_number_in_clear_after_lookups_and_a_whole_sync(
    settings, django_user_model, client, qvickly_account, fusebill_account
):
    settings.TASKS = DB_TASKS  # task arguments and results are stored, and scanned too
    user = django_user_model.objects.create_superuser("admin", password="pw")
    client.force_login(user)
    samples = {kind: number for kind, number in world().samples().items() if len(number) == 12}
    for number in samples.values():
        # Typed the way staff type it, YYMMDD-NNNN; the lookup runs as a queued task.
        client.post(reverse("search"), {"q": f"{number[2:8]}-{number[8:]}"})
        work()
        customer = Customer.objects.with_number(number).get()
        assert client.get(customer.get_absolute_url()).status_code == 200
        assert client.post(reverse("customer-reveal", args=[customer.pk])).status_code == 200
        assert client.get(reverse("customer-statement", args=[customer.pk])).status_code == 200
        for invoice in customer.invoices.all()[:3]:
            assert client.get(reverse("invoice", args=[invoice.pk])).status_code == 200
    call_command("sync_invoices", "--book", stdout=StringIO(), stderr=StringIO())
    work()

    assert Invoice.objects.exclude(detail=None).exists()  # full invoices were cached too
    assert DBTaskResult.objects.filter(args_kwargs__args__isnull=False).exists()  # with their arguments
    numbers = persons()
    scanned, found = set(), set()
    for table, column, value in stored_text():
        scanned.add((table, column))
        found |= {(table, column, n) for match in WRITTEN_NUMBER.finditer(value) if (n := as_canonical(match, numbers))}
    assert found == set()
    assert {
        ("invoices_customer", "identity_number"),
        ("invoices_invoice", "raw"),
        ("invoices_invoice", "detail"),
        ("invoices_lookupaudit", "masked_number"),
        ("django_tasks_database_dbtaskresult", "args_kwargs"),
        ("django_tasks_database_dbtaskresult", "return_value"),
    } <= scanned
    # Still there for whoever may read them: decrypted on the customer, masked in the audit.
    for number in samples.values():
        customer = Customer.objects.with_number(number).get()
        assert customer.identity_number == number
        audits = LookupAudit.objects.filter(customer=customer)
        assert audits.exists() and set(audits.values_list("masked_number", flat=True)) == {f"{number[:8]}-XXXX"}
