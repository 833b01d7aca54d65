"""Fusebill REST v1 (also branded Stax Bill).

Protocol facts: `Authorization: Basic {key}` with the key exactly as issued,
JSON money as numbers, UTC timestamps written without a zone, paging facts in
headers, errors as {"ErrorId", "HttpStatusCode", "Errors": [{"Key", "Value"}]}.
"""

from __future__ import annotations

import datetime
import logging
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from invoices.identity import written_forms
from invoices.providers.base import (
    JSON,
    AccountSettings,
    Contact,
    CredentialsRejected,
    CustomerRecord,
    Discovered,
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
    to_decimal,
    utc_date,
)

NAME = "Fusebill"
PAGE_SIZE = 100
# A listing longer than this is a provider bug, not a customer: stop instead of looping.
MAX_PAGES = 500
# What Fusebill's query syntax gives a meaning to, with no way to escape it: ";"
# joins filters, ":" names the field, "|" makes a range, "*" is a wildcard,
# "[empty]" matches null, "," makes a set on enum and id fields.
SPECIAL = re.compile(r"[*,;:|\[\]]+")
# A searched value with special characters must keep this many ordinary ones in a
# row, or the wildcards standing in for the rest would list most of the book.
MIN_LITERAL = 3
# Reset headers at least this large are epoch timestamps (2001 on) rather than
# seconds until the reset; from the second, milliseconds (1973 on, as such).
EPOCH_SECONDS, EPOCH_MILLISECONDS = 1e9, 1e11
# The arBalance range of customers who owe anything: the lower bound is inclusive
# and money has cents, so a cent is the least balance owed.
OWING = "0.01|"
# A 429 whose reset header cannot be read waits this long; a reset already past, the least.
UNKNOWN_RESET_WAIT, LEAST_WAIT = 1.0, 0.1

log = logging.getLogger(__name__)

# Schedule statuses in the order that decides an invoice's state: anything
# still owed makes it open, whatever the other schedules say.
OPEN_STATUSES = {"Due", "Overdue", "Disputed", "Pending"}
MESSAGES = {
    400: Wording("rejected the request"),
    401: Wording("rejected the API key"),
    404: Wording("does not know it"),
    409: Wording("reported a conflict"),
    429: Wording("is rate limiting us"),
}
# Fusebill has no choice of language: its error texts are English, shown verbatim.
LANGUAGE = "en"


