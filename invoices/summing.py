"""What the summary tables (invoices.balances, invoices.open_book) share."""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import F, Sum
from django.db.models.functions import Round

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


def summed(rows: models.QuerySet, keys: Sequence[str], names: Sequence[str]) -> models.QuerySet:
    """`rows`' columns `names` summed per `keys`, as sum_<name> (a sum may not take its column's name)."""
    return rows.values(*keys).annotate(**{f"sum_{name}": Sum(name) for name in names}).order_by()


def sums_by(rows: models.QuerySet, keys: Sequence[str], names: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """`summed`, to the cent, keyed by the keys' values."""
    return {
        tuple(row[key] for key in keys): {name: cents(row[f"sum_{name}"]) for name in names}
        for row in summed(rows, keys, names)
    }


def kept(model: type[models.Model], keys: Sequence[str], names: Sequence[str]) -> dict[tuple, dict[str, Any]]:
    """What a table of sums holds, in the shape of `sums_by` and without its rows at zero
    (a row whose rows are all gone stays, at zero): for checking it against `sums_by`."""
    rows = model._default_manager.values(*keys, *names)
    return {
        tuple(row[key] for key in keys): {name: row[name] for name in names}
        for row in rows
        if any(row[name] for name in names)
    }


def sum_again(model: type[models.Model], keys: Sequence[str], names: Sequence[str], rows: models.QuerySet) -> int:
    """`model`'s rows written again: `summed` of `rows`. Returns the rows written."""
    model._default_manager.all().delete()
    return insert_select(model, [*keys, *names], summed(rows, keys, names))


def add_differences(model: type[models.Model], keys: Sequence[str], after: dict, before: dict) -> None:
    """`model`'s rows (one per value of `keys`) moved by what some rows summed into them
    changed: `after` minus `before`, both from `sums_by`. Added in the database, so two
    transactions moving one row both count, and in one order, so that they cannot
    deadlock; a row is created the first time its key is seen."""
    for key in sorted(after.keys() | before.keys()):
        new, old = after.get(key, {}), before.get(key, {})
        moved = {}
        for name in new.keys() | old.keys():
            if change := (new.get(name) or 0) - (old.get(name) or 0):
                moved[name] = moved_by(model, name, change)
        if not moved:
            continue
        columns = {attname(model, name): value for name, value in zip(keys, key, strict=True)}
        row = model._default_manager.filter(**columns)
        if not row.update(**moved):
            # Another transaction may be creating it too.
            model._default_manager.bulk_create([model(**columns)], ignore_conflicts=True)
            row.update(**moved)


def attname(model: type[models.Model], name: str) -> str:
    """The column's attribute: a foreign key's is its id (account → account_id)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.attname


def moved_by(model: type[models.Model], name: str, change: Decimal | int) -> models.Expression:
    """`model`'s column `name` plus `change`. Money is rounded to the cent again in the
    database: SQLite adds decimals as floats, and a row moved a million times must not
    gather their errors."""
    if isinstance(model._meta.get_field(name), models.DecimalField):
        return Round(F(name) + change, 2)
    return F(name) + change
