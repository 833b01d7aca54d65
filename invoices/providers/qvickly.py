"""Qvickly PaymentAPI (formerly Billmate): one JSON endpoint, HMAC-signed.

Protocol facts: every call POSTs {"credentials", "data", "function"} to the
account's base URL; the HTTP status is 200 even for errors; replies are signed
the same way as requests and must be verified before their data is used.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invoices.identity import InvalidIdentity, is_company
from invoices.identity import parse as parse_identity
from invoices.providers.base import (
    JSON,
    AccountSettings,
    Contact,
    CredentialsRejected,
    CustomerRecord,
    Discovered,
    DueReader,
    InvoiceRecord,
    NotFound,
    Provider,
    ProviderError,
    Reply,
    Search,
    Session,
    Stage,
    Wording,
    checked,
    checked_customer,
    mapping,
    objects,
    shape_errors,
    to_date,
    to_decimal,
    web_url,
    without_control_characters,
)

NAME = "Qvickly"
API_VERSION = "2.5.0"
CLIENT_NAME = "ARPortal:Python:1.0"
# How far back discovery reads settlements; getDuePayments is documented to reach
# "about three months" back, and settlements are read no further.
DISCOVERY_REACH = datetime.timedelta(days=90)

# getCustomersByName rows kept per search.
MAX_NAME_MATCHES = 50
# Codes that mean "nothing here" rather than "something broke".
NOT_FOUND_CODES = {"5201", "6010", "6011", "8010", "8011", "8012"}
# pno required, too short, invalid: what a written form the provider does not take earns.
INVALID_PNO_CODES = {"9014", "9015", "9016"}
# Missing id or hash, invalid credentials, authentication failed.
CREDENTIAL_CODES = {"9010", "9011", "9013"}
# Retrying cannot fix these either: unknown functions, invalid parameters.
PERMANENT_CODES = {"9001", "9003", "9004", "9014", "9015", "9016", "7020", "7022", "9511"}

KINDS = {"F": "invoice", "K": "credit", "KN": "cash", "RF": "interest"}
# Statuses that settle an invoice whatever its balance says.
SETTLED = {"Cancelled": "cancelled", "Credited": "credited"}
# What Status.md says "Paid" means beside each distributor status: never "paid" alone.
PAID_PAIRS = {
    "Created": gettext_lazy("not yet exported to the backend system (also seen when credited before it was paid)"),
    "Sent": gettext_lazy("finalized by the customer but not yet paid"),
    "Paid": gettext_lazy("paid by the customer"),
}
# getPaymentinfo puts the credit check's result where the status goes (Status.md):
# it says how the purchase was approved, nothing of whether it is paid.
CREDIT_CHECKS = {"Approved", "FactoringWithRegress", "FactoringWithoutRegress", "Rejected", "Manual", "Pending"}
# Methods.md. 24 and 266 are codes of their own, not sums of the others.
PAYMENT_METHODS = {
    "1": gettext_lazy("Invoice (factoring)"),
    "2": gettext_lazy("Invoice (handling)"),
    "4": gettext_lazy("Part payment"),
    "8": gettext_lazy("Card"),
    "16": gettext_lazy("Bank"),
    "24": gettext_lazy("Card / bank"),
    "32": gettext_lazy("Cash (deprecated)"),
    "64": gettext_lazy("Checkout"),
    "128": gettext_lazy("Simple payment (deprecated)"),
    "256": gettext_lazy("Pay link"),
    "266": gettext_lazy("Card (seamless)"),
    "512": gettext_lazy("Swish"),
    "1024": gettext_lazy("Swish"),
    "2048": gettext_lazy("Pay with Qvickly"),
}


ESCAPED_DEL = re.compile(r"(?<!\\)((?:\\\\)*)\\u007f")


def encode(data: object) -> str:
    """The JSON text that is signed: PHP's default json_encode of `data`."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
    # PHP writes DEL (U+007F) as it is where Python escapes it; an escaped backslash
    # followed by "u007f" is text, so only an odd run of backslashes is an escape.
    return ESCAPED_DEL.sub(lambda match: match.group(1) + "\x7f", text)


def sign(data: object, secret: str) -> str:
    return hmac.new(secret.encode(), encode(data).encode(), hashlib.sha512).hexdigest()


