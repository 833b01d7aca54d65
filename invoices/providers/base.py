"""What every provider module shares: the error type, the normalised records
and an HTTP session that always sets a timeout.

Provider modules know the wire format and nothing of Django views or models;
sync.py turns their records into rows.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ParamSpec, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext

from invoices.logging import redact
from invoices.providers.deadline import deadline, watched_session

log = logging.getLogger(__name__)

# A JSON object as a provider sent it.
JSON = dict[str, Any]

# Control characters carry nothing staff read, PostgreSQL refuses NUL, and a
# lone surrogate (JSON can encode one) cannot be stored in any database.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def printable(text: str) -> str:
    return UNPRINTABLE.sub("", text)


class Wording:
    """Our words for a provider problem: the text marked for translation and its values,
    translated only when shown. A refresh in the background meets a problem in the
    worker's language; kept as data (`as_data`), it is written in each reader's when
    a page shows it. Values are masked and cleaned as a message is."""

    def __init__(self, msgid: str, values: Mapping[str, object] | None = None):
        self.msgid = msgid
        self.values = {
            name: value if isinstance(value, Wording) else printable(redact(str(value)))[:300]
            for name, value in (values or {}).items()
        }

    def __mod__(self, values: Mapping[str, object]) -> Wording:
        return Wording(self.msgid, values)

    def __str__(self) -> str:
        text = gettext(self.msgid)
        if not self.values:
            return text
        values = {name: str(value) for name, value in self.values.items()}
        try:
            return text % values
        except (KeyError, TypeError, ValueError):
            # Kept data that no longer fits its words (a value gone missing): the words as
            # they are, rather than a page that fails.
            return text

    def as_data(self) -> JSON:
        values = {name: v.as_data() if isinstance(v, Wording) else v for name, v in self.values.items()}
        return {"msgid": self.msgid, "values": values}

    @classmethod
    def from_data(cls, data: JSON) -> Wording:
        values = data.get("values") or {}
        return cls(
            str(data.get("msgid", "")), {n: cls.from_data(v) if isinstance(v, dict) else v for n, v in values.items()}
        )


class ProviderError(Exception):
    """One failure talking to a provider.

    `message` is for staff: our Wording, which a page translates into its reader's
    language, or the provider's own text; `code` and `detail` are the provider's own
    words for the log. `said` is what the provider told us in
    words staff should read verbatim, written in `said_language` whatever
    theirs (Fusebill writes English). `permanent` says whether retrying can
    help (a wrong secret never will; a timeout might).
    """

    def __init__(
        self,
        provider: str,
        message: str | Wording,
        code: object = "",
        detail: str = "",
        permanent: bool = False,
        said: str = "",
        said_language: str = "",
    ):
        # Provider texts can echo what they were sent (a personal number in a URL
        # or a message): masked before anything is cut, so no partial number is
        # left unmasked, and cleaned of what a page, a log line or PostgreSQL
        # must not get.
        if not isinstance(message, Wording):
            message = printable(redact(message))[:300]
        detail = printable(redact(detail))[:300]
        super().__init__(message)
        self.provider = provider
        self.message = message
        self.code = printable(str(code or ""))[:20]
        self.detail = detail
        self.permanent = permanent
        self.said = printable(redact(said))[:300]
        self.said_language = said_language if self.said else ""

    def __str__(self) -> str:
        suffix = " " + gettext("(code %(code)s)") % {"code": self.code} if self.code else ""
        return f"{self.provider}: {self.message}{suffix}"

    def as_data(self) -> JSON:
        """What a page needs to say this problem later, in its reader's language (from_data)."""
        message = self.message.as_data() if isinstance(self.message, Wording) else self.message
        return {"provider": self.provider, "message": message, "code": self.code}

    @classmethod
    def from_data(cls, data: JSON) -> ProviderError:
        message = data.get("message", "")
        words = Wording.from_data(message) if isinstance(message, dict) else str(message)
        return cls(str(data.get("provider", "")), words, code=data.get("code", ""))


class NotFound(ProviderError):
    """The provider does not know this customer or invoice."""

    def __init__(self, provider: str, message: str | Wording, code: object = "", detail: str = "", **said: str):
        super().__init__(provider, message, code, detail, permanent=True, **said)


