"""What the downloads hold: the aging report, a customer's invoices, the overdue list.

The CSV, in either dialect, keeps the columns it always had, in their order: scripts
read them by position, and `customer_id` is our own key for the customer. The
XLSX is for people: the customer's name and the providers' customer numbers
instead of our ids, and headers in the reader's language.
"""

import itertools
from collections.abc import Iterable, Iterator, Mapping

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from invoices.aging import Aging
from invoices.models import CustomerLink, InvoiceQuerySet
from invoices.sheets import Column, Kind, Table

CUSTOMER_ID = Column("customer_id", "")
CUSTOMER = Column("customer", _("Customer"), width=30)
CUSTOMER_NUMBER = Column("customer_number", _("Customer number"), width=16)
CUSTOMER_NUMBERS = Column("customer_numbers", _("Customer numbers"), width=30)
CURRENCY = Column("currency", _("Currency"), width=9)
PROVIDER = Column("provider", _("Provider"), width=12)
ACCOUNT = Column("account", _("Account"), width=18)
NUMBER = Column("number", _("Invoice number"), width=16)
TYPE = Column("type", _("Type"), width=12)
STATUS = Column("status", _("Status"), width=14)
PROVIDER_STATUS = Column("provider_status", _("Provider status"), width=16)
INVOICE_DATE = Column("invoice_date", _("Invoice date"), Kind.DATE, width=12)
DUE_DATE = Column("due_date", _("Due date"), Kind.DATE, width=12)
DAYS_PAST_DUE = Column("days_past_due", _("Days past due"), Kind.COUNT, width=10)
TOTAL = Column("total", _("Total"), Kind.MONEY)
OUTSTANDING = Column("outstanding", _("Outstanding"), Kind.MONEY)
STAGE = Column("stage", _("Stage"), width=16)
PROVIDER_STAGE = Column("provider_stage", _("Provider stage"), width=16)

# Rows of customers whose provider numbers are read together, in one query.
CHUNK = 500


def aging_table(rows, aging: Aging) -> Table:
    """One line per customer and currency: the buckets and their total."""
    buckets = [Column(b.label, b.title, Kind.MONEY) for b in aging.buckets]
    return Table(
        title=_("Aging"),
        csv=[CUSTOMER_ID, CUSTOMER, CURRENCY, *buckets, TOTAL],
        xlsx=[CUSTOMER, CUSTOMER_NUMBERS, CURRENCY, *buckets, TOTAL],
        rows=(
            {
                "customer_id": row["customer"],
                "customer": row["customer__name"],
                "customer_numbers": numbers,
                "currency": row["currency"],
                "total": row["owed"],
                **{b.label: row[b.key] for b in aging.buckets},
            }
            for row, numbers in with_customer_numbers(rows.iterator())
        ),
    )


def with_customer_numbers(rows: Iterable[Mapping]) -> Iterator[tuple[Mapping, str]]:
    """Each row with its customer's numbers at every provider account, "Account: number, …"."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        links = (
            CustomerLink.objects.filter(customer__in={row["customer"] for row in chunk})
            .exclude(provider_customer_id="")
            .order_by("customer", "account__name")
            .values_list("customer", "account__name", "provider_customer_id")
        )
        numbers: dict[int, list[str]] = {}
        for customer, account, number in links:
            numbers.setdefault(customer, []).append(f"{account}: {number}")
        for row in chunk:
            yield row, ", ".join(numbers.get(row["customer"], []))


def with_customer_number(invoices: InvoiceQuerySet) -> InvoiceQuerySet:
    """The customer's number at the invoice's own account, read in the same query."""
    link = CustomerLink.objects.filter(customer=OuterRef("customer"), account=OuterRef("account"))
    return invoices.annotate(customer_number=Subquery(link.values("provider_customer_id")[:1]))


def invoice_table(invoices: InvoiceQuerySet) -> Table:
    """A customer's invoice list."""
    columns = [
        PROVIDER,
        ACCOUNT,
        NUMBER,
        TYPE,
        STATUS,
        PROVIDER_STATUS,
        INVOICE_DATE,
        DUE_DATE,
        CURRENCY,
        TOTAL,
        OUTSTANDING,
        STAGE,
        PROVIDER_STAGE,
    ]
    return Table(
        title=_("Invoices"),
        csv=columns,
        xlsx=[CUSTOMER_NUMBER, *columns],
        rows=(
            {
                "provider": i.account.get_kind_display(),
                "account": i.account.name,
                "customer_number": i.customer_number,
                "number": i.number,
                "type": i.get_kind_display(),
                "status": i.get_state_display(),
                "provider_status": i.provider_status,
                "invoice_date": i.issue_date,
                "due_date": i.due_date,
                "currency": i.currency,
                "total": i.total,
                "outstanding": i.outstanding,
                "stage": i.current_stage_label,
                "provider_stage": i.provider_stage,
            }
            for i in with_customer_number(invoices).iterator()
        ),
    )


def overdue_table(invoices: InvoiceQuerySet) -> Table:
    """The overdue list: one line per invoice, its stage and the provider's word for it."""
    columns = [
        PROVIDER,
        ACCOUNT,
        NUMBER,
        TYPE,
        STAGE,
        PROVIDER_STAGE,
        DUE_DATE,
        DAYS_PAST_DUE,
        CURRENCY,
        OUTSTANDING,
    ]
    return Table(
        title=_("Overdue"),
        csv=[CUSTOMER_ID, CUSTOMER, *columns],
        xlsx=[CUSTOMER, CUSTOMER_NUMBER, *columns],
        rows=(
            {
                "customer_id": i.customer_id,
                "customer": i.customer.name,
                "customer_number": i.customer_number,
                "provider": i.account.get_kind_display(),
                "account": i.account.name,
                "number": i.number,
                "type": i.get_kind_display(),
                "stage": i.current_stage_label,
                "provider_stage": i.provider_stage,
                "due_date": i.due_date,
                "days_past_due": i.days_past_due,
                "currency": i.currency,
                "outstanding": i.outstanding,
            }
            for i in with_customer_number(invoices).iterator()
        ),
    )
