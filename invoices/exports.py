"""CSV downloads: streamed, a header row, amounts as plain decimals, nothing a
spreadsheet would run."""

import csv
import itertools
from decimal import Decimal

from django.http import StreamingHttpResponse


def aging_table(rows, aging):
    """Header and lines of the aging report: one line per customer and currency."""
    header = ["customer_id", "customer", "currency", *(b.label for b in aging.buckets), "total"]
    lines = (
        [
            row["customer"],
            row["customer__name"],
            row["currency"],
            *(plain(row[b.key]) for b in aging.buckets),
            plain(row["owed"]),
        ]
        for row in rows.iterator()
    )
    return header, lines


def invoice_table(invoices):
    """Header and lines of a customer's invoice list."""
    header = [
        "provider",
        "account",
        "number",
        "type",
        "status",
        "provider_status",
        "invoice_date",
        "due_date",
        "currency",
        "total",
        "outstanding",
        "stage",
        "provider_stage",
    ]
    lines = (
        [
            i.account.get_kind_display(),
            i.account.name,
            i.number,
            i.get_kind_display(),
            i.get_state_display(),
            i.provider_status,
            i.issue_date or "",
            i.due_date or "",
            i.currency,
            plain(i.total),
            plain(i.outstanding),
            i.current_stage_label,
            i.provider_stage,
        ]
        for i in invoices.iterator()
    )
    return header, lines


def overdue_table(invoices):
    """Header and lines of the overdue list: one line per invoice, stage and the provider's word."""
    header = [
        "customer_id",
        "customer",
        "provider",
        "account",
        "number",
        "type",
        "stage",
        "provider_stage",
        "due_date",
        "days_past_due",
        "currency",
        "outstanding",
    ]
    lines = (
        [
            i.customer_id,
            i.customer.name,
            i.account.get_kind_display(),
            i.account.name,
            i.number,
            i.get_kind_display(),
            i.current_stage_label,
            i.provider_stage,
            i.due_date or "",
            "" if i.days_past_due is None else i.days_past_due,
            i.currency,
            plain(i.outstanding),
        ]
        for i in invoices.iterator()
    )
    return header, lines


def csv_response(filename, header, lines):
    """A streamed CSV with a header row; Decimals are written as plain decimals."""
    writer = csv.writer(Echo())
    rows = itertools.chain([header], lines)
    response = StreamingHttpResponse(
        (writer.writerow([inert(cell) for cell in row]) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def inert(cell):
    """Text from a provider that a spreadsheet would run as a formula is quoted."""
    text = str(cell)
    return f"'{text}" if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not is_number(text)) else cell


def is_number(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def plain(amount):
    """1234.50: two decimals, no grouping, whatever scale the database returned."""
    return f"{Decimal(amount):.2f}"


class Echo:
    """csv.writer writes into this and gets each line back, so rows stream out."""

    def write(self, value):
        return value
