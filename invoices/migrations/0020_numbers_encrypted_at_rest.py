"""Personal numbers encrypted, found by a blind index; cached payloads without them.

The numbers are encrypted with the keys configured when the migration runs
(FIELD_ENCRYPTION_KEY, IDENTITY_INDEX_KEY). Going back decrypts them; the
numbers stripped from cached payloads come back with the next refresh.
"""

from django.db import migrations, models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

import invoices.atrest
import invoices.models

# Cached payloads that may hold a number: the keys invoices.atrest strips, as JSON text.
MAY_HOLD_NUMBERS = ('"pno"', '"reference', '"customerreference')


def encrypt_numbers(apps, schema_editor):
    from invoices.atrest import fernet, number_index

    Customer = apps.get_model("invoices", "Customer")
    for pk, number in Customer.objects.exclude(identity_number=None).values_list("pk", "identity_number").iterator():
        Customer.objects.filter(pk=pk).update(
            identity_number=fernet().encrypt(number.encode()).decode() if number else None,
            identity_index=number_index(number) if number else None,
        )
    Invoice = apps.get_model("invoices", "Invoice")
    text = Q()
    for key in MAY_HOLD_NUMBERS:
        text |= Q(raw_text__icontains=key) | Q(detail_text__icontains=key)
    rows = Invoice.objects.annotate(raw_text=Cast("raw", TextField()), detail_text=Cast("detail", TextField()))
    for invoice in rows.filter(text).only("pk", "raw", "detail").iterator():
        # PayloadField leaves the numbers out as it writes.
        Invoice.objects.filter(pk=invoice.pk).update(raw=invoice.raw, detail=invoice.detail)


def decrypt_numbers(apps, schema_editor):
    from invoices.atrest import decrypt

    Customer = apps.get_model("invoices", "Customer")
    for pk, token in Customer.objects.exclude(identity_number=None).values_list("pk", "identity_number").iterator():
        Customer.objects.filter(pk=pk).update(identity_number=decrypt(token) if token else None)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0019_view_audit"),
    ]

    operations = [
        # Plain text first, so the data step reads the numbers as they are and writes the tokens.
        migrations.AlterField(
            model_name="customer",
            name="identity_number",
            field=models.TextField(blank=True, null=True, verbose_name="personal or organisation number"),
        ),
        migrations.AddField(
            model_name="customer",
            name="identity_index",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="detail",
            field=invoices.atrest.PayloadField(blank=True, encoder=invoices.models.RawJSONEncoder, null=True),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="raw",
            field=invoices.atrest.PayloadField(encoder=invoices.models.RawJSONEncoder),
        ),
        migrations.RunPython(encrypt_numbers, decrypt_numbers),
        migrations.AlterField(
            model_name="customer",
            name="identity_number",
            field=invoices.atrest.StrictEncryptedCharField(
                blank=True, max_length=12, null=True, verbose_name="personal or organisation number"
            ),
        ),
        migrations.AlterField(
            model_name="provideraccount",
            name="secret",
            field=invoices.atrest.StrictEncryptedTextField(
                help_text="Qvickly secret or Fusebill API key", verbose_name="secret"
            ),
        ),
    ]
