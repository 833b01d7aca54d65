import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """The book's rows summed from the Balance rows already there."""
    from invoices.balances import total

    total(apps.get_model("invoices", "Balance"), apps.get_model("invoices", "BookBalance"))


class Migration(migrations.Migration):

    dependencies = [
        ('invoices', '0026_open_book'),
    ]

    operations = [
        migrations.CreateModel(
            name='BookBalance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('invoiced', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('interest', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('credit_invoiced', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('credit_notes', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('written_off_sum', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('outstanding', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('invoice_count', models.PositiveIntegerField(default=0)),
                ('credit_count', models.PositiveIntegerField(default=0)),
                ('open_count', models.PositiveIntegerField(default=0)),
                ('written_off_stage', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('written_off_stage_count', models.PositiveIntegerField(default=0)),
                ('disputed_written_off', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('disputed_written_off_count', models.PositiveIntegerField(default=0)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='invoices.provideraccount')),
            ],
            options={
                'verbose_name': 'book balance',
                'verbose_name_plural': 'book balances',
                'constraints': [models.UniqueConstraint(fields=('account', 'currency'), name='one_book_balance_per_currency')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
