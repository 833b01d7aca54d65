"""What every provider module shares: the error type, the normalised records
and an HTTP session that always sets a timeout.

Provider modules know the wire format and nothing of Django views or models;
sync.py turns their records into rows.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings


class ProviderError(Exception):
    """One failure talking to a provider.

    `message` is for staff; `code` and `detail` are the provider's own words
    for the log. `permanent` says whether retrying can help (a wrong secret
    never will; a timeout might).
    """

    def __init__(self, provider, message, code="", detail="", permanent=False):
        super().__init__(message)
        self.provider = provider
        self.message = message
        self.code = str(code or "")
        self.detail = detail
        self.permanent = permanent

    def __str__(self):
        suffix = f" (code {self.code})" if self.code else ""
        return f"{self.provider}: {self.message}{suffix}"


class NotFound(ProviderError):
    """The provider does not know this customer or invoice."""

    def __init__(self, provider, message, code="", detail=""):
        super().__init__(provider, message, code, detail, permanent=True)


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
    raw: dict
    provider_kind: str = ""
    provider_status: str = ""
    provider_substatus: str = ""
    issue_date: datetime.date | None = None
    due_date: datetime.date | None = None
    paid_date: datetime.date | None = None
    credited: Decimal = Decimal("0")
    written_off: Decimal = Decimal("0")
    credits_number: str = ""
    provider_hash: str = ""
    pdf_url: str = ""
    customer_name: str = ""
    customer_email: str = ""
    customer_number: str = ""
    customer_identity: str = ""  # as the provider wrote it


@dataclass
class CustomerRecord:
    """A customer as one provider account knows them, with their invoices once fetched."""

    provider_customer_id: str
    name: str = ""
    email: str = ""
    identity: str = ""  # as the provider wrote it
    raw: dict = field(default_factory=dict)
    invoices: list[InvoiceRecord] = field(default_factory=list)


class Session:
    """A requests session bound to one provider, with timeouts on every call."""

    def __init__(self, provider):
        self.provider = provider
        self.http = requests.Session()
        self.timeout = (settings.PROVIDER_CONNECT_TIMEOUT, settings.PROVIDER_READ_TIMEOUT)

    def request(self, method, url, **kwargs):
        try:
            return self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise ProviderError(self.provider, "did not answer in time") from exc
        except requests.ConnectionError as exc:
            raise ProviderError(self.provider, "could not be reached") from exc
        except requests.RequestException as exc:
            raise ProviderError(self.provider, "request failed", detail=str(exc)) from exc


def to_decimal(value, provider, what):
    """A money value as Decimal, refusing floats' binary noise and junk."""
    if isinstance(value, bool) or value is None:
        raise ProviderError(provider, f"sent an invalid amount for {what}", detail=repr(value))
    try:
        return Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ProviderError(provider, f"sent an invalid amount for {what}", detail=repr(value)) from None


def to_date(value):
    """A date from 'YYYY-MM-DD...' text; None for blanks and zero-date sentinels."""
    text = str(value or "").strip()[:10]
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def utc_date(value):
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
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