class Client:
    def __init__(
        self,
        base_url: str,
        merchant_id: str,
        secret: str,
        test_mode: bool = False,
        language: str = "sv",
        currency: str = "SEK",
        take_request: Callable[[], None] | None = None,
        remember_due_payments: Callable[[DueReader, bool], Mapping[str, str]] | None = None,
    ):
        self.base_url = base_url
        self.remember_due_payments = remember_due_payments
        self.merchant_id = merchant_id
        self.secret = secret
        self.test_mode = test_mode
        self.language = language
        self.currency = currency
        self.session = Session(NAME, retry_after=retry_after, take_request=take_request)

    def call(self, function: str, data: JSON) -> Any:
        body = {
            "credentials": {
                "id": self.merchant_id,
                "hash": sign(data, self.secret),
                "version": API_VERSION,
                "client": CLIENT_NAME,
                "language": self.language,
                "time": time.time(),
                "test": "1" if self.test_mode else "0",
            },
            "data": data,
            "function": function,
        }
        response = self.session.request("POST", self.base_url, json=body)
        if response.status_code == 429:
            raise ProviderError(NAME, Wording("is rate limiting us"), code="429")
        if response.status_code >= 400:
            # The API answers 200 even for its own errors: anything else is a broken upstream.
            raise ProviderError(
                NAME,
                Wording("answered HTTP %(status)s") % {"status": response.status_code},
                code=str(response.status_code),
                detail=response.text,
            )
        # Verified over the data as sent; control characters go once it is trusted.
        return without_control_characters(self.unwrap(response.json(clean=False)))

    def unwrap(self, reply: object) -> Any:
        """The verified `data` of a reply, or the typed error it carries."""
        if not isinstance(reply, dict):
            raise ProviderError(NAME, Wording("sent a reply of an unknown shape"))
        if "code" in reply and "credentials" not in reply:
            raise unsigned_error(reply)
        credentials, data = reply.get("credentials"), reply.get("data")
        if not isinstance(credentials, dict) or data is None:
            raise ProviderError(NAME, Wording("sent a reply of an unknown shape"))
        expected = sign(data, self.secret)
        if not hmac.compare_digest(str(credentials.get("hash", "")), expected):
            # With a wrong secret the server may sign its refusal with the real one, which
            # our check fails: staff must read "check the credentials", not "tampered reply".
            if is_error(data) and error_code(data) in CREDENTIAL_CODES:
                raise error_from(data)
            raise ProviderError(
                NAME,
                Wording("sent a reply whose signature does not match; it was not used"),
                code="9511",
                permanent=True,
            )
        if is_error(data):
            raise error_from(data)
        return data

    # The calls the dashboard makes.

    @shape_errors(NAME)
    def invoices_by_pno(self, pno: str, status: str = "Sent,Paid") -> list[InvoiceRecord]:
        """Every invoice of a personal or organisation number; empty when unknown."""
        try:
            rows = self.call("getInvoicesByPno", {"pno": pno, "status": status})
        except NotFound:
            return []
        return self.records(rows)

    @shape_errors(NAME)
    def invoices_of_number(self, number: str) -> list[InvoiceRecord]:
        """Every invoice of a personal or organisation number, asked in each of its
        written forms in turn (pno_forms) until one finds any; empty when none does."""
        first, *others = pno_forms(number)
        if records := self.open_and_settled(first):
            return records
        for pno in others:
            try:
                records = self.open_and_settled(pno)
            except ProviderError as error:
                # A form the provider does not accept (pno too short, invalid) is
                # a form it does not store the number in, not a failed lookup.
                if error.code in INVALID_PNO_CODES:
                    continue
                raise
            if records:
                return records
        return []

    def open_and_settled(self, pno: str) -> list[InvoiceRecord]:
        """Both filters getInvoicesByPno takes, merged by invoice number.

        "Sent,Paid" is documented as "the distributor status Paid or the status
        Cancelled": nothing says it returns open invoices too, so "Sent" is
        asked as well, and an invoice both return is kept once. A signed 80xx to
        the first says the number is not held in this form, whatever the filter:
        the second is not asked.
        """
        try:
            rows = self.call("getInvoicesByPno", {"pno": pno, "status": "Sent"})
        except NotFound:
            return []
        merged = {record.provider_id: record for record in self.records(rows)}
        for record in self.invoices_by_pno(pno, "Sent,Paid"):
            merged.setdefault(record.provider_id, record)
        return list(merged.values())

    @shape_errors(NAME)
    def invoices_by_customer(self, customer_number: str) -> list[InvoiceRecord]:
        try:
            rows = self.call("getInvoicesByCustomer", {"customerno": str(customer_number)})
        except NotFound:
            return []
        return self.records(rows)

    @shape_errors(NAME)
    def invoice_by_hash(self, invoice_hash: str) -> InvoiceRecord:
        return parse_full(self.call("getInvoiceByHash", {"hash": invoice_hash}), self.currency)

    @shape_errors(NAME)
    def invoice_detail(self, invoice_id: str, invoice_hash: str = "") -> InvoiceRecord:
        """The full invoice: by hash when the listing gave one, else by payment number
        (our provider id for a Qvickly invoice is its number)."""
        if invoice_hash:
            return self.invoice_by_hash(invoice_hash)
        return parse_payment_info(self.call("getPaymentinfo", {"number": invoice_id}), invoice_id, self.currency)

    @shape_errors(NAME)
    def customer_invoices(self, identity: str | None = None, customer_id: str = "") -> CustomerRecord | None:
        """The customer's invoices: by identity number when known (it brings the
        paid history too), else by customer number. None when there are none."""
        records = self.invoices_of_number(identity) if identity else self.invoices_by_customer(customer_id)
        if not records:
            return None
        today = timezone.localdate()
        # The listings never say whether a late invoice went to debt collection: only
        # getDuePayments does, merchant-wide, so it is read once for every customer.
        late = any(is_late(record, today) for record in records)
        states = self.collection_states() if late else {}
        for record in records:
            record.stage, record.provider_stage = stage_of(record, states, today)

        def first(attribute: str) -> str:
            return next((str(getattr(r, attribute)) for r in records if getattr(r, attribute)), "")

        return checked_customer(
            CustomerRecord(
                provider_customer_id=customer_id or first("customer_number"),
                name=first("customer_name"),
                email=first("customer_email"),
                identity=identity or first("customer_identity"),
                invoices=records,
            ),
            NAME,
        )

    @shape_errors(NAME)
    def find_customers(self, text: str) -> list[CustomerRecord]:
        """By customer number (or organisation number) when all digits, else by name
        (getCustomersByName, a partial match)."""
        if text.isdigit():
            found = self.customer_invoices(customer_id=text)
            return [found] if found else []
        return self.customers_by_name(text)

    @shape_errors(NAME)
    def customers_by_name(self, name: str) -> list[CustomerRecord]:
        """getCustomersByName (Get-customers-by-name.md): the merchant's customer register,
        partial match on the name. Rows carry no invoices; `companyno` holds the
        organisation or personal number where the register has one."""
        try:
            rows = self.call("getCustomersByName", {"name": name})
        except NotFound:
            return []
        if rows in ("", None):
            return []
        if not isinstance(rows, list):
            raise ProviderError(NAME, Wording("sent a customer list of an unknown shape"))
        found = {}
        for row in objects(rows):
            number = text(row.get("customerid"))
            if number:
                found[number] = checked_customer(
                    CustomerRecord(
                        provider_customer_id=number,
                        name=text(row.get("name")),
                        email=text(row.get("email")),
                        identity=text(row.get("companyno")),
                        raw=row,
                    ),
                    NAME,
                )
        # A name that matches most of the register is not a search; the rest wait for a longer one.
        return list(found.values())[:MAX_NAME_MATCHES]

    @shape_errors(NAME)
    def find_invoice(self, number: str) -> CustomerRecord | None:
        """The customer of invoice `number`, with their invoices; None when Qvickly has
        no such invoice. getPaymentinfo by number says whose it is (Customer.pno, else
        Customer.nr); their listing then brings the invoice with its balance, which
        getPaymentinfo does not carry."""
        try:
            info = self.payment_info(number)
        except NotFound:
            return None
        if info.customer_identity:
            found = self.customer_invoices(identity=info.customer_identity)
        elif info.customer_number:
            found = self.customer_invoices(customer_id=info.customer_number)
        else:
            return None
        if found is not None and not found.name:
            found.name, found.email = info.customer_name, info.customer_email
        return found

    @shape_errors(NAME)
    def account_info(self) -> JSON:
        return mapping(self.call("getAccountinfo", {"comingfromPHP": "0"}))

    # The whole book.

    @shape_errors(NAME)
    def due_payments(self, due_date: datetime.date) -> list[DuePayment]:
        """Every invoice of the merchant past due on `due_date` (Due or Collection),
        merchant-wide, with no customer in the rows."""
        try:
            rows = self.call("getDuePayments", {"dueDate": due_date.isoformat()})
        except NotFound:
            return []
        if rows in ("", None):
            return []
        if not isinstance(rows, list):
            raise ProviderError(NAME, Wording("sent a list of due payments of an unknown shape"))
        return [parse_due_payment(row) for row in rows]

    @shape_errors(NAME)
    def payment_info(self, number: str) -> InvoiceRecord:
        """getPaymentinfo for one invoice: who it is to (customer_identity is its
        Customer.pno as written, customer_number its Customer.nr), without a balance."""
        return parse_payment_info(self.call("getPaymentinfo", {"number": number}), number, self.currency)

    @shape_errors(NAME)
    def settlements(self, from_date: datetime.date) -> list[Payout]:
        """Every payout to the merchant from `from_date` on, with the invoices it settled."""
        try:
            data = self.call("getSettlements", {"fromDate": from_date.isoformat()})
        except NotFound:
            return []
        if data in ("", None, []):
            return []
        if not isinstance(data, dict) or not isinstance(data.get("Settlements", []), list):
            raise ProviderError(NAME, Wording("sent settlements of an unknown shape"))
        return [parse_payout(row) for row in data.get("Settlements", [])]

    def discover(self) -> Iterator[Discovered]:
        """Every customer with anything past due (getDuePayments as of today), and
        every customer with a payment settled in the last DISCOVERY_REACH
        (getSettlements); getPaymentinfo per invoice says whose it is. One per
        invoice: a customer with several comes several times.

        The book this reaches ends there: Qvickly has no call that lists customers,
        so one whose invoices are all not yet due, or paid longer ago, is found only
        by a lookup. An invoice whose payment info fails, or settlements that cannot
        be read, are yielded as their error; refused credentials stop the listing,
        for every call would fail the same way.
        """
        today = timezone.localdate()
        states = dict(self.collection_states(fresh=True))
        try:
            for payout in self.settlements(today - DISCOVERY_REACH):
                for number in payout.invoice_numbers:
                    states.setdefault(number, "")
        except CredentialsRejected:
            raise
        except ProviderError as exc:
            yield Discovered(error=exc)
        for number, state in states.items():
            try:
                info = self.payment_info(number)
            except CredentialsRejected:
                raise
            except ProviderError as exc:
                yield Discovered(error=exc)
                continue
            yield Discovered(
                provider_customer_id=info.customer_number,
                identity=info.customer_identity,
                name=info.customer_name,
                email=info.customer_email,
                collection={number: state} if state else {},
            )

    def read_collection_states(self) -> dict[str, str]:
        """getDuePayments asked twice: its dueDate is read as the day the list is as of
        (today: everything past due) and, as the docs' example reads, as the earliest
        due date listed (as far back as it reaches). Either way the two lists together
        hold everything it will tell; states are today's in both."""
        today = timezone.localdate()
        states = {row.number: row.status for row in self.due_payments(today - DISCOVERY_REACH)}
        states.update((row.number, row.status) for row in self.due_payments(today))
        return states

    def collection_states(self, fresh: bool = False) -> Mapping[str, str]:
        """Invoice number -> Due or Collection for every invoice past due, merchant-wide:
        kept by the account when it can keep them (one read per cache TTL serves every
        customer's refresh), `fresh` read now."""
        if self.remember_due_payments is None:
            return self.read_collection_states()
        return self.remember_due_payments(self.read_collection_states, fresh)

    def records(self, rows: object) -> list[InvoiceRecord]:
        if rows in ("", None):
            return []
        if not isinstance(rows, list):
            raise ProviderError(NAME, Wording("sent an invoice list of an unknown shape"))
        return [parse_row(row, self.currency) for row in rows]


