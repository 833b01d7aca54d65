"""A customer's statement of account (kontoutdrag), across every provider account.

Read from the cache alone, like the customer page: what is open with its due date
and stage, the aging of what is owed, what was paid and credited on the invoices
of a period, the total to pay per currency (currencies are never added together),
and how to pay, in the words the providers' invoice data uses. The HTML page and
the PDF (invoices/statement_pdf.py) both render a Statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invoices.aging import Aging, Bucket
from invoices.masterdata import master_data
from invoices.models import Customer, CustomerLink, Invoice, InvoiceQuerySet, Totals

# The periods staff may pick, in days back from today; the first is the default.
PERIODS = (90, 30, 180, 365)

STAGE_LABELS: dict[str, Promise] = {
    Invoice.Stage.NOT_DUE: gettext_lazy("Not yet due"),
    Invoice.Stage.OVERDUE: gettext_lazy("Overdue"),
    Invoice.Stage.COLLECTION: gettext_lazy("In collection"),
    Invoice.Stage.DISPUTED: gettext_lazy("Disputed"),
    Invoice.Stage.WRITTEN_OFF: gettext_lazy("Written off"),
}

KIND_LABELS: dict[str, Promise] = {
    Invoice.Kind.INVOICE: gettext_lazy("Invoice"),
    Invoice.Kind.CREDIT: gettext_lazy("Credit invoice"),
    Invoice.Kind.CASH: gettext_lazy("Cash invoice"),
    Invoice.Kind.INTEREST: gettext_lazy("Interest invoice"),
}

# Keys that name payment details wherever a provider's invoice JSON may carry them
# (lower-cased, without separators). Only these are read: the same JSON holds
# personal numbers, which a statement must never print.
PAYMENT_KEYS = {
    "bankgiro": gettext_lazy("Bankgiro"),
    "bg": gettext_lazy("Bankgiro"),
    "plusgiro": gettext_lazy("Plusgiro"),
    "pg": gettext_lazy("Plusgiro"),
    "ocr": gettext_lazy("OCR number"),
    "ocrnumber": gettext_lazy("OCR number"),
    "iban": gettext_lazy("IBAN"),
    "bic": gettext_lazy("BIC"),
    "swift": gettext_lazy("BIC"),
    "paymentreference": gettext_lazy("Payment reference"),
    "yourreference": gettext_lazy("Your reference"),
    "ourreference": gettext_lazy("Our reference"),
    "ponumber": gettext_lazy("Purchase order number"),
}


def period_days(value: object) -> int:
    """The period asked for (?days=), or the default for anything else."""
    try:
        days = int(str(value))
    except ValueError:
        return PERIODS[0]
    return days if days in PERIODS else PERIODS[0]


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat()


def bucket_label(bucket: Bucket) -> str:
    """The aging bucket's name in the active language, from its key (invoices/aging.py)."""
    if bucket.key == "current":
        return _("Not yet due")
    low, _sep, high = bucket.key.removeprefix("days_").partition("_")
    if high == "plus":
        return _("Over %(days)s days overdue") % {"days": int(low) - 1}
    return _("%(low)s–%(high)s days overdue") % {"low": low, "high": high}


@dataclass(frozen=True)
class OpenRow:
    number: str
    provider: str
    kind: str
    issued: date | None
    due: date | None
    stage: str
    total: Decimal
    outstanding: Decimal
    currency: str
    link: str


@dataclass(frozen=True)
class CurrencyBalance:
    """One currency's total to pay and its aging strip."""

    currency: str
    owed: Decimal
    overdue: Decimal
    buckets: list[tuple[str, Decimal]]

    @property
    def heading(self) -> str:
        """What the balance is to the customer: to pay, or theirs when credits exceed it."""
        if self.owed < 0:
            return _("To your credit, %(currency)s") % {"currency": self.currency}
        return _("Total to pay, %(currency)s") % {"currency": self.currency}


@dataclass(frozen=True)
class PeriodSum:
    """One currency's figures for the invoices dated in the period."""

    currency: str
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    written_off: Decimal