class Client:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        identity_field: str = "reference",
        currency: str = "SEK",
        take_request: Callable[[], None] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.identity_field = identity_field
        self.currency = currency
        self.session = Session(NAME, retry_after=reset_delay, take_request=take_request)
        self.session.http.headers.update({"Authorization": f"Basic {api_key}", "Accept": "application/json"})

    # Transport.

    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply:
        response = self.session.request("GET", f"{self.base_url}/{path}", params=params)
        if response.status_code >= 400:
            raise error_from(response)
        return response

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, Reply]:
        response = self.get(path, params)
        # Decimal straight from the text: money never passes through float.
        return response.json(parse_float=Decimal), response

    def pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a paged listing, or its error: none of it when a page fails."""
        return list(self.each_page(path, params))

    def each_page(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """The items of a paged listing as the pages arrive. Stops on an empty or
        short page, not on X-MaxPageIndex alone: clients disagree on what that
        header means. A page that fails raises after the items before it."""
        seen = counted = 0
        for number in range(MAX_PAGES):
            page, reply = self.get_json(path, {**(params or {}), "pageSize": PAGE_SIZE, "pageNumber": number})
            if not isinstance(page, list):
                raise ProviderError(NAME, Wording("sent a listing of an unknown shape"))
            if number == 0:
                # X-Count is documented as the total that match; read either way it is
                # never more than the listing holds. Fewer rows than counted means
                # rows went missing while paging (a smaller page size, a deletion).
                counted = int(count) if (count := reply.headers.get("X-Count", "").strip()).isdigit() else 0
            seen += len(page)
            yield from page
            if len(page) < PAGE_SIZE:
                if seen < counted:
                    raise ProviderError(
                        NAME,
                        Wording("listed %(seen)s of the %(counted)s it counted; the listing was not used")
                        % {"seen": seen, "counted": counted},
                    )
                return
        raise ProviderError(
            NAME, Wording("sent more than %(pages)s pages; the listing was not used") % {"pages": MAX_PAGES}
        )

    # Customers.

    @shape_errors(NAME)
    def customers(self, **filters: str) -> list[CustomerRecord]:
        """Customers whose fields equal these values, exactly and whatever characters they hold.

        The query syntax has no escape, so a value with special characters is sent
        with a wildcard in their place and only the customers that really hold the
        value are kept: "Ann*" finds a customer named "Ann*", never Anna or Annika.
        """
        query: dict[str, str] = {}
        exact: dict[str, str] = {}
        for field, value in filters.items():
            text = str(value).strip()
            pattern = literal_pattern(text)
            if pattern is None:
                return []  # nothing to search by: never the whole book
            if SPECIAL.search(text):
                exact[field] = text.casefold()
            query[field] = pattern
        found = [parse_customer(c, self.identity_field) for c in self.pages("customers", query_params(query))]
        return [c for c in found if all(field_text(c.raw, f).casefold() == v for f, v in exact.items())]

    @shape_errors(NAME)
    def customer(self, customer_id: str) -> CustomerRecord:
        data, _ = self.get_json(f"customers/{int(customer_id)}")
        return parse_customer(data, self.identity_field)

    def customers_by_identity(self, number: str, forms: tuple[str, ...] = ()) -> list[CustomerRecord]:
        """Customers whose identity field holds this number, in any of the written forms."""
        for written in (number, *forms):
            found = [c for c in self.customers(**{self.identity_field: written}) if c.identity == written]
            if found:
                return found
        return []

    @shape_errors(NAME)
    def find_customers(self, text: str) -> list[CustomerRecord]:
        """By Fusebill id, e-mail, or name (first and last, or company)."""
        if text.isdigit():
            try:
                return [self.customer(text)]
            except NotFound:
                return []
        if "@" in text:
            return self.customers(primaryEmail=text)
        first, _, last = text.rpartition(" ")
        found: dict[str, CustomerRecord] = {}
        queries = (
            [{"companyName": text}, {"firstName": first, "lastName": last}]
            if first
            else [
                {"lastName": text},
                {"firstName": text},
                {"companyName": text},
            ]
        )
        for query in queries:
            for customer in self.customers(**query):
                found[customer.provider_customer_id] = customer
        return list(found.values())

    def find_invoice(self, number: str) -> CustomerRecord | None:
        """Fusebill lists invoices per customer only: a number alone finds nothing
        here, and the search answers from the cache."""
        return None

    def every_customer(self) -> Iterator[Any]:
        """Every customer of the account as listed (JSON, unchecked), paged: those
        with an AR balance first (the documented arBalance range filter), then
        everyone, each once. Both in id order, so a page boundary never moves while
        the book is read."""
        seen: set[str] = set()
        for filters in ({"arBalance": OWING}, {}):
            params = {**query_params(filters), "sortOrder": "Ascending", "sortExpression": "id"}
            for row in self.each_page("customers", params):
                key = str(mapping(row).get("id"))
                if key not in seen:
                    seen.add(key)
                    yield row

    def discover(self) -> Iterator[Discovered]:
        """Every customer, with the identity number as the account's identity field
        holds it. A customer of an unreadable shape is yielded as its error; a page
        that fails ends the listing with its error."""
        for row in self.every_customer():
            try:
                customer = listed_customer(row, self.identity_field)
            except ProviderError as exc:
                yield Discovered(error=exc)
                continue
            yield Discovered(
                provider_customer_id=customer.provider_customer_id,
                identity=customer.identity,
                name=customer.name,
                email=customer.email,
            )

    # Invoices.

    @shape_errors(NAME)
    def invoices(
        self, customer_id: str, posted_from: datetime.date | None = None, posted_before: datetime.date | None = None
    ) -> list[InvoiceRecord]:
        """Every posted invoice of the customer, newest first, following every page."""
        params = {"sortOrder": "Descending", "sortExpression": "postedTimestamp", "showZeroDollarCharges": "false"}
        if posted_from or posted_before:
            params.update(query_params({"postedTimestamp": date_range(posted_from, posted_before)}))
        rows = self.pages(f"Customers/{int(customer_id)}/Invoices", params)
        return [parse_invoice(row, self.currency) for row in rows]

    @shape_errors(NAME)
    def invoice(self, invoice_id: str) -> InvoiceRecord:
        data, _ = self.get_json(f"Invoices/{int(invoice_id)}")
        return parse_invoice(data, self.currency)

    @shape_errors(NAME)
    def invoice_detail(self, invoice_id: str, invoice_hash: str = "") -> InvoiceRecord:
        return self.invoice(invoice_id)

    @shape_errors(NAME)
    def invoice_pdf(self, invoice_id: str) -> bytes:
        """The PDF, read whole within the reply size cap."""
        return self.get(f"Invoices/pdf/{int(invoice_id)}").content

    @shape_errors(NAME)
    def account_info(self) -> JSON:
        """A cheap call that proves the key works: one customer."""
        data, response = self.get_json("customers", {"pageSize": 1, "pageNumber": 0})
        return {"customers": response.headers.get("X-MaxCount") or len(data)}

    @shape_errors(NAME)
    def customer_invoices(self, identity: str | None = None, customer_id: str = "") -> CustomerRecord | None:
        """The customer this account knows, with every invoice: by identity number
        first, so a person the provider holds as two customers is listed whole, else
        by the account's customer id (a customer whose record holds no number)."""
        matches = self.customers_by_identity(identity, written_forms(identity)) if identity else []
        if not matches and customer_id:
            try:
                matches = [self.customer(customer_id)]
            except NotFound:
                return None
        if not matches:
            return None
        customer = matches[0]
        customer.invoices = []
        for match in matches:
            for invoice in self.invoices(match.provider_customer_id):
                # Only the customer says whether their account is with collections.
                invoice.stage, invoice.provider_stage = stage_of(invoice, match.account_status)
                customer.invoices.append(invoice)
        return customer


