from django.db import migrations, models


def fill(apps, schema_editor):
    """The totals of the open book already grouped (for no day yet, if none was)."""
    from invoices.open_book import total

    total(apps.get_model("invoices", "OpenBalance"), apps.get_model("invoices", "OpenTotal"))


class Migration(migrations.Migration):

    dependencies = [
        ('invoices', '0027_book_balance'),
    ]

    operations = [
        migrations.CreateModel(
            name='OpenTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('owed', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('bucket_0', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('bucket_1', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('bucket_2', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('bucket_3', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('bucket_4', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('bucket_5', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('past_due', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('open_count', models.PositiveIntegerField(default=0)),
                ('in_none', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('in_none_count', models.PositiveIntegerField(default=0)),
                ('in_not_due', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('in_not_due_count', models.PositiveIntegerField(default=0)),
                ('in_overdue', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('in_overdue_count', models.PositiveIntegerField(default=0)),
                ('in_collection', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('in_collection_count', models.PositiveIntegerField(default=0)),
                ('in_disputed', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('in_disputed_count', models.PositiveIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'open total',
                'verbose_name_plural': 'open totals',
            },
        ),
        migrations.AddIndex(
            model_name='openbalance',
            index=models.Index(condition=models.Q(('oldest_overdue__isnull', False)), fields=['currency', 'oldest_overdue'], name='open_balance_oldest'),
        ),
        migrations.AddConstraint(
            model_name='opentotal',
            constraint=models.UniqueConstraint(fields=('currency',), name='one_open_total_per_currency'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
