"""The API functions the dashboard uses, answered from the generated world.

Each takes the request's `data` and returns the reply's `data`, or raises
QvicklyError with the code the real API gives.
"""

import datetime
import functools
import json
import re
from pathlib import Path

from sandbox import readings
from sandbox.qvickly.identity import InvalidNumber, read_number
from sandbox.qvickly.shapes import (
    customer_row,
    due_payment_row,
    full_object,
    payment_info,
    settlement_row,
    single_object,
    summary_row,
)
from sandbox.world import QVICKLY_MERCHANTS, world

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"

# Documentation examples are served verbatim for the request that the
# documentation page shows (function, the data that selects it, file).
EXAMPLES = (
    ("getinvoicesbycustomer", {"customerno": "12345"}, "qvickly_000_getInvoicesByCustomer_full.json"),
    ("getinvoicesbycustomer", {"customerno": "123456"}, "qvickly_001_getInvoicesByCustomer_summary.json"),
    ("getinvoicesbypno", {"pno": "0000000000", "status": "Sent,Paid"}, "qvickly_002_getInvoicesByPno.json"),
    (
        "getinvoicebyhash",
        {"hash": "20240510123456789abcdef123456789abcdef123456789abcdef123456789abcdef"},
        "qvickly_003_getInvoiceByHash.json",
    ),
    ("getpaymentinfo", {"number": "12345"}, "qvickly_getPaymentinfo.json"),
    ("getcustomersbyname", {"name": "Thomas"}, "qvickly_getCustomersByName.json"),
)

ACCOUNT_NAME = "Sandlådan Handel AB"
# getDuePayments answers "at most about three months back" (docs/providers.md).
DUE_PAYMENTS_REACH = datetime.timedelta(days=92)


class QvicklyError(Exception):
    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class UnsignedQvicklyError(QvicklyError):
    """An error the endpoint sends in the unsigned top-level shape."""


def dispatch(function: object, data: object, logid: int) -> object:
    if not isinstance(function, str) or not function.strip():
        raise QvicklyError("9003")
    name = function.strip().lower()
    handler = FUNCTIONS.get(name)
    if handler is None:
        raise QvicklyError("9001")
    example = _example_for(name, data)
    if example is not None:
        return example
    return handler(data, logid)


def _example_for(function, data):
    if not isinstance(data, dict):
        return None
    for name, match, filename in EXAMPLES:
        if name == function and all(str(data.get(key)) == value for key, value in match.items()):
            return _example_data(filename)
    return None


@functools.cache
def _example_data(filename):
    # strict=False: the getInvoicesByPno example has a raw line break inside a string.
    return json.loads((EXAMPLES_DIR / filename).read_text(encoding="utf-8"), strict=False)["data"]


def _required(data, name):
    if not isinstance(data, dict) or data.get(name) is None:
        raise QvicklyError("9004", param=name)
    return str(data[name]).strip()


def get_invoices_by_pno(data, logid):
    pno, status = _required(data, "pno"), _required(data, "status")
    if status not in ("Sent", "Sent,Paid"):
        raise QvicklyError("7022")
    if not pno:
        raise QvicklyError("9014")
    if readings.current("qvickly_pno_match") == "ten_digits" and not re.fullmatch(r"[0-9]{6}\+?[0-9]{4}", pno):
        raise QvicklyError("9016")  # a server that validates the form it stores, and refuses others
    try:
        identity = read_number(pno)
    except InvalidNumber:
        raise QvicklyError("9016") from None
    customer = world().customer_by_identity(identity.canonical)
    if customer is None or customer.qvickly_number is None or not _held_as(pno, customer):
        return _unknown_number(identity)
    invoices = world().qvickly_invoices_of(customer.identity)
    if status == "Sent":
        invoices = [invoice for invoice in invoices if invoice.is_open]
    elif readings.current("qvickly_sent_paid") == "paid_or_cancelled":
        invoices = [invoice for invoice in invoices if not invoice.is_open]
    return [summary_row(invoice, customer) for invoice in invoices]


def _held_as(pno, customer):
    """Whether the number as sent finds the customer, in the reading played: any
    written form, or only the form the provider stores (10 digits, with or
    without its separator)."""
    match = readings.current("qvickly_pno_match")
    if match in ("any", "ten_digits"):
        return True
    stored = customer.short_identity if match == "dashed" else customer.short_identity.replace("-", "")
    return re.sub(r"\s", "", pno) == stored


def _unknown_number(identity):
    """Nobody documents whether an empty lookup is [] or an 80xx code; the docs
    show errors unsigned at the top level too."""
    answer = readings.current("qvickly_unknown_pno")
    if answer == "empty":
        return []
    if answer == "unsigned":
        raise UnsignedQvicklyError("8010")
    raise QvicklyError("8011" if identity.is_company else "8010")