@dataclass(frozen=True)
class DuePayment:
    """A getDuePayments row (Get-due-payments.md): an overdue invoice, without its customer."""

    number: str
    order_id: str
    invoice_date: datetime.date | None
    status: str  # Due (förfallen) or Collection (sent to debt collection), kept verbatim
    due_date: datetime.date | None
    to_pay: Decimal  # kronor, as summary rows write amounts


def parse_due_payment(row: object) -> DuePayment:
    if not isinstance(row, dict):
        raise ProviderError(NAME, Wording("sent a due payment of an unknown shape"), detail=repr(row)[:200])
    raw_number = row.get("number")
    number = text(raw_number) if isinstance(raw_number, (str, int)) and not isinstance(raw_number, bool) else ""
    if not number or len(number) > 64:
        raise ProviderError(NAME, Wording("sent a due payment without a usable invoice number"), detail=repr(row)[:200])
    return DuePayment(
        number=number,
        order_id=text(row.get("orderid")),
        invoice_date=to_date(row.get("invoiceDate")),
        status=text(row.get("invoiceStatus"))[:50],
        due_date=to_date(row.get("dueDate")),
        to_pay=to_decimal(row.get("topay", "0"), NAME, "topay"),
    )


@dataclass(frozen=True)
class Payout:
    """A getSettlements entry (Get-settlements.md): one payout and the invoices it settled."""

    settlement_id: str
    date: datetime.date | None
    url: str
    invoice_numbers: tuple[str, ...]


