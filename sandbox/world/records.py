"""What the world is made of: customers and the invoices each provider holds.

Plain frozen records; the generators (people.py, qvickly_invoices.py,
fusebill_*.py) make them and the emulators only read them.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

# Fusebill payment schedule statuses; an invoice's state comes from its schedules.
SCHEDULE_STATUSES = ("Due", "Overdue", "Paid", "WrittenOff", "Void", "Disputed", "Pending")
CLOSED_STATUSES = ("Paid", "Cancelled", "Credited")
# Days past due after which a Qvickly invoice may be sent to debt collection (inkasso).
COLLECTION_AFTER_DAYS = 60
# Days past due after which staff at Fusebill put a customer's account in Collection.
FUSEBILL_COLLECTION_AFTER_DAYS = 40


class Article(NamedTuple):
    artnr: str
    title: str
    quantity: str  # Qvickly sends quantities as text, "3.5" included
    aprice_ore: int
    discount_pct: int
    vat_rate: int

    @property
    def net_ore(self):
        gross = Decimal(self.quantity) * self.aprice_ore * (100 - self.discount_pct) / 100
        return _round_ore(gross)

    @property
    def vat_ore(self):
        return _round_ore(Decimal(self.net_ore) * self.vat_rate / 100)


@dataclass(frozen=True)
class Customer:
    identity: str  # canonical: persons YYYYMMDDNNNN, companies NNNNNNNNNN
    name: str
    email: str
    is_company: bool
    qvickly_number: str | None
    fusebill_id: int | None = None
    currency: str = "SEK"  # billing currency at Fusebill; Qvickly invoices are always SEK
    fusebill_reference: str = ""  # the identity number as Fusebill's reference fields hold it
    street: str = ""
    zip_code: str = ""
    city: str = ""
    phone: str = ""
    contact: str = ""  # companies: the person who signs and receives invoices
    signer_identity: str = ""  # companies: the signer's personal number

    def fusebill_account_status(self, invoices, today):
        """customerAccountStatus: PoorStanding as soon as an invoice is overdue, Collection
        once one is FUSEBILL_COLLECTION_AFTER_DAYS overdue, unless the Fusebill id is even
        (a merchant who waits): decided by the id, so no draw changes."""
        late = [(today - s.due.date()).days for i in invoices for s in i.schedules if s.status == "Overdue"]
        if not late:
            return "Good"
        if max(late) > FUSEBILL_COLLECTION_AFTER_DAYS and self.fusebill_id % 2:
            return "Collection"
        return "PoorStanding"

    @property
    def is_coordination(self):
        """A samordningsnummer: the day of birth is written plus 60."""
        return not self.is_company and int(self.identity[6:8]) > 60

    @property
    def birth_date(self):
        if self.is_company:
            return None
        return datetime.date(int(self.identity[:4]), int(self.identity[4:6]), int(self.identity[6:8]) % 60)

    @property
    def short_identity(self):
        """The 10-digit written form: YYMMDD-NNNN, with + from the 100th birthday."""
        return short_form(self.identity)


@dataclass(frozen=True)
class QvicklyInvoice:
    number: str
    hash: str
    identity: str
    invoice_type: str  # F, K, KN, RF
    status: str
    distributor_status: str
    invoice_date: datetime.date
    due_date: datetime.date
    paid_date: datetime.date | None
    total_ore: int  # negative for credit invoices
    balance_ore: int  # what is still unpaid (negative: still to refund)
    credits_number: str  # K only: the number of the invoice it credits
    articles: tuple[Article, ...]
    payment_method: str
    currency: str = "SEK"
    # The credit check's result (Status.md), for invoice and part-payment methods;
    # getPaymentinfo sends it in place of the status while the invoice is open.
    credit_check: str = ""
    # RF only: the late invoice whose interest it charges, when there is one.
    charges_number: str = ""

    @property
    def related_number(self):
        """What the rows' reference columns (creditinvoiceid, paymentid_related) hold."""
        return self.credits_number or self.charges_number

    @property
    def net_ore(self):
        return sum(article.net_ore for article in self.articles)

    @property
    def vat_ore(self):
        return sum(article.vat_ore for article in self.articles)

    @property
    def is_open(self):
        """Not settled: "Paid" with a balance is still owed (Status.md: Paid beside
        distributor status Sent is finalized by the customer but not yet paid)."""
        return self.status not in CLOSED_STATUSES or self.balance_ore != 0

    def is_overdue(self, today=None):
        return self.is_open and self.balance_ore > 0 and self.due_date < (today or datetime.date.today())

    def settled_on(self, today=None):
        """The day Qvickly paid this invoice out to the merchant: weekly, on the Monday
        after the payment; None while unpaid or before that Monday has come."""
        if self.paid_date is None:
            return None
        payout = self.paid_date + datetime.timedelta(days=7 - self.paid_date.weekday())
        return payout if payout <= (today or datetime.date.today()) else None

    def collection_state(self, today=None):
        """getDuePayments' invoiceStatus: "Due" (förfallen) while overdue, "Collection"
        once sent to debt collection; None when not overdue. Invoices more than
        COLLECTION_AFTER_DAYS overdue go to collection unless their number is a
        multiple of 3 (a merchant who waits): decided by the number, so no draw changes."""
        today = today or datetime.date.today()
        if not self.is_overdue(today):
            return None
        late = (today - self.due_date).days > COLLECTION_AFTER_DAYS
        return "Collection" if late and int(self.number) % 3 else "Due"


