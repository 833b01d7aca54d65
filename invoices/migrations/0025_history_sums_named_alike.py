from django.db import migrations


def fill(apps, schema_editor):
    """The summaries of the invoices already cached. This runs the current code's sums
    (invoices.balances.figures) against the historical models: it belongs in the latest
    migration that changes Balance's columns, so the two always match."""
    from invoices.balances import refill

    refill(apps.get_model("invoices", "Invoice"), apps.get_model("invoices", "Balance"))


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0024_open_book_by_currency"),
    ]

    operations = [
        migrations.RenameField(model_name="balance", old_name="written_off", new_name="written_off_sum"),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