def parse_payout(row: object) -> Payout:
    if not isinstance(row, dict) or not isinstance(row.get("InvoiceIds", []), list):
        raise ProviderError(NAME, Wording("sent a settlement of an unknown shape"), detail=repr(row)[:200])
    numbers = [value for value in row.get("InvoiceIds", []) if isinstance(value, (str, int))]
    if len(numbers) != len(row.get("InvoiceIds", [])) or any(isinstance(n, bool) for n in numbers):
        raise ProviderError(
            NAME, Wording("sent a settlement with invoice ids of an unknown shape"), detail=repr(row)[:200]
        )
    invoice_numbers = tuple(text(n) for n in numbers if text(n))
    if any(len(n) > 64 for n in invoice_numbers):
        raise ProviderError(NAME, Wording("sent a settlement with an invoice id that is too long"))
    return Payout(
        settlement_id=text(row.get("SettlementId")),
        date=to_date(row.get("SettlementDate")),
        url=web_url(row.get("SettlementURL")),
        invoice_numbers=invoice_numbers,
    )


def pno_forms(number: str, today: datetime.date | None = None) -> tuple[str, ...]:
    """The written forms of a personal or organisation number, in the order to ask them.

    Every documented example sends the 10-digit form and the provider stores
    10 digits, so that comes first: YYMMDDNNNN, or YYMMDD+NNNN from the year a
    person turns 100 (Folkbokföringslagen 18 §). Which form getInvoicesByPno
    matches is undocumented, so when it finds nothing the others follow:
    YYMMDD-NNNN as the replies write it, then the 12 digits. A centenarian is
    never asked without the +: those ten digits are someone born a century
    later. Text that is no valid number goes as it is, for the provider to refuse.
    """
    try:
        canonical = parse_identity(number).number
    except InvalidIdentity:
        return (number,)
    if is_company(canonical):
        return (canonical, f"{canonical[:6]}-{canonical[6:]}")
    date, serial = canonical[2:8], canonical[8:]
    if (today or timezone.localdate()).year - int(canonical[:4]) >= 100:
        return (f"{date}+{serial}", canonical)
    return (f"{date}{serial}", f"{date}-{serial}", canonical)