class CredentialsRejected(ProviderError):
    """The provider refused the account's credentials: every call will fail the
    same way until someone corrects them in the admin, so nobody retries."""

    def __init__(self, provider: str, message: str | Wording, code: object = "", detail: str = "", **said: str):
        super().__init__(provider, message, code, detail, permanent=True, **said)


class Stage:
    """Invoice.Stage's values, for provider modules, which never import the models:
    where an unpaid invoice stands in collections. Blank: paid, credited, cancelled."""

    NOT_DUE = "not_due"
    OVERDUE = "overdue"
    COLLECTION = "collection"
    DISPUTED = "disputed"
    WRITTEN_OFF = "written_off"


@dataclass
class InvoiceRecord:
    """One provider invoice, normalised. Amounts are Decimal in the currency's unit."""

    provider_id: str
    number: str
    kind: str  # invoice / credit / cash / interest
    state: str  # open / paid / cancelled / credited / written_off
    currency: str
    total: Decimal
    outstanding: Decimal
    raw: JSON
    provider_kind: str = ""
    provider_status: str = ""
    provider_substatus: str = ""
    issue_date: datetime.date | None = None
    due_date: datetime.date | None = None
    paid_date: datetime.date | None = None
    credited: Decimal = Decimal("0")
    written_off: Decimal = Decimal("0")
    credits_number: str = ""
    # For an interest invoice: the number of the late invoice it charges, when the data says.
    charges_number: str = ""
    # The collection stage (a Stage value, blank when settled) and the provider's word for it.
    stage: str = ""
    provider_stage: str = ""
    provider_hash: str = ""
    pdf_url: str = ""
    customer_name: str = ""
    customer_email: str = ""
    customer_number: str = ""
    customer_identity: str = ""  # as the provider wrote it
    currency_guessed: bool = False  # the reply carried none: the account's was used
    total_guessed: bool = False  # the reply's total says nothing of what was invoiced


@dataclass
class CustomerRecord:
    """A customer as one provider account knows them, with their invoices once fetched."""

    provider_customer_id: str
    name: str = ""
    email: str = ""
    identity: str = ""  # as the provider wrote it
    # How the provider rates the whole account, in its words (Fusebill: Good,
    # PoorStanding, Collection); blank when it says nothing.
    account_status: str = ""
    raw: JSON = field(default_factory=dict)
    invoices: list[InvoiceRecord] = field(default_factory=list)


# Reads a provider's merchant-wide collection states: invoice number -> its word.
DueReader = Callable[[], Mapping[str, str]]


class AccountSettings(Protocol):
    """What a client needs of a provider account; ProviderAccount has it, so
    provider modules never import the models."""

    base_url: str
    merchant_id: str
    secret: str
    test_mode: bool
    language: str
    currency: str
    identity_field: str

    def take_request(self) -> None:
        """Waits until the account's shared request budget allows one more request."""

    def remember_due_payments(self, read: DueReader, fresh: bool = False) -> Mapping[str, str]:
        """The merchant-wide collection states (invoice number -> the provider's word),
        read with `read` at most once per cache TTL and kept for every worker; `fresh`
        reads them now. A failed read keeps the last states known."""


class ProviderClient(Protocol):
    """What every provider client offers the sync engine and the views."""

    def customer_invoices(self, identity: str | None = None, customer_id: str = "") -> CustomerRecord | None:
        """The customer this account knows, by identity number or its own id, with
        every invoice; None when it does not know them."""

    def find_customers(self, text: str) -> list[CustomerRecord]:
        """Customers matching what staff typed, as far as the provider can search."""

    def find_invoice(self, number: str) -> CustomerRecord | None:
        """The customer of the invoice with this number, with their invoices; None when
        the provider has none or cannot look invoices up by number alone."""

    def invoice_detail(self, invoice_id: str, invoice_hash: str = "") -> InvoiceRecord:
        """One invoice in full; its `raw` is what the detail presenter reads."""

    def account_info(self) -> Mapping[str, object]:
        """One cheap call that proves the credentials work."""


@dataclass(frozen=True)
class Discovered:
    """One customer a provider revealed while listing its book, before any invoice is fetched.

    Either or both of the account's own customer id and the identity number
    (as the provider wrote it, unchecked) say who it is. `collection` is the
    collection state the provider gave per invoice number, where the listing
    carries one (Qvickly's Due / Collection). `error` is set instead when this
    one customer could not be read; the listing goes on.
    """

    provider_customer_id: str = ""
    identity: str = ""
    name: str = ""
    email: str = ""
    collection: Mapping[str, str] = field(default_factory=dict)
    error: ProviderError | None = None