def literal_pattern(text: str) -> str | None:
    """The filter value that finds `text` among others, special characters made
    wildcards; None for a value too blank or too special to search by."""
    if not SPECIAL.search(text):
        return text or None
    pattern = SPECIAL.sub("*", text)
    if max(len(part.strip()) for part in pattern.split("*")) < MIN_LITERAL:
        return None
    return pattern


def field_text(data: JSON, field: str) -> str:
    """A customer's field by its filter name ("customerReference.reference1" reads a nested one)."""
    value: object = data
    for part in field.split("."):
        value = mapping(value).get(part)
    return "" if value is None else str(value)


def query_params(filters: dict[str, Any]) -> dict[str, str]:
    """Fusebill's `query=field:value;field2:lo|hi`; requests URL-encodes `;` and `|`."""
    pairs = [f"{field}:{value}" for field, value in filters.items() if value not in (None, "")]
    return {"query": ";".join(pairs)} if pairs else {}


def date_range(start: datetime.date | None, end: datetime.date | None) -> str:
    """Lower bound inclusive, upper exclusive; either end may be open."""
    return f"{start.isoformat() if start else ''}|{end.isoformat() if end else ''}"


def reset_delay(response: Reply) -> float | None:
    """Seconds to wait for the minute's rate limit to reset, never more than the cap;
    None (do not wait) once the day's quota is spent."""
    if response.headers.get("X-Rate-Limit-Remaining-Day", "").strip() == "0":
        return None  # the day's quota is spent: the minute's reset will not help
    until = seconds_until(response.headers.get("X-Rate-Limit-Reset-Minute", ""))
    if until is None:
        until = UNKNOWN_RESET_WAIT
    # Capped, not refused: an absurd reset (a clock far off, a misread form) costs
    # one short wait and a retry, never a long sleep.
    cap: float = settings.PROVIDER_RATE_LIMIT_MAX_WAIT
    return min(max(until, LEAST_WAIT), cap)