@dataclass(frozen=True)
class SettledRow:
    """A payment or credit on an invoice of the period; `on` only where the data dates it."""

    number: str
    provider: str
    kind: str
    issued: date | None
    paid: Decimal
    credited: Decimal
    on: date | None
    currency: str


@dataclass(frozen=True)
class PaymentDetails:
    """What one provider account's invoice data says about paying."""

    account: str
    provider: str
    payee: list[str]
    facts: list[tuple[str, str]]
    links: list[tuple[str, str]]  # (invoice number, link to the invoice)

    def __bool__(self) -> bool:
        return bool(self.payee or self.facts or self.links)


@dataclass(frozen=True)
class Statement:
    customer: Customer
    today: date
    period_start: date
    period_days: int
    address: tuple[str, ...]
    organisation_number: str
    fetched_at: datetime | None
    open_rows: list[OpenRow]
    balances: list[CurrencyBalance]
    period_sums: list[PeriodSum]
    settled: list[SettledRow]
    payment: list[PaymentDetails] = field(default_factory=list)

    @property
    def masked_number(self) -> str:
        """Persons' numbers masked; organisation numbers are public and shown whole."""
        return "" if self.organisation_number else self.customer.masked_identity

    @property
    def owes_nothing(self) -> bool:
        return not any(balance.owed for balance in self.balances)

    @property
    def payment_dates_known(self) -> bool:
        """Whether any payment of the period is dated: listings rarely say when."""
        return any(row.on for row in self.settled)

    @property
    def never_fetched(self) -> bool:
        return self.fetched_at is None


def build(customer: Customer, days: int = PERIODS[0], today: date | None = None) -> Statement:
    today = today or timezone.localdate()
    start = today - timedelta(days=days)
    links = list(customer.links.select_related("account").filter(account__active=True).order_by("account__name"))
    master = master_data(customer, links)
    invoices: InvoiceQuerySet = customer.invoices.select_related("account")
    open_invoices = list(invoices.unsettled().order_by("due_date", "number"))
    period_invoices = list(
        invoices.filter(issue_date__gte=start, issue_date__lte=today, gone_at__isnull=True).exclude(
            state=Invoice.State.CANCELLED
        )
    )
    settled = [row for row in map(settled_row, period_invoices) if row]
    return Statement(
        customer=customer,
        today=today,
        period_start=start,
        period_days=days,
        address=master.contact.address,
        organisation_number=master.organisation_number,
        # The stalest account's fetch: the statement is as of then.
        fetched_at=min((link.fetched_at for link in links if link.fetched_at), default=None),
        open_rows=[open_row(invoice) for invoice in open_invoices],
        balances=balances(invoices.all().totals(Aging(as_of=today), customer.balances.all())),
        period_sums=period_sums(period_invoices, settled),
        settled=settled,
        payment=[details for details in payment_details(links, open_invoices) if details],
    )


def period_sums(invoices: list[Invoice], settled: list[SettledRow]) -> list[PeriodSum]:
    """Per currency, summed from the rows themselves, so the figures match the lines
    below them: a credit invoice of the period counts even when what it credits is older."""
    sums: dict[str, dict[str, Decimal]] = {}
    zero = {"invoiced": Decimal(0), "credited": Decimal(0), "paid": Decimal(0), "written_off": Decimal(0)}
    for invoice in invoices:
        figures = sums.setdefault(invoice.currency, dict(zero))
        if invoice.kind != Invoice.Kind.CREDIT:
            figures["invoiced"] += invoice.total
        figures["written_off"] += invoice.written_off
    for row in settled:
        figures = sums.setdefault(row.currency, dict(zero))
        figures["paid"] += row.paid
        figures["credited"] += row.credited
    return [PeriodSum(currency, **figures) for currency, figures in sorted(sums.items())]


def open_row(invoice: Invoice) -> OpenRow:
    stage = invoice.current_stage
    return OpenRow(
        number=invoice.number,
        provider=invoice.account.provider.label,
        kind=str(KIND_LABELS.get(invoice.kind, invoice.kind)),
        issued=invoice.issue_date,
        due=invoice.due_date,
        stage=str(STAGE_LABELS[stage]) if stage in STAGE_LABELS else "",
        total=invoice.total,
        outstanding=invoice.outstanding,
        currency=invoice.currency,
        link=invoice.pdf_link if not invoice.account.provider.proxies_pdf else "",
    )