def retry_after(response: Reply) -> float | None:
    """Qvickly documents no rate limit; honour a Retry-After in seconds if one comes."""
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds <= settings.PROVIDER_RATE_LIMIT_MAX_WAIT else None


def is_error(data: object) -> bool:
    return isinstance(data, dict) and "code" in data and "message" in data


def error_code(body: JSON) -> str:
    return str(body.get("code", "")).strip()


def unsigned_error(body: JSON) -> ProviderError:
    """A top-level error: unsigned, so anyone on the way could have written it.

    Refused credentials are said as such (a server that cannot place our
    secret cannot sign with it, so that is how a wrong one comes back, and
    believing it costs nothing). Anything else is a transport problem, worth
    retrying later: never a trustworthy "not found", which would empty a
    customer's invoices.
    """
    code = error_code(body)
    if code in CREDENTIAL_CODES:
        return error_from(body)
    message = str(body.get("message", "")).strip() or Wording("no message")
    return ProviderError(
        NAME, Wording("sent an unsigned error, which cannot be trusted: %(message)s") % {"message": message}, code=code
    )


def error_from(body: JSON) -> ProviderError:
    code = error_code(body)
    message = str(body.get("message", "")).strip() or Wording("returned an error")
    if code in NOT_FOUND_CODES:
        return NotFound(NAME, message, code=code)
    if code in CREDENTIAL_CODES:
        return CredentialsRejected(NAME, message, code=code)
    return ProviderError(NAME, message, code=code, permanent=code in PERMANENT_CODES)


def parse_row(row: object, currency: str) -> InvoiceRecord:
    """Either reply shape of the invoice listings: summary rows or full payment objects."""
    if not isinstance(row, dict):
        raise ProviderError(NAME, Wording("sent an invoice row of an unknown shape"), detail=repr(row))
    if "PaymentData" in row:
        return parse_full(row, currency)
    return parse_summary(row, currency)


def parse_summary(row: JSON, currency: str) -> InvoiceRecord:
    """A summary row: amounts in kronor, as strings or bare numbers; no currency."""
    number = text(row.get("invoiceid_real"))
    if not number:
        raise ProviderError(NAME, Wording("sent an invoice without a number"), detail=repr(row))
    kind_code = text(row.get("invoicetype")) or "F"
    # The reference column names the credited invoice on a credit invoice and, on an
    # interest invoice, the late invoice whose interest it charges.
    reference = credit_reference(row.get("creditinvoiceid"))
    total = to_decimal(row.get("topay", "0"), NAME, "topay")
    outstanding = to_decimal(row.get("balancedue", "0"), NAME, "balancedue")
    status = text(row.get("status"))
    state = state_of(status, outstanding)
    return checked(
        InvoiceRecord(
            provider_id=number,
            number=number,
            kind=KINDS.get(kind_code, "invoice"),
            state=state,
            currency=currency,
            total=total,
            outstanding=outstanding,
            raw=row,
            provider_kind=kind_code,
            provider_status=status,
            provider_substatus=text(row.get("distributor_status")),
            issue_date=to_date(row.get("invoicedate")),
            due_date=to_date(row.get("duedate")),
            credits_number="" if kind_code == "RF" else reference,
            charges_number=reference if kind_code == "RF" else "",
            provider_hash=text(row.get("hash")),
            pdf_url=text(row.get("fileurl")),
            customer_name=text(row.get("name")),
            currency_guessed=True,
            # A settled row may say topay 0 (the docs' cancelled example does): that is
            # not what was invoiced, and what was known before stands.
            total_guessed=total == 0 and state != "open",
        ),
        NAME,
    )