def seconds_until(header: str) -> float | None:
    """How far off a reset header's moment is, in every form Fusebill's "Timestamp"
    may take: epoch seconds, epoch milliseconds, ISO 8601 (UTC unless it names a
    zone) or the seconds left. None when it is none of them."""
    text = header.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if not math.isfinite(number):
            return None
        if number >= EPOCH_MILLISECONDS:
            return number / 1000 - time.time()
        if number >= EPOCH_SECONDS:
            return number - time.time()
        return number
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)  # Fusebill writes UTC without a zone
    return moment.timestamp() - time.time()


def error_from(response: Reply) -> ProviderError:
    try:
        body = mapping(response.json())
    except ProviderError:
        body = {}
    values = [str(e.get("Value", "")).strip() for e in objects(body.get("Errors"))]
    detail = "; ".join(v for v in values if v)
    status = response.status_code
    # Our words in the reader's language; Fusebill's own beside them, quoted as they came.
    message = MESSAGES.get(status) or Wording("answered HTTP %(status)s") % {"status": status}
    said = {"said": detail, "said_language": LANGUAGE}
    if status == 404:
        return NotFound(NAME, message, str(status), detail, **said)
    if status == 401:
        return CredentialsRejected(NAME, message, str(status), detail, **said)
    permanent = 400 <= status < 500 and status != 429
    return ProviderError(NAME, message, code=str(status), detail=detail, permanent=permanent, **said)


def parse_customer(data: object, identity_field: str) -> CustomerRecord:
    if not isinstance(data, dict) or "id" not in data:
        raise ProviderError(NAME, Wording("sent a customer of an unknown shape"))
    if identity_field == "reference":
        identity = data.get("reference")
    else:
        identity = mapping(data.get("customerReference")).get(identity_field.split(".", 1)[1])
    name = data.get("companyName") or " ".join(p for p in (data.get("firstName"), data.get("lastName")) if p)
    # The customer JSON names it customerAccountStatus; the customers filter, accountStatus.
    account_status = data.get("customerAccountStatus") or data.get("accountStatus") or ""
    return checked_customer(
        CustomerRecord(
            provider_customer_id=str(data["id"]),
            name=str(name or ""),
            email=str(data.get("primaryEmail") or ""),
            identity=str(identity or "").strip(),
            account_status=str(account_status)[:20],
            raw=data,
        ),
        NAME,
    )


@shape_errors(NAME)
def listed_customer(data: object, identity_field: str) -> CustomerRecord:
    """A customer from the listing, whose id must be one we can ask for again."""
    customer = parse_customer(data, identity_field)
    if not customer.provider_customer_id.isdigit():
        raise ProviderError(
            NAME, Wording("sent a customer without a usable id"), detail=customer.provider_customer_id[:100]
        )
    return customer


def parse_invoice(data: object, currency: str) -> InvoiceRecord:
    if not isinstance(data, dict) or "id" not in data or "invoiceNumber" not in data:
        raise ProviderError(NAME, Wording("sent an invoice of an unknown shape"))
    schedules = [s for s in data.get("paymentSchedules") or [] if isinstance(s, dict)]
    statuses = [str(s.get("status") or "") for s in schedules]
    outstanding = to_decimal(data.get("outstandingBalance", 0), NAME, "outstandingBalance")
    credited = to_decimal(data.get("sumOfCreditNotes", 0), NAME, "sumOfCreditNotes")
    snapshot = mapping(data.get("invoiceCustomer"))
    open_dues = [utc_date(s.get("dueDateTimestamp")) for s in schedules if str(s.get("status")) in OPEN_STATUSES]
    all_dues = [utc_date(s.get("dueDateTimestamp")) for s in schedules]
    name = snapshot.get("companyName") or " ".join(
        p for p in (snapshot.get("firstName"), snapshot.get("lastName")) if p
    )
    return checked(
        InvoiceRecord(
            provider_id=str(data["id"]),
            number=str(data["invoiceNumber"]),
            kind="invoice",
            state=state_of(
                statuses, outstanding, credited, to_decimal(data.get("totalPayments", 0), NAME, "totalPayments")
            ),
            currency=str(snapshot.get("currency") or currency or "").upper(),
            total=to_decimal(data.get("invoiceAmount", 0), NAME, "invoiceAmount"),
            outstanding=outstanding,
            credited=credited,
            written_off=to_decimal(data.get("totalWriteoffs", 0), NAME, "totalWriteoffs"),
            raw=data,
            provider_status=", ".join(dict.fromkeys(s for s in statuses if s)),
            issue_date=utc_date(data.get("postedTimestamp") or data.get("effectiveTimestamp")),
            due_date=min((d for d in open_dues if d), default=None) or max((d for d in all_dues if d), default=None),
            customer_name=name,
            customer_email=snapshot.get("primaryEmail") or "",
            customer_number=str(data.get("customerId") or ""),
        ),
        NAME,
    )