def balances(totals: list[Totals]) -> list[CurrencyBalance]:
    return [
        CurrencyBalance(t["currency"], t["owed"], t["overdue"], [(bucket_label(b), v) for b, v in t["buckets"]])
        for t in totals
        if t["owed"] or t["open_count"]
    ]


def settled_row(invoice: Invoice) -> SettledRow | None:
    """What was paid or credited on one invoice; None when nothing was.

    Fusebill states its payments (totalPayments); elsewhere what is paid is what the
    invoice no longer owes beyond its credits and write-offs. A credit invoice is a
    credit of its whole amount. A Qvickly invoice credited by a credit invoice owes
    nothing and records no credit of its own: the credit invoice is the row that
    says so, and counting the invoice as paid would be wrong.
    """

    def row(paid: Decimal, credited: Decimal) -> SettledRow:
        return SettledRow(
            number=invoice.number,
            provider=invoice.account.provider.label,
            kind=str(KIND_LABELS.get(invoice.kind, invoice.kind)),
            issued=invoice.issue_date,
            paid=paid,
            credited=credited,
            on=invoice.paid_date,
            currency=invoice.currency,
        )

    if invoice.kind == Invoice.Kind.CREDIT:
        return row(Decimal(0), abs(invoice.total))
    stated = invoice.raw.get("totalPayments") if isinstance(invoice.raw, dict) else None
    if stated is not None and invoice.account.kind == "fusebill":
        paid = Decimal(str(stated))
    elif invoice.state == Invoice.State.CREDITED and not invoice.credited:
        paid = Decimal(0)
    else:
        paid = invoice.total - invoice.outstanding - invoice.credited - invoice.written_off
    if paid <= 0 and not invoice.credited:
        return None
    return row(max(paid, Decimal(0)), invoice.credited)


def payment_details(links: list[CustomerLink], open_invoices: list[Invoice]) -> Iterator[PaymentDetails]:
    """Per account with something open: the payee as the invoices name it, the payment
    facts their data carries (PAYMENT_KEYS), and links to the invoices themselves."""
    for link in links:
        mine = [invoice for invoice in open_invoices if invoice.account_id == link.account_id]
        if not mine:
            continue
        payee: list[str] = []
        facts: dict[tuple[str, str], None] = {}
        links_to: list[tuple[str, str]] = []
        for invoice in mine:
            for data in (invoice.detail, invoice.raw):
                if not isinstance(data, dict):
                    continue
                payee = payee or signature_lines(data.get("invoiceSignature"))
                for label, value in payment_facts(data):
                    facts[(label, value)] = None
            # A credit is not paid: only what is owed gets its link.
            if invoice.outstanding > 0 and not link.account.provider.proxies_pdf and invoice.pdf_link:
                links_to.append((invoice.number, invoice.pdf_link))
        yield PaymentDetails(link.account.name, link.account.provider.label, payee, list(facts), links_to)


def signature_lines(value: object) -> list[str]:
    """Fusebill's invoiceSignature, the merchant's name and contact as printed on the
    invoice: HTML, read as plain lines (never rendered as markup). Empty template
    fields leave bare separators and link stubs ("| | [][1]"), which are dropped."""
    if not isinstance(value, str):
        return []
    text = strip_tags(re.sub(r"(?i)</p>|<br\s*/?>", "\n", value))
    lines = []
    for line in text.splitlines():
        parts = [" ".join(part.split()) for part in line.split("|")]
        kept = [part for part in parts if any(c.isalnum() for c in part) and not part.startswith("[")]
        if kept:
            lines.append(" · ".join(kept))
    return lines[:6]


def payment_facts(data: dict[str, Any], depth: int = 0) -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if isinstance(value, dict) and depth < 3:
            yield from payment_facts(value, depth + 1)
            continue
        name = "".join(c for c in str(key).lower() if c.isalnum())
        if name in PAYMENT_KEYS and isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value).strip()
            if text and text != "0":
                yield str(PAYMENT_KEYS[name]), text[:60]
