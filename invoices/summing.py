"""What the summary tables (invoices.balances, invoices.open_book) share."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, models

CENT = Decimal("0.01")


def insert_select(model: type[models.Model], names: Iterable[str], rows: models.QuerySet) -> int:
    """INSERT … SELECT of `rows` into `model`'s columns `names`, in their order: the sums
    go from the invoices to the table without passing through Python, whatever the size
    of the book. Returns the rows written."""
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields if isinstance(field, models.Field))
    select, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) {select}", params)
        return cursor.rowcount


def money() -> models.DecimalField:
    """A summed amount's column."""
    return models.DecimalField(max_digits=16, decimal_places=2, default=0)


def cents(value):
    """A sum as the tables store it: SQLite adds decimals as floats (982619.440000001)."""
    return value.quantize(CENT) if isinstance(value, Decimal) else value