def parse_full(obj: object, currency: str) -> InvoiceRecord:
    """A full payment object (getInvoiceByHash, getInvoicesByCustomer): amounts in öre."""
    if not isinstance(obj, dict) or not isinstance(obj.get("PaymentData"), dict):
        raise ProviderError(NAME, Wording("sent an invoice of an unknown shape"))
    payment = obj["PaymentData"]
    info = mapping(obj.get("PaymentInfo"))
    cart_total = mapping(mapping(obj.get("Cart")).get("Total"))
    customer = mapping(obj.get("Customer"))
    billing = mapping(customer.get("Billing"))
    number = text(payment.get("number"))
    if not number:
        raise ProviderError(NAME, Wording("sent an invoice without a number"))
    total = ore(cart_total.get("withtax", "0"), "Cart.Total.withtax")
    outstanding = ore(info.get("balancedue", "0"), "PaymentInfo.balancedue")
    status = text(payment.get("status"))
    issue_date = to_date(info.get("paymentdate"))
    name = customer_name(billing)
    return checked(
        InvoiceRecord(
            provider_id=number,
            number=number,
            kind="invoice",
            state=state_of(status, outstanding),
            currency=text(payment.get("currency")) or currency,
            total=total,
            outstanding=outstanding,
            raw=obj,
            provider_status=status,
            provider_substatus=text(info.get("invoiceStatus")),
            issue_date=issue_date,
            due_date=to_date(payment.get("duedate")) or due_from_terms(issue_date, info.get("paymentterms")),
            paid_date=to_date(payment.get("paiddate")),
            pdf_url=text(payment.get("url")),
            customer_name=name,
            customer_email=text(billing.get("email")),
            customer_number=text(customer.get("nr")),
            customer_identity=text(customer.get("pno")),
        ),
        NAME,
    )


# What a reply that carries no balance owes: not 0, but not a number we know.
UNKNOWN = Decimal("NaN")


def parse_payment_info(obj: object, number: str, currency: str) -> InvoiceRecord:
    """getPaymentinfo's answer (Get-payment-info.md), which is not getInvoiceByHash's.

    It carries no number (the one asked for is used), no due or paid date and
    no balance: the balance is unknown, NaN rather than 0 so that no sum can
    quietly count it as nothing owed, and the invoice keeps what its listing
    said (sync stores only the detail and the currency from here). Its status
    may be a credit check's result, which says nothing of payment: only a
    status that settles the invoice by itself gives a state other than open.
    """
    if not isinstance(obj, dict) or not isinstance(obj.get("PaymentData"), dict):
        raise ProviderError(NAME, Wording("sent payment info of an unknown shape"))
    payment = obj["PaymentData"]
    info = mapping(obj.get("PaymentInfo"))
    customer = mapping(obj.get("Customer"))
    billing = mapping(customer.get("Billing"))
    status = text(payment.get("status"))
    return checked(
        InvoiceRecord(
            provider_id=number,
            number=number,
            kind="invoice",
            state=SETTLED.get(status, "open"),
            currency=text(payment.get("currency")) or currency,
            total=ore(mapping(mapping(obj.get("Cart")).get("Total")).get("withtax", "0"), "Cart.Total.withtax"),
            outstanding=UNKNOWN,
            raw=obj,
            provider_status=status,
            issue_date=to_date(info.get("paymentdate")),
            pdf_url=text(payment.get("url")),
            customer_name=customer_name(billing),
            customer_email=text(billing.get("email")),
            customer_number=text(customer.get("nr")),
            customer_identity=text(customer.get("pno")),
        ),
        NAME,
    )


def customer_name(billing: JSON) -> str:
    return text(billing.get("company")) or " ".join(
        part for part in (text(billing.get("firstname")), text(billing.get("lastname"))) if part
    )


def is_owed(record: InvoiceRecord) -> bool:
    return record.state == "open" and not record.outstanding.is_nan() and record.outstanding > 0


def is_late(record: InvoiceRecord, today: datetime.date) -> bool:
    return is_owed(record) and bool(record.due_date and record.due_date < today)


def stage_of(record: InvoiceRecord, states: Mapping[str, str], today: datetime.date) -> tuple[str, str]:
    """The collection stage of an invoice and Qvickly's word for it.

    Only what is still owed has a stage. getDuePayments names every invoice past
    due: Collection (inkasso, in whatever case) or Due (förfallen), which also
    stands for any word it may add. An invoice it does not name is overdue by its due date (it fell
    due after the list was read) or not yet due; Qvickly has no word for either.
    """
    if not is_owed(record):
        return "", ""
    word = states.get(record.number, "")
    if word.casefold() == "collection":
        return Stage.COLLECTION, word
    if word or is_late(record, today):
        return Stage.OVERDUE, word
    return Stage.NOT_DUE, ""