@runtime_checkable
class BookSource(Protocol):
    """A client that can list the customers of the whole book, not only those staff look up."""

    def discover(self) -> Iterator[Discovered]:
        """Every customer the provider's API can reveal, each once or more. A failure of
        the listing itself is raised as a ProviderError; what was yielded before stands."""
        ...


@runtime_checkable
class PdfProxy(Protocol):
    """A client whose PDFs need its credentials, so they are streamed through us."""

    def invoice_pdf(self, invoice_id: str) -> bytes: ...


class Search:
    """What a provider's customer search can match, beyond its own customer numbers."""

    NUMBER = "number"
    NAME = "name"
    EMAIL = "email"
    # An invoice number alone, without knowing whose (ProviderClient.find_invoice).
    INVOICE_NUMBER = "invoice_number"


@dataclass(frozen=True)
class Contact:
    """How to reach a customer, as one cached invoice of theirs records it: the
    address, phone and e-mail staff are asked for on the phone."""

    address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""

    def __bool__(self) -> bool:
        return bool(self.address or self.phone or self.email)


def no_contact(raw: JSON) -> Contact:
    return Contact()


@dataclass(frozen=True)
class Provider:
    """One provider as the rest of the app sees it: the registry's entry.

    Each provider module defines one as `PROVIDER`; invoices.providers finds them.
    """

    kind: str  # stored on ProviderAccount.kind
    label: str
    client: Callable[[AccountSettings], ProviderClient]
    # The provider's full invoice (an InvoiceRecord.raw) as its detail template reads it.
    present: Callable[[JSON], object]
    # True: the PDF needs our credentials and is streamed through us (the client is a
    # PdfProxy); False: the invoice carries a link anyone may open.
    proxies_pdf: bool
    # What find_customers can match (Search values); customer numbers always.
    searches: frozenset[str]
    # Whether the provider can list every customer with a balance (the book sweep).
    discovers_book: bool
    # Account fields the client cannot work without, beyond the base URL and secret.
    required_fields: tuple[str, ...] = ()
    # Requests per minute the provider allows an account, unless the account says
    # otherwise; None when the provider documents no limit.
    requests_per_minute: int | None = None
    # The customer's contact details in a cached invoice (its listing row or full
    # detail); an empty Contact when that JSON carries none.
    contact: Callable[[JSON], Contact] = no_contact

    @property
    def detail_template(self) -> str:
        return f"invoices/detail/{self.kind}.html"

    def present_safely(self, raw: JSON) -> object:
        """The detail, or this provider's ProviderError when the stored JSON cannot be read."""
        return shape_errors(self.label)(self.present)(raw)


# Deeper than any documented reply: nesting beyond this is junk or an attack.
MAX_DEPTH = 32


@dataclass
class Reply:
    """A provider's whole answer, read within the call's deadline and size cap."""

    provider: str
    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self, clean: bool = True, **options: Any) -> Any:
        """The parsed body; ProviderError when it is not JSON or nested absurdly deep.

        `clean` strips control characters from every string; a caller that
        verifies a signature over the text as sent cleans after verifying.
        """
        try:
            data = json.loads(self.text, **options)
        except RecursionError:
            raise ProviderError(self.provider, Wording("sent a reply nested too deeply to read")) from None
        except ValueError:
            raise ProviderError(self.provider, Wording("sent a reply that is not JSON"), detail=self.text) from None
        depth_checked(data, self.provider)
        return without_control_characters(data) if clean else data