@dataclass(frozen=True)
class ChargeTier:
    label: str  # as Fusebill writes it: "0-5", ">5-20", ">20"
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FusebillCharge:
    product_id: int
    name: str
    gl_code: str
    quantity: int
    unit_price: Decimal  # tiered products: the average, cut at six decimals like the docs' 37.714285
    amount: Decimal  # before discount and tax
    vat_rate: int
    period_days: int  # the service period of a subscription; 0 for a one-off purchase
    tiers: tuple[ChargeTier, ...] = ()
    discount_pct: int = 0

    @property
    def discount(self):
        return cents(self.amount * self.discount_pct / 100)


@dataclass(frozen=True)
class FusebillTax:
    name: str
    percent: int
    total: Decimal


@dataclass(frozen=True)
class PaymentSchedule:
    due: datetime.datetime  # UTC
    status: str  # one of SCHEDULE_STATUSES
    amount: Decimal
    outstanding: Decimal
    days_due_after_term: int  # 0, 30, 60 for the three parts of an instalment plan


@dataclass(frozen=True)
class FusebillInvoice:
    """A posted Fusebill invoice; timestamps are aware UTC datetimes, money Decimal."""

    id: int
    number: int
    customer_id: int  # the customer's fusebill_id
    currency: str
    created: datetime.datetime
    effective: datetime.datetime
    posted: datetime.datetime
    modified: datetime.datetime
    terms_days: int
    charges: tuple[FusebillCharge, ...]
    taxes: tuple[FusebillTax, ...]
    schedules: tuple[PaymentSchedule, ...]
    subtotal: Decimal
    total_discount: Decimal
    invoice_amount: Decimal  # subtotal - total_discount + taxes
    total_payments: Decimal
    sum_of_credit_notes: Decimal
    total_writeoffs: Decimal
    opening_ar: Decimal  # the customer's balance before it: what their earlier invoices still owe
    po_number: str | None = None
    notes: str | None = None

    @property
    def outstanding(self):
        return self.invoice_amount - self.total_payments - self.sum_of_credit_notes - self.total_writeoffs

    @property
    def closing_ar(self):
        return self.opening_ar + self.invoice_amount

    @property
    def terms(self):
        return f"Net{self.terms_days}"

    @property
    def installments(self):
        return len(self.schedules)


def short_form(identity: str, today: datetime.date | None = None) -> str:
    """The 10-digit form of a canonical number; companies as NNNNNN-NNNN."""
    if len(identity) == 10:
        return f"{identity[:6]}-{identity[6:]}"
    today = today or datetime.date.today()
    born = datetime.date(int(identity[:4]), int(identity[4:6]), int(identity[6:8]) % 60)
    centenarian = (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) >= 100
    return f"{identity[2:8]}{'+' if centenarian else '-'}{identity[8:]}"


def cents(value: Decimal | int) -> Decimal:
    """Rounded to the cent, half away from zero."""
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _round_ore(value):
    # Half away from zero, so a credit line is exactly minus its invoice line.
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