def state_of(status: str, outstanding: Decimal) -> str:
    """Our state from Qvickly's status and the balance.

    Cancelled and credited invoices are settled. Otherwise the balance decides:
    "Paid" is never read alone, for beside distributor status Sent it means
    "finalized by the customer but not yet paid" (Status.md), which the balance
    shows; status_meaning() says it in words. Credit-check results and statuses
    we do not know say nothing of payment, and change nothing either.
    """
    if status in SETTLED:
        return SETTLED[status]
    return "open" if outstanding != 0 else "paid"


def ore(value: object, what: str) -> Decimal:
    return (to_decimal(value, NAME, what) / 100).quantize(Decimal("0.01"))


def text(value: object) -> str:
    return "" if value is None else str(value).replace("\x00", "").strip()


def credit_reference(raw: object) -> str:
    value = text(raw)
    return "" if value in ("", "0") else value


def due_from_terms(issue_date: datetime.date | None, terms: object) -> datetime.date | None:
    try:
        return issue_date + datetime.timedelta(days=int(str(terms))) if issue_date else None
    except (TypeError, ValueError, OverflowError):
        return None


# The full invoice, as staff read it (getInvoiceByHash / getPaymentinfo).


def method_name(raw: object) -> str:
    """PaymentData.method: a code from the table, or a bitmask of several."""
    code = text(raw)
    if code in PAYMENT_METHODS:
        return str(PAYMENT_METHODS[code])
    try:
        bits = int(code)
    except ValueError:
        return code
    names = [str(name) for value, name in PAYMENT_METHODS.items() if is_single_bit(int(value)) and int(value) & bits]
    return " + ".join(dict.fromkeys(names)) or code