def depth_checked(value: object, provider: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ProviderError(provider, Wording("sent a reply nested too deeply to read"))
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        depth_checked(child, provider, depth + 1)


def without_control_characters(value: Any) -> Any:
    """The same JSON with NUL, other control characters and lone surrogates taken
    out of every string."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {without_control_characters(k): without_control_characters(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_control_characters(item) for item in value]
    return value


def web_url(value: object) -> str:
    """A link from provider data, kept only when it is http(s) to a host; anything
    else (javascript:, data:, file:) is dropped and never rendered as a link."""
    text = str(value or "").strip()
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


class Session:
    """A requests session bound to one provider: timeouts on every call, and
    retries for what a retry can fix.

    Timeouts, dropped connections, 5xx and 429 are retried with exponential
    backoff and jitter, bounded in count and in total time; any other answer
    goes back to the caller at once, who turns it into its typed error.
    Redirects are never followed: with our credentials attached, following one
    is how a spoofed upstream would read other addresses.
    """

    def __init__(
        self,
        provider: str,
        retry_after: Callable[[Reply], float | None] | None = None,
        take_request: Callable[[], None] | None = None,
    ):
        self.provider = provider
        self.http = watched_session()
        self.timeout = (settings.PROVIDER_CONNECT_TIMEOUT, settings.PROVIDER_READ_TIMEOUT)
        # How long a provider asks us to wait after a 429; None means do not retry.
        self.retry_after = retry_after or (lambda reply: None)
        # Called before every attempt, retries included: the account's request budget,
        # shared by every worker, which this module knows nothing of.
        self.take_request = take_request or (lambda: None)

    def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        budget = time.monotonic() + settings.PROVIDER_RETRY_BUDGET
        attempt = 0
        while True:
            outcome = self.attempt(method, url, **kwargs)
            reply = outcome if isinstance(outcome, Reply) else None
            if reply is not None and reply.status_code < 500 and reply.status_code != 429:
                return reply
            delay = self.delay(attempt, reply)
            if attempt == settings.PROVIDER_RETRIES or delay is None or time.monotonic() + delay > budget:
                if isinstance(outcome, ProviderError):
                    raise outcome
                return outcome
            reason = outcome if reply is None else f"HTTP {reply.status_code}"
            log.info("%s: retrying in %.2f s after %s", self.provider, delay, reason)
            time.sleep(delay)
            attempt += 1

    def attempt(self, method: str, url: str, **kwargs: Any) -> Reply | ProviderError:
        """The reply, or the ProviderError of a failure a retry may fix.

        The whole call, headers and body, ends at PROVIDER_CALL_DEADLINE: a reply
        that cannot finish by then is not worth waiting for again.
        """
        self.take_request()
        seconds = settings.PROVIDER_CALL_DEADLINE
        with deadline(seconds) as call:
            try:
                outcome = self.exchange(method, url, **kwargs)
            except ProviderError:
                if not call.expired:
                    raise
        if call.expired:
            # The timer shut the socket down: whatever came back is cut short (a body
            # sent without a length even reads as complete), so none of it is used.
            raise ProviderError(
                self.provider,
                Wording("did not finish its reply within %(seconds)s seconds") % {"seconds": f"{seconds:g}"},
            )
        return outcome

    def exchange(self, method: str, url: str, **kwargs: Any) -> Reply | ProviderError:
        """One request and its whole reply, failures mapped to ProviderErrors."""
        try:
            # No single read may wait past the call's deadline either.
            timeout = (self.timeout[0], min(self.timeout[1], settings.PROVIDER_CALL_DEADLINE))
            response = self.http.request(method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs)
            with response:
                if response.is_redirect or 300 <= response.status_code < 400:
                    raise ProviderError(
                        self.provider,
                        Wording("answered with a redirect, which was not followed"),
                        code=response.status_code,
                        detail=response.headers.get("Location", ""),
                        permanent=True,
                    )
                return Reply(self.provider, response.status_code, response.headers, self.read(response))
        except (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError):
            return ProviderError(self.provider, Wording("did not answer in time"))
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            urllib3.exceptions.ProtocolError,
        ) as exc:
            reached = not isinstance(exc, requests.ConnectionError) or "Connection aborted" in str(exc)
            message = Wording("dropped the connection") if reached else Wording("could not be reached")
            return ProviderError(self.provider, message, detail=str(exc))
        except urllib3.exceptions.HTTPError as exc:
            # A body that cannot be decoded (gzip, TLS) mid-read: asking again will not help.
            message = Wording("sent a reply that could not be read")
            raise ProviderError(self.provider, message, detail=str(exc), permanent=True) from exc
        except requests.RequestException as exc:
            raise ProviderError(self.provider, Wording("request failed"), detail=str(exc), permanent=True) from exc

    def read(self, response: requests.Response) -> bytes:
        """The body, a chunk as it arrives, so the size cap holds before all of it is
        in memory (the call's deadline timer ends a body that trickles). Not worth retrying."""
        limit = settings.PROVIDER_MAX_REPLY_BYTES
        too_large = ProviderError(
            self.provider,
            Wording("sent a reply larger than the %(limit)s bytes allowed") % {"limit": f"{limit:,}"},
            permanent=True,
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        body = bytearray()
        while chunk := response.raw.read1(64 * 1024, decode_content=True):
            body += chunk
            if len(body) > limit:
                raise too_large
        return bytes(body)

    def delay(self, attempt: int, reply: Reply | None) -> float | None:
        """Exponential backoff with jitter; a 429 waits as long as the provider says, if it says."""
        if reply is not None and reply.status_code == 429:
            return self.retry_after(reply)
        return float(settings.PROVIDER_RETRY_BACKOFF * (2**attempt) * random.uniform(0.5, 1.5))


# Amounts must fit the cache's columns (12 digits and 2 decimals).
LARGEST_AMOUNT = Decimal("999999999999.99")


def to_decimal(value: object, provider: str, what: str) -> Decimal:
    """A money value as Decimal, refusing floats' binary noise, junk, NaN and absurd sizes."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise ProviderError(
            provider, Wording("sent an invalid amount for %(what)s") % {"what": what}, detail=repr(value)
        )
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ProviderError(
            provider, Wording("sent an invalid amount for %(what)s") % {"what": what}, detail=repr(value)
        ) from None
    if not amount.is_finite() or abs(amount) > LARGEST_AMOUNT:
        raise ProviderError(
            provider, Wording("sent an amount out of range for %(what)s") % {"what": what}, detail=repr(value)
        )
    return amount


def mapping(value: object) -> JSON:
    """A JSON object, or an empty one when the provider sent something else in its place."""
    return value if isinstance(value, dict) else {}


def objects(value: object) -> list[JSON]:
    """The JSON objects of a list, or none when the provider sent something else in its place."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def checked(record: InvoiceRecord, provider: str) -> InvoiceRecord:
    """A record that fits the cache: ids and codes of sane length, a currency code.

    Statuses keep the provider's words, clipped to the column; the raw copy
    keeps them whole.
    """
    if not record.provider_id or len(record.provider_id) > 64 or len(record.number) > 64:
        raise ProviderError(
            provider, Wording("sent an invoice id that is missing or too long"), detail=record.provider_id
        )
    if not re.fullmatch(r"[A-Z]{3}", record.currency):
        raise ProviderError(provider, Wording("sent an unknown currency"), detail=record.currency)
    if len(record.provider_hash) > 128:
        raise ProviderError(provider, Wording("sent an invoice hash that is too long"))
    record.provider_kind = record.provider_kind[:20]
    record.provider_status = record.provider_status[:50]
    record.provider_substatus = record.provider_substatus[:50]
    record.credits_number = record.credits_number[:64]
    record.pdf_url = web_url(record.pdf_url) if len(record.pdf_url) <= 500 else ""
    record.customer_name, record.customer_email = record.customer_name[:200], record.customer_email[:254]
    return record


def checked_customer(customer: CustomerRecord, provider: str) -> CustomerRecord:
    """A provider's customer that fits the cache, like checked() for invoices."""
    if len(customer.provider_customer_id) > 64:
        raise ProviderError(provider, Wording("sent a customer id that is too long"))
    customer.name, customer.email = customer.name[:200], customer.email[:254]
    return customer


P = ParamSpec("P")
R = TypeVar("R")


def shape_errors(provider: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn a reply of an unexpected shape into the provider's typed error, never a crash.

    Parsers check what they can; this catches what a wrong type slips past them.
    """

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except (TypeError, AttributeError, KeyError, IndexError, ValueError, ArithmeticError) as exc:
                raise ProviderError(provider, Wording("sent data of an unexpected shape"), detail=repr(exc)) from exc

        return wrapper

    return decorate


def to_date(value: object) -> datetime.date | None:
    """A date from 'YYYY-MM-DD...' text; None for blanks and zero-date sentinels."""
    text = str(value or "").strip()[:10]
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def utc_date(value: object) -> datetime.date | None:
    """The local calendar date of a provider timestamp written in UTC without a zone."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    except OverflowError:  # 9999-12-31T23:30 is past the last local date
        return None