def get_invoices_by_customer(data, logid):
    number = _required(data, "customerno")
    if not number:
        raise QvicklyError("7020")
    customer = _customer_by_number(number)
    if customer is None:
        return []  # the docs do not say whether this is [] or an 80xx code
    invoices = world().qvickly_invoices_of(customer.identity)
    # The docs show both reply shapes for this function; serve each to half the customers.
    if int(customer.qvickly_number) % 2:
        return [full_object(invoice, customer) for invoice in invoices]
    return [summary_row(invoice, customer) for invoice in invoices]


def _customer_by_number(number):
    """Full match on the customer number, else on the organisation number."""
    customer = world().customer_by_qvickly_number(number)
    if customer is not None:
        return customer
    try:
        identity = read_number(number)
    except InvalidNumber:
        return None
    customer = world().customer_by_identity(identity.canonical) if identity.is_company else None
    return customer if customer is not None and customer.qvickly_number else None


def get_invoice_by_hash(data, logid):
    invoice = world().qvickly_invoice_by_hash(_required(data, "hash"))
    if invoice is None:
        raise QvicklyError("6010")
    return single_object(invoice, logid)


def get_payment_info(data, logid):
    number = _required(data, "number")
    invoice = world().qvickly_invoice_by_number(number)
    if invoice is None:
        raise QvicklyError("5201", number=number)
    return payment_info(invoice)


def get_due_payments(data, logid):
    """Every invoice of the merchant past due on `dueDate` and still unpaid today:
    `Due`, or `Collection` once sent to debt collection, oldest due date first.

    The docs give the date and say "at most about three months back", no more.
    This emulator reads `dueDate` as the day the list is as of: a date further
    back than DUE_PAYMENTS_REACH is answered as of the earliest day it reaches
    (older states are not kept), a date after today as of today. So asked for
    today it lists every overdue invoice, however long overdue. The reading
    "since" (sandbox/readings.py) lists instead what is past due today and fell
    due on or after the date, as the docs' example does.
    """
    try:
        asked = datetime.date.fromisoformat(_required(data, "dueDate"))
    except ValueError:
        raise QvicklyError("9004", param="dueDate") from None
    today = world().today
    as_of = min(max(asked, today - DUE_PAYMENTS_REACH), today)
    since = readings.current("qvickly_due_date") == "since"
    overdue = [
        invoice
        for invoice in world().qvickly_invoices
        if invoice.collection_state(today) is not None and ((invoice.due_date >= as_of) == since)
    ]
    overdue.sort(key=lambda invoice: (invoice.due_date, int(invoice.number)))
    return [due_payment_row(invoice, today) for invoice in overdue]


def get_settlements(data, logid):
    """Every weekly payout to the merchant from `fromDate` on, newest first, with the
    invoices it settled. The docs set no limit on how far back: neither does this."""
    try:
        since = datetime.date.fromisoformat(_required(data, "fromDate"))
    except ValueError:
        raise QvicklyError("9004", param="fromDate") from None
    today = world().today
    payouts = {}
    for invoice in sorted(world().qvickly_invoices, key=lambda i: int(i.number)):
        payout = invoice.settled_on(today)
        if payout is not None and payout >= since:
            payouts.setdefault(payout, []).append(invoice)
    rows = [settlement_row(payout, invoices) for payout, invoices in sorted(payouts.items(), reverse=True)]
    return {"Settlements": rows, "Date": today.isoformat()}


def get_customers_by_name(data, logid):
    """The merchant's customer register, partial match on the name, by customer number.

    The docs show one request and one row and say nothing of case, accents or
    an empty result: case is ignored here, accents are not ("Ostlund" does not
    find Östlund: a client must not count on the provider folding them), and
    no match is an empty list, as getInvoicesByCustomer answers.
    """
    name = _required(data, "name").casefold()
    if not name:
        raise QvicklyError("9004", param="name")
    found = [c for c in world().customers if c.qvickly_number and name in c.name.casefold()]
    return [customer_row(customer) for customer in sorted(found, key=lambda c: int(c.qvickly_number))]


def get_account_info(data, logid):
    eid = next(iter(QVICKLY_MERCHANTS))
    return {"name": ACCOUNT_NAME, "eid": eid, "country": "SE", "currency": "SEK", "language": "sv", "test": "1"}


FUNCTIONS = {
    "getinvoicesbypno": get_invoices_by_pno,
    "getinvoicesbycustomer": get_invoices_by_customer,
    "getinvoicebyhash": get_invoice_by_hash,
    "getpaymentinfo": get_payment_info,
    "getaccountinfo": get_account_info,
    "getcustomersbyname": get_customers_by_name,
    "getduepayments": get_due_payments,
    "getsettlements": get_settlements,
}