def state_of(
    statuses: list[str], outstanding: Decimal, credited: Decimal = Decimal(0), payments: Decimal = Decimal(0)
) -> str:
    """An invoice's state from its payment schedules, payments and credit notes."""
    if any(s in OPEN_STATUSES for s in statuses) and outstanding != 0:
        return "open"
    if statuses and all(s == "Void" for s in statuses):
        return "cancelled"
    if statuses and all(s == "WrittenOff" for s in statuses):
        return "written_off"
    if outstanding == 0 and credited > 0 and payments == 0:
        return "credited"
    return "open" if outstanding > 0 else "paid"


def schedule_statuses(record: InvoiceRecord) -> list[str]:
    return [str(s.get("status") or "") for s in objects(record.raw.get("paymentSchedules"))]


def stage_of(record: InvoiceRecord, account_status: str = "") -> tuple[str, str]:
    """The collection stage of an invoice and Fusebill's word for it.

    What is still owed stands where its schedules put the furthest part of it:
    Disputed, else Overdue (In collection while the customer's account is in
    Collection: Fusebill puts accounts there, not invoices), else not yet due (Due,
    Pending). What is no longer owed is written off when a schedule says so, else
    it has no stage (paid, credited, void).
    """
    statuses = schedule_statuses(record)
    if record.state == "open" and record.outstanding > 0:
        if "Disputed" in statuses:
            return Stage.DISPUTED, "Disputed"
        if "Overdue" in statuses:
            if account_status == "Collection":
                return Stage.COLLECTION, "Overdue; account in Collection"
            return Stage.OVERDUE, "Overdue"
        return Stage.NOT_DUE, next((s for s in statuses if s in OPEN_STATUSES), "")
    if "WrittenOff" in statuses and record.state != "cancelled":
        return Stage.WRITTEN_OFF, "WrittenOff"
    return "", ""


# The full invoice, as staff read it (GET /v1/Invoices/{id}).


@dataclass(frozen=True)
class Tier:
    label: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Discount:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Charge:
    name: str
    description: str
    quantity: Decimal
    unit_price: Decimal  # as sent: prices may carry more decimals than money
    amount: Decimal
    service_start: datetime.date | None
    service_end: datetime.date | None
    tiers: list[Tier]
    discounts: list[Discount]


@dataclass(frozen=True)
class Tax:
    name: str
    percentage: str
    amount: Decimal


@dataclass(frozen=True)
class Schedule:
    due: datetime.date | None
    status: str
    amount: Decimal
    outstanding: Decimal
    days_after_term: str


@dataclass(frozen=True)
class Detail:
    """Charges with tiers, discounts, taxes, schedules and the balance arithmetic."""

    charges: list[Charge]
    taxes: list[Tax]
    schedules: list[Schedule]
    subtotal: Decimal
    total_discount: Decimal
    invoice_amount: Decimal
    total_payments: Decimal
    credit_notes: Decimal
    writeoffs: Decimal
    outstanding: Decimal
    terms: str
    po_number: str
    notes: str
    posted: datetime.date | None
    currency: str


def amount(value: object, what: str) -> Decimal:
    return to_decimal(0 if value is None else value, NAME, what)


def words(value: object) -> str:
    return "" if value is None else str(value)


