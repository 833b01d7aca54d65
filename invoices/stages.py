"""Collection stages across the book: the overdue list and the money in each stage.

An invoice's stage is what its provider's data says (written by the sync) or a
dispute recorded here; models.stage_expression says it in SQL, so lists filter,
sort and sum by it in the database whatever the size of the book.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from invoices.collation import ordering
from invoices.forms import ListForm
from invoices.models import OVERDUE_STAGES, BookBalance, Invoice, InvoiceQuerySet
from invoices.open_book import OpenSumsQuerySet

# The overdue list's columns staff may sort by, as ?sort=name or ?sort=-name.
OVERDUE_SORTS = {
    "customer": "customer__name",
    "provider": "account__name",
    "number": "number",
    "stage": "stage_rank",
    "due": "due_date",
    "outstanding": "outstanding",
    "currency": "currency",
}


class OverdueForm(ListForm):
    """The overdue list's query string: only the stages of money past due are offered."""

    stages = {stage: label for stage, label in Invoice.Stage.choices if stage in OVERDUE_STAGES}

    def __init__(self, data):
        super().__init__(data, sorts=OVERDUE_SORTS, default_sort="due", currencies=BookBalance.objects.currencies())


def overdue_invoices(filters: OverdueForm) -> InvoiceQuerySet:
    """Every invoice past due and still owed, narrowed and sorted as the list asks,
    with its customer and account read in the same query."""
    invoices = filters.apply(Invoice.objects.all()).overdue().select_related("customer", "account")
    if provider := filters.value("provider"):
        invoices = invoices.filter(account__kind=provider)
    if stage := filters.value("stage"):
        invoices = invoices.filter(stage_now=stage)
    sort = filters.value("sort")
    field = OVERDUE_SORTS[sort.removeprefix("-")]
    # Oldest due first among equals, then a stable order for paging.
    return invoices.order_by(ordering(field, sort.startswith("-")), "due_date", "pk")


@dataclass(frozen=True)
class StageLine:
    stage: str
    label: str
    # Per currency, in the table's currency order: (money, invoices), or None where there is none.
    cells: list[tuple[Decimal, int] | None]


def stage_table(
    invoices: InvoiceQuerySet, summary: QuerySet | None = None, open_rows: OpenSumsQuerySet | None = None
) -> tuple[list[str], list[StageLine]]:
    """The money in each stage, one column per currency (never added together); `summary`
    and `open_rows` hold the same invoices' Balance (or BookBalance) and OpenBalance (or OpenTotal) rows
    (InvoiceQuerySet.stage_totals)."""
    if open_rows is not None and summary is not None:
        rows = open_rows.stage_totals(summary)
    else:
        rows = list(invoices.stage_totals(summary=summary))
    currencies = sorted({row["currency"] for row in rows})
    found = {(row["stage_now"], row["currency"]): (row["amount"], row["count"]) for row in rows}
    # What is open without a stage (credits owed back, mostly) has a line of its own, before
    # what was written off, so that the lines above it add up to what is owed.
    stages = [(stage, str(label)) for stage, label in Invoice.Stage.choices if stage != Invoice.Stage.WRITTEN_OFF]
    stages += [("", _("Open, no stage")), (Invoice.Stage.WRITTEN_OFF, str(Invoice.Stage.WRITTEN_OFF.label))]
    lines = [
        StageLine(stage, label, [found.get((stage, currency)) for currency in currencies])
        for stage, label in stages
        if any((stage, currency) in found for currency in currencies)
    ]
    return currencies, lines