def is_single_bit(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


def status_meaning(status: str, distributor_status: str) -> str:
    """What a status means beside its distributor status, as Status.md pairs them."""
    if status == "Paid" and distributor_status in PAID_PAIRS:
        return str(PAID_PAIRS[distributor_status])
    if status in CREDIT_CHECKS:
        return _("the result of the credit check; it says nothing of payment")
    return ""


@dataclass(frozen=True)
class Address:
    type: str
    lines: list[str]


@dataclass(frozen=True)
class Line:
    artnr: str
    title: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal  # a percentage
    net: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class Fee:
    """Shipping or handling: a net amount and its own VAT rate."""

    net: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class Settlement:
    """The payout to the merchant that settled this payment (getPaymentinfo)."""

    number: str
    date: datetime.date | None


@dataclass(frozen=True)
class Detail:
    """Everything staff need from a full payment object, amounts converted from öre once."""

    lines: list[Line]
    net: Decimal
    vat: Decimal
    rounding: Decimal
    total: Decimal
    shipping_fee: Fee
    handling_fee: Fee
    billing: Address | None
    shipping: Address | None
    other_addresses: list[Address]
    customer_number: str
    pno: str
    signer_pno: str
    method: str
    status: str
    invoice_status: str  # PaymentInfo.invoiceStatus
    status_meaning: str
    currency: str
    order_id: str
    invoice_url: str
    number: str  # "" from getPaymentinfo, which leaves it out: the invoice's own is shown
    paid_date: datetime.date | None
    paid_date_known: bool  # getPaymentinfo says nothing of it; "not paid" would be a guess
    payment_date: datetime.date | None
    terms: str
    your_reference: str
    our_reference: str
    project: str
    delivery: str
    balance_due: Decimal | None  # None: the reply has none (getPaymentinfo), which is never 0
    settlement: Settlement | None
    card: list[tuple[str, str]]  # what the card payment says, as (label, value)


def address(data: object) -> Address | None:
    """An address block, or None when every field is empty."""
    if not isinstance(data, dict):
        return None
    fields = {key: text(value) for key, value in data.items()}
    name = fields.get("company") or " ".join(p for p in (fields.get("firstname"), fields.get("lastname")) if p)
    lines = [
        name,
        fields.get("street"),
        fields.get("street2"),
        f"{fields.get('zip', '')} {fields.get('city', '')}".strip(),
    ]
    lines += [fields.get("country"), fields.get("phone"), fields.get("email")]
    return Address(fields.get("type", ""), [line for line in lines if line]) if any(lines) else None


def fee(cart: JSON, part: str) -> Fee:
    data = mapping(cart.get(part))
    return Fee(
        net=ore(data.get("withouttax", "0"), f"Cart.{part}.withouttax"),
        vat_rate=to_decimal(data.get("taxrate", "0"), NAME, f"Cart.{part}.taxrate"),
    )


def line(article: JSON) -> Line:
    return Line(
        artnr=text(article.get("artnr")),
        title=text(article.get("title")),
        quantity=to_decimal(article.get("quantity", "0"), NAME, "quantity"),
        # Not rounded to whole öre: a price may carry finer fractions than the sums it makes.
        unit_price=to_decimal(article.get("aprice", "0"), NAME, "aprice").scaleb(-2),
        discount=to_decimal(article.get("discount", "0") or "0", NAME, "discount"),
        net=ore(article.get("withouttax", "0"), "withouttax"),
        vat_rate=to_decimal(article.get("taxrate", "0"), NAME, "taxrate"),
    )


def detail(obj: JSON) -> Detail:
    """The full payment object (getInvoiceByHash, getPaymentinfo) as the detail template reads it."""
    cart = mapping(obj.get("Cart"))
    total = mapping(cart.get("Total"))
    customer = mapping(obj.get("Customer"))
    payment = mapping(obj.get("PaymentData"))
    info = mapping(obj.get("PaymentInfo"))
    return Detail(
        lines=[line(article) for article in objects(obj.get("Articles"))],
        net=ore(total.get("withouttax", "0"), "Cart.Total.withouttax"),
        vat=ore(total.get("tax", "0"), "Cart.Total.tax"),
        rounding=ore(total.get("rounding", "0"), "Cart.Total.rounding"),
        total=ore(total.get("withtax", "0"), "Cart.Total.withtax"),
        shipping_fee=fee(cart, "Shipping"),
        handling_fee=fee(cart, "Handling"),
        billing=address(customer.get("Billing")),
        shipping=address(customer.get("Shipping")),
        other_addresses=[a for a in map(address, objects(payment.get("alladdresses"))) if a],
        customer_number=text(customer.get("nr")),
        pno=text(customer.get("pno")),
        signer_pno=text(mapping(customer.get("companySigner")).get("pno")),
        method=method_name(payment.get("method")),
        status=text(payment.get("status")),
        invoice_status=text(info.get("invoiceStatus")),
        status_meaning=status_meaning(text(payment.get("status")), text(info.get("invoiceStatus"))),
        currency=text(payment.get("currency")),
        order_id=text(payment.get("orderid")),
        invoice_url=web_url(payment.get("url")),
        number=text(payment.get("number")),
        paid_date=to_date(payment.get("paiddate")),
        paid_date_known="paiddate" in payment,
        payment_date=to_date(info.get("paymentdate")),
        terms=text(info.get("paymentterms")),
        your_reference=text(info.get("yourreference")),
        our_reference=text(info.get("ourreference")),
        project=text(info.get("projectname")),
        delivery=" / ".join(p for p in (text(info.get("deliverymethod")), text(info.get("deliveryterms"))) if p),
        balance_due=ore(info["balancedue"], "PaymentInfo.balancedue") if "balancedue" in info else None,
        settlement=settlement(obj.get("Settlement")),
        card=card_facts(obj.get("Card")),
    )


def settlement(data: object) -> Settlement | None:
    if not isinstance(data, dict) or not text(data.get("number")):
        return None
    return Settlement(number=text(data.get("number")), date=to_date(data.get("date")))


def card_facts(data: object) -> list[tuple[str, str]]:
    """The Card block's facts staff can use; its shop URLs are left out."""
    card = mapping(data)

    def flag(name: str) -> str:
        value = text(card.get(name))
        yes, no = _("Yes"), _("No")
        return {"1": yes, "0": no, "true": yes, "false": no}.get(value.lower(), value)

    facts = [
        (_("Recurring"), flag("recurring")),
        (_("Recurring payment number"), text(card.get("recurringnr"))),
        (_("Name prompted in the payment window"), flag("promptname")),
        (_("Return method"), text(card.get("returnmethod"))),
    ]
    return [(label, value) for label, value in facts if value]


def client(account: AccountSettings) -> Client:
    return Client(
        account.base_url,
        account.merchant_id,
        account.secret,
        test_mode=account.test_mode,
        language=account.language,
        currency=account.currency,
        take_request=account.take_request,
        remember_due_payments=account.remember_due_payments,
    )


# Invoice links in the data are public, so PDFs are linked, not proxied; the API
# finds customers by customer or organisation number and by name (not e-mail),
# and invoices by number.


def contact(obj: JSON) -> Contact:
    """The billing address, phone and e-mail of a full payment object (getInvoiceByHash,
    getPaymentinfo, getInvoicesByCustomer's rows); summary rows carry none."""
    billing = mapping(mapping(obj.get("Customer")).get("Billing"))
    fields = {key: text(value) for key, value in billing.items()}
    lines = [
        fields.get("company", ""),
        fields.get("street", ""),
        fields.get("street2", ""),
        f"{fields.get('zip', '')} {fields.get('city', '')}".strip(),
        fields.get("country", ""),
    ]
    return Contact(tuple(line for line in lines if line), fields.get("phone", ""), fields.get("email", ""))


PROVIDER = Provider(
    kind="qvickly",
    label=NAME,
    client=client,
    present=detail,
    proxies_pdf=False,
    searches=frozenset({Search.NAME, Search.INVOICE_NUMBER}),
    discovers_book=True,
    required_fields=("merchant_id",),
    # Qvickly documents no rate limit.
    requests_per_minute=None,
    contact=contact,
)