def detail(data: JSON) -> Detail:
    """The full invoice (GET /v1/Invoices/{id}) as the detail template reads it."""
    return Detail(
        charges=[charge_detail(charge) for charge in objects(data.get("charges"))],
        taxes=[
            Tax(
                name=words(t.get("name")) or gettext("Tax"),
                percentage=words(t.get("percent", t.get("percentage")) or None),
                amount=amount(t.get("total", t.get("amount")), "tax"),
            )
            for t in objects(data.get("taxes"))
        ],
        schedules=[
            Schedule(
                due=utc_date(s.get("dueDateTimestamp")),
                status=words(s.get("status")),
                amount=amount(s.get("amount"), "schedule amount"),
                outstanding=amount(s.get("outstandingBalance"), "schedule outstandingBalance"),
                days_after_term=words(s.get("daysDueAfterTerm")),
            )
            for s in objects(data.get("paymentSchedules"))
        ],
        subtotal=amount(data.get("subtotal"), "subtotal"),
        total_discount=amount(data.get("totalDiscount"), "totalDiscount"),
        invoice_amount=amount(data.get("invoiceAmount"), "invoiceAmount"),
        total_payments=amount(data.get("totalPayments"), "totalPayments"),
        credit_notes=amount(data.get("sumOfCreditNotes"), "sumOfCreditNotes"),
        writeoffs=amount(data.get("totalWriteoffs"), "totalWriteoffs"),
        outstanding=amount(data.get("outstandingBalance"), "outstandingBalance"),
        terms=words(data.get("terms")),
        po_number=words(data.get("poNumber")),
        notes=words(data.get("notes")),
        posted=utc_date(data.get("postedTimestamp")),
        currency=words(mapping(data.get("invoiceCustomer")).get("currency")).upper(),
    )


def charge_detail(charge: JSON) -> Charge:
    return Charge(
        name=words(charge.get("name")),
        description=words(charge.get("description")),
        quantity=amount(charge.get("quantity"), "quantity"),
        unit_price=amount(charge.get("unitPrice"), "unitPrice"),
        amount=amount(charge.get("amount"), "amount"),
        service_start=utc_date(charge.get("startServiceDate")),
        service_end=utc_date(charge.get("endServiceDate")),
        tiers=[
            Tier(
                label=words(tier.get("label")),
                quantity=amount(tier.get("quantity"), "tier quantity"),
                unit_price=amount(tier.get("unitPrice"), "tier unitPrice"),
                amount=amount(tier.get("amount"), "tier amount"),
            )
            for tier in objects(charge.get("chargeTiers"))
        ],
        discounts=[
            Discount(words(d.get("description") or d.get("name")) or "Discount", amount(d.get("amount"), "discount"))
            for d in objects(charge.get("discounts"))
        ],
    )


def client(account: AccountSettings) -> Client:
    return Client(
        account.base_url,
        account.secret,
        identity_field=account.identity_field,
        currency=account.currency,
        take_request=account.take_request,
    )


# The PDF endpoint needs the API key, so PDFs are streamed through the app.


def contact(obj: JSON) -> Contact:
    """The billing address and the customer's phone and e-mail as an invoice recorded them
    (invoiceCustomer and invoiceCustomerAddressPreference, in listings and full invoices)."""
    customer = mapping(obj.get("invoiceCustomer"))
    address = mapping(mapping(obj.get("invoiceCustomerAddressPreference")).get("billingAddress"))

    def text(key: str, data: JSON = address) -> str:
        value = data.get(key)
        return "" if value is None else str(value).strip()

    lines = [
        text("companyName"),
        text("line1"),
        text("line2"),
        f"{text('postalZip')} {text('city')}".strip(),
        text("country"),
    ]
    return Contact(
        tuple(line for line in lines if line), text("primaryPhone", customer), text("primaryEmail", customer)
    )


PROVIDER = Provider(
    kind="fusebill",
    label=NAME,
    client=client,
    present=detail,
    proxies_pdf=True,
    searches=frozenset({Search.NAME, Search.EMAIL}),
    discovers_book=True,
    # A live account's documented limit (a Fusebill sandbox account has 50).
    requests_per_minute=1000,
    contact=contact,
)
