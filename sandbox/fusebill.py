"""Emulator of Fusebill REST v1 (also branded Stax Bill), served from the generated world.

It speaks the wire protocol of docs/providers.md ("Fusebill REST v1"): GET
only, `Authorization: Basic {key}` with the key exactly as issued, money as
JSON numbers, UTC timestamps written without a zone, explicit nulls, paging
and rate-limit facts in headers, errors as {"ErrorId", "HttpStatusCode",
"Errors"}. The documentation example (customer 123456) is served verbatim.
Faults asked for at sandbox/faults/ (sandbox/faults.py) replace or spoil the
reply. Nothing here touches the database.
"""

import base64
import binascii
import datetime
import functools
import hmac
import json
import math
import re
import threading
import time
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from pathlib import Path

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults
from sandbox.world import FUSEBILL_KEYS, world

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
EXAMPLE_INVOICES = "fusebill_004_customer_invoices.json"
BAD_QUERY = "fusebill_004_error.json"
EXAMPLE_CUSTOMER_ID = 123456

# The pagination page says the largest page "is never below 1,000"; a larger
# pageSize is cut to it (X-PageSize tells), as the real API limits it.
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
DAY_SECONDS = 86400

ACCOUNT_NAME = "Sandlådan Abonnemang AB"
VAT_NUMBER = "SE559011223301"
SIGNATURE = (
    f"<p><strong>{ACCOUNT_NAME}</strong> \n</p>\n<p><em>faktura@sandladan-abonnemang.example | 08-123 456 78</em></p>\n"
)


class FusebillError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class BadQuery(Exception):
    """A `query` Fusebill cannot parse: always the documented error body."""


# The view ---------------------------------------------------------------------


@csrf_exempt
def api(request, path):
    # Faults come before authentication: one for every account catches a wrong key too.
    fault = faults.take("fusebill", _presented_key(request))
    if fault is not None:
        return faults.reply(fault, request, lambda: _answer(request, path), FAULT_REPLIES)
    return _answer(request, path)


def _answer(request, path):
    key, refusal = _authenticate(request)
    if refusal is not None:
        return refusal
    allowed, rate_headers = limiter.take(key, FUSEBILL_KEYS[key])
    if not allowed:
        response = _error(429, "API calls quota exceeded; wait for the rate limit to reset.")
    elif request.method != "GET":
        response = _error(405, f"The requested resource does not support http method '{request.method}'.")
        response["Allow"] = "GET"
    else:
        response = _dispatch(request, path)
    for name, value in rate_headers.items():
        response[name] = str(value)
    return response


def _authenticate(request):
    """(key, None) for a key as issued, else (None, the error reply)."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None, _error(401, "Authorization has been denied for this request.")
    scheme, _, key = header.partition(" ")
    key = key.strip()
    # Malformed is a 400 at Fusebill; a well-formed key it never issued is a 401.
    if scheme.lower() != "basic" or not _is_base64(key):
        return None, _error(400, "The Authorization header is malformed: send 'Basic' and the API key as issued.")
    for issued in FUSEBILL_KEYS:
        if hmac.compare_digest(issued.encode(), key.encode()):
            return issued, None
    return None, _error(401, "Authorization has been denied for this request.")


def _presented_key(request):
    """The key the request sends, checked or not; None without a Basic header."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    return (key.strip() or None) if scheme.lower() == "basic" else None


def _is_base64(text):
    if not text or len(text) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", text):
        return False
    try:
        base64.b64decode(text, validate=True)
    except binascii.Error:
        return False
    return True


def _dispatch(request, path):
    base = request.build_absolute_uri(request.path[: len(request.path) - len(path)])
    try:
        # Fusebill's paths are case-insensitive, and a trailing slash is optional.
        for pattern, handler in ROUTES:
            match = pattern.fullmatch(path.rstrip("/"))
            if match:
                return handler(request, base, *(int(group) for group in match.groups()))
        raise FusebillError(404, "No HTTP resource was found that matches the request URI.")
    except BadQuery:
        return HttpResponse(_example_bytes(BAD_QUERY), status=400, content_type="application/json; charset=utf-8")
    except FusebillError as error:
        return _error(error.status, error.message)


class RateLimiter:
    """Fixed windows per key, counted in memory. The lock: the test server is threaded."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.windows = {}  # key -> [window start, count, day start, day count]

    def take(self, key, limits):
        """Counts one request if the key has any left: (allowed, the rate-limit headers)."""
        now = self.clock()
        with self.lock:
            window = self.windows.setdefault(key, [now, 0, now, 0])
            if now - window[0] >= limits.window_seconds:
                window[0:2] = [now, 0]
            if now - window[2] >= DAY_SECONDS:
                window[2:4] = [now, 0]
            allowed = window[1] < limits.per_window and window[3] < limits.per_day
            if allowed:
                window[1] += 1
                window[3] += 1
            start, used, day_start, used_today = window
        # Whole seconds, rounded up: waiting that long always reaches the new window.
        return allowed, {
            "X-Rate-Limit-Limit-Minute": limits.per_window,
            "X-Rate-Limit-Remaining-Minute": limits.per_window - used,
            "X-Rate-Limit-Reset-Minute": math.ceil(start + limits.window_seconds - now),
            "X-Rate-Limit-Limit-Day": limits.per_day,
            "X-Rate-Limit-Remaining-Day": limits.per_day - used_today,
            "X-Rate-Limit-Reset-Day": math.ceil(day_start + DAY_SECONDS - now),
        }


limiter = RateLimiter()


# Faults -----------------------------------------------------------------------
# Timeouts, resets, truncated JSON and proxy pages look the same as at any
# provider behind a gateway (sandbox/faults.py); Fusebill's own errors keep its
# error body, and its 429 the rate-limit headers a client waits by.

FAULT_MESSAGES = {
    500: "An error has occurred.",
    502: "The service received an invalid response from an upstream server.",
    503: "The service is temporarily unavailable; try again later.",
}


def _server_error(fault, request, answer):
    status = faults.HTTP_STATUSES[fault.fault]
    return _error(status, FAULT_MESSAGES[status])


def _rate_limited(fault, request, answer):
    """429 with the minute's quota spent and back in a second; the day's quota untouched."""
    # A key Fusebill never issued gets the first key's limits: there is no better guess.
    limits = FUSEBILL_KEYS.get(_presented_key(request)) or next(iter(FUSEBILL_KEYS.values()))
    response = _error(429, "API calls quota exceeded; wait for the rate limit to reset.")
    headers = {
        "X-Rate-Limit-Limit-Minute": limits.per_window,
        "X-Rate-Limit-Remaining-Minute": 0,
        "X-Rate-Limit-Reset-Minute": 1,
        "X-Rate-Limit-Limit-Day": limits.per_day,
        "X-Rate-Limit-Remaining-Day": limits.per_day,
        "X-Rate-Limit-Reset-Day": DAY_SECONDS,
    }
    for name, value in headers.items():
        response[name] = str(value)
    return response


def _key_refused(fault, request, answer):
    return _error(401, "Authorization has been denied for this request.")


FAULT_REPLIES = {
    "http_500": _server_error,
    "http_502": _server_error,
    "http_503": _server_error,
    "rate_limit": _rate_limited,
    "reject_credentials": _key_refused,
}


# Endpoints --------------------------------------------------------------------


def list_customers(request, base):
    customers = [customer_json(c, base) for c in world().fusebill_customers()]
    customers.append(_example_customer(base))
    page, headers = _listing(request, customers, CUSTOMER_FIELDS, CUSTOMER_SORTS, ("id", "Ascending"))
    return _json_response(page, headers)


def get_customer(request, base, customer_id):
    if customer_id == EXAMPLE_CUSTOMER_ID:
        return _json_response(_example_customer(base))
    customer = world().customer_by_fusebill_id(customer_id)
    if customer is None:
        raise FusebillError(404, f"Customer {customer_id} was not found.")
    return _json_response(customer_json(customer, base))


def list_invoices(request, base, customer_id):
    show_zero = _boolean(request, "showZeroDollarCharges") or _boolean(request, "showTrackedItems")
    if customer_id == EXAMPLE_CUSTOMER_ID:
        invoices = list(_examples())
        page, headers = _listing(request, invoices, INVOICE_FIELDS, INVOICE_SORTS, ("postedTimestamp", "Descending"))
        if [e.position for e in page] == list(range(len(invoices))):
            return _json_response(None, headers, body=_example_bytes(EXAMPLE_INVOICES))
        return _json_response([e.raw for e in page], headers)
    customer = world().customer_by_fusebill_id(customer_id)
    if customer is None:
        raise FusebillError(404, f"Customer {customer_id} was not found.")
    invoices = list(world().fusebill_invoices_of(customer_id))
    page, headers = _listing(request, invoices, INVOICE_FIELDS, INVOICE_SORTS, ("postedTimestamp", "Descending"))
    return _json_response([invoice_json(i, customer, base, show_zero) for i in page], headers)


def get_invoice(request, base, invoice_id):
    example = next((e for e in _examples() if e.id == invoice_id), None)
    if example is not None:
        return _json_response(example.raw)
    invoice, customer = _invoice(invoice_id)
    return _json_response(invoice_json(invoice, customer, base, show_zero=True))


def invoice_pdf(request, base, invoice_id):
    example = next((e for e in _examples() if e.id == invoice_id), None)
    if example is not None:
        raw = example.raw
        name = " ".join(raw["invoiceCustomer"][k] for k in ("firstName", "lastName"))
        facts = (raw["invoiceNumber"], name, example.posted, raw["invoiceAmount"], raw["outstandingBalance"])
        number, body = raw["invoiceNumber"], pdf_document(_pdf_lines(*facts, raw["invoiceCustomer"]["currency"]))
    else:
        invoice, customer = _invoice(invoice_id)
        facts = (invoice.number, customer.name, invoice.posted, invoice.invoice_amount, invoice.outstanding)
        number, body = invoice.number, pdf_document(_pdf_lines(*facts, invoice.currency))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{number}.pdf"'
    return response


def _invoice(invoice_id):
    invoice = world().fusebill_invoice(invoice_id)
    if invoice is None:
        raise FusebillError(404, f"Invoice {invoice_id} was not found.")
    return invoice, world().customer_by_fusebill_id(invoice.customer_id)


ROUTES = tuple(
    (re.compile(pattern, re.IGNORECASE), handler)
    for pattern, handler in (
        (r"customers", list_customers),
        (r"customers/(\d+)", get_customer),
        (r"customers/(\d+)/invoices", list_invoices),
        (r"invoices/pdf/(\d+)", invoice_pdf),
        (r"invoices/(\d+)", get_invoice),
    )
)


# Listings: query, sorting, paging ------------------------------------------------


def _listing(request, items, fields, sorts, default_sort):
    """The page of items the request asks for, and the paging headers."""
    params = _params(request)
    filters = parse_query(params.get("query", ""), fields)
    items = [item for item in items if all(matches(read(item)) for read, matches in filters)]
    expression, order, key = _sorting(params, sorts, default_sort)
    items.sort(key=key, reverse=order == "Descending")
    size = min(_count_param(params, "pageSize", DEFAULT_PAGE_SIZE, minimum=1), MAX_PAGE_SIZE)
    number = _count_param(params, "pageNumber", 0, minimum=0)
    page = items[number * size : (number + 1) * size]
    last = max(math.ceil(len(items) / size) - 1, 0)
    headers = {
        "X-Count": len(page),
        "X-MaxCount": len(items),
        "X-CurrentPage": number,
        "X-NextPage": number + 1 if (number + 1) * size < len(items) else -1,
        "X-PreviousPage": min(number - 1, last) if number > 0 else -1,
        "X-PageSize": size,
        # The docs call it "total number of pages"; clients read it as the last
        # 0-based index. This gives the index, so a client trusting the other
        # reading would miss the last page: the client must stop on a short page.
        "X-MaxPageIndex": last,
        "X-SortOrder": order,
        "X-SortExpression": expression,
    }
    return page, headers


def _params(request):
    # ASP.NET binds query parameters case-insensitively.
    return {name.lower(): value for name, value in request.GET.items()}


def _count_param(params, name, default, minimum):
    raw = params.get(name.lower(), "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d+", raw) or int(raw) < minimum:
        raise FusebillError(400, f"Bad request, {name} must be a whole number of at least {minimum}.")
    return int(raw)


def _boolean(request, name):
    raw = _params(request).get(name.lower(), "").strip().lower()
    if raw not in ("", "true", "false"):
        raise FusebillError(400, f"Bad request, the value '{raw}' is not valid for {name}.")
    return raw == "true"


def _sorting(params, sorts, default):
    """(expression, order, sort key). Ties go by id, so pages never overlap."""
    expression, order = params.get("sortexpression", "").strip(), params.get("sortorder", "").strip()
    if not expression and not order:
        expression, order = default
    spec = sorts.get((expression or default[0]).lower())
    order = {"": "Ascending", "ascending": "Ascending", "descending": "Descending"}.get(order.lower())
    if spec is None or order is None:
        raise FusebillError(400, "Bad request, sortOrder must be Ascending or Descending with a known sortExpression.")
    name, read, read_id = spec
    return name, order, lambda item: (read(item), read_id(item))


def parse_query(text, fields):
    """[(read, matches)] from `field:value;field2:lo|hi`; BadQuery for anything Fusebill would refuse."""
    filters = []
    for pair in text.split(";"):
        if not pair.strip():
            continue  # a trailing ";" is harmless
        name, colon, value = pair.partition(":")
        spec = fields.get(name.strip().lower())
        if not colon or spec is None:
            raise BadQuery(pair)
        kind, read = spec
        filters.append((read, _matcher(kind, value.strip())))
    return filters


def _matcher(kind, text):
    if kind == "string":
        # Case-insensitive and exact, as Fusebill's string filters are.
        wanted = text.casefold()
        return lambda value: value is not None and str(value).casefold() == wanted
    parse = {"date": _timestamp, "decimal": _decimal, "int": _integer}[kind]
    if kind == "int" and "|" not in text:
        exact = parse(text)
        return lambda value: value == exact
    low, bar, high = text.partition("|")
    if not bar:
        raise BadQuery(text)
    low = parse(low) if low.strip() else None
    high = parse(high) if high.strip() else None
    # Lower bound inclusive, upper exclusive; either may be left open.
    return lambda value: value is not None and (low is None or value >= low) and (high is None or value < high)


def _timestamp(text):
    try:
        moment = datetime.datetime.fromisoformat(text.strip().removesuffix("Z"))
    except ValueError:
        raise BadQuery(text) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)  # Fusebill's times are UTC
    return moment.astimezone(datetime.UTC)


def _decimal(text):
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise BadQuery(text) from None
    if not value.is_finite():
        raise BadQuery(text)
    return value


def _integer(text):
    if not re.fullmatch(r"-?\d+", text.strip()):
        raise BadQuery(text)
    return int(text)


def _strings(read):
    return lambda item: (read(item) or "").casefold()


# Filterable fields: (kind, how to read it). The sandbox account syncs with no
# accounting or CRM system, so its QuickBooks, NetSuite and Salesforce ids are
# null and those filters match nothing; they are accepted all the same.
INVOICE_FIELDS = {
    "postedtimestamp": ("date", attrgetter("posted")),
    "effectivetimestamp": ("date", attrgetter("effective")),
    "createdtimestamp": ("date", attrgetter("created")),
    "openingarbalance": ("decimal", attrgetter("opening_ar")),
    "closingarbalance": ("decimal", attrgetter("closing_ar")),
    "invoicenumber": ("int", attrgetter("number")),
    "totalinstallments": ("int", attrgetter("installments")),
    "quickbooksid": ("int", lambda invoice: None),
    "ponumber": ("string", attrgetter("po_number")),
    "netsuiteid": ("string", lambda invoice: None),
    "salesforceid": ("string", lambda invoice: None),
}
INVOICE_SORTS = {
    name.lower(): (name, read, attrgetter("id"))
    for name, read in (
        ("postedTimestamp", attrgetter("posted")),
        ("effectiveTimestamp", attrgetter("effective")),
        ("invoiceNumber", attrgetter("number")),
        ("invoiceAmount", attrgetter("invoice_amount")),
        ("outstandingBalance", attrgetter("outstanding")),
        ("id", attrgetter("id")),
    )
}
CUSTOMER_FIELDS = {
    **{
        name.lower(): ("string", lambda c, name=name: c[name])
        for name in ("firstName", "lastName", "companyName", "primaryEmail", "reference", "status")
    },
    **{
        f"customerreference.reference{n}": ("string", lambda c, n=n: c["customerReference"][f"reference{n}"])
        for n in (1, 2, 3)
    },
    "arbalance": ("decimal", lambda c: c["arBalance"]),
}
CUSTOMER_SORTS = {
    "id": ("id", lambda c: c["id"], lambda c: c["id"]),
    **{
        name.lower(): (name, _strings(lambda c, name=name: c[name]), lambda c: c["id"])
        for name in ("firstName", "lastName", "companyName", "primaryEmail", "reference")
    },
}


# Reply shapes --------------------------------------------------------------------


def customer_json(customer, base):
    invoices = world().fusebill_invoices_of(customer.fusebill_id)
    overdue = any(s.status == "Overdue" for invoice in invoices for s in invoice.schedules)
    # Fusebill has no personal-number field: this account keeps it in both reference fields.
    reference = customer.fusebill_reference
    return {
        **_contact(customer),
        "reference": reference,
        "status": "Active",
        "customerAccountStatus": "Poor" if overdue else "Good",
        "currency": customer.currency,
        "customerReference": {
            "reference1": reference,
            "reference2": customer.qvickly_number,  # the customer number in the other system, if any
            "reference3": None,
            "salesTrackingCodes": [],
        },
        **_account_nulls(),
        "arBalance": sum((invoice.outstanding for invoice in invoices), Decimal(0)),
        "id": customer.fusebill_id,
        "uri": f"{base}Customers/{customer.fusebill_id}",
    }


def _example_customer(base):
    """The customer of the documentation example, as the example's invoices describe him."""
    snapshot = _examples()[0].raw["invoiceCustomer"]
    return {
        **{key: snapshot[key] for key in CONTACT_KEYS},
        "reference": "",
        "status": "Active",
        "customerAccountStatus": "Good",
        "currency": snapshot["currency"],
        "customerReference": {"reference1": None, "reference2": None, "reference3": None, "salesTrackingCodes": []},
        **_account_nulls(),
        "arBalance": sum((Decimal(e.raw["outstandingBalance"]) for e in _examples()), Decimal(0)),
        "id": EXAMPLE_CUSTOMER_ID,
        "uri": f"{base}Customers/{EXAMPLE_CUSTOMER_ID}",
    }


CONTACT_KEYS = (
    "firstName",
    "middleName",
    "lastName",
    "companyName",
    "suffix",
    "primaryEmail",
    "primaryPhone",
    "secondaryEmail",
    "secondaryPhone",
    "title",
)


def _contact(customer):
    """Names as Fusebill splits them: a company's contact person, a person's own name."""
    first, _, last = (customer.contact if customer.is_company else customer.name).partition(" ")
    return {
        "firstName": first or None,
        "middleName": None,
        "lastName": last or None,
        "companyName": customer.name if customer.is_company else None,
        "suffix": None,
        "primaryEmail": customer.email,
        "primaryPhone": customer.phone,
        "secondaryEmail": None,
        "secondaryPhone": None,
        "title": "",
    }


def _account_nulls():
    return {
        "customerAcquisition": None,
        "monthlyRecurringRevenue": 0,
        "netMonthlyRecurringRevenue": 0,
        "salesforceId": None,
        "salesforceAccountType": None,
        "salesforceSynchStatus": None,
        "netsuiteId": None,
        "netsuiteCustomerType": None,
        "portalUserName": None,
        "parentId": None,
        "quickBooksLatchType": None,
        "quickBooksId": None,
        "quickBooksSyncToken": None,
    }


def _snapshot(customer):
    """The customer as the invoice recorded them: the seed's shape, ids and references null."""
    return {
        **_contact(customer),
        "reference": None,
        "status": None,
        "customerAccountStatus": None,
        "currency": customer.currency,
        "customerReference": None,
        **_account_nulls(),
        "id": 0,
        "uri": None,
    }


def invoice_json(invoice, customer, base, show_zero=False):
    """The seed 004 shape, key for key, in its order."""
    return {
        "invoiceNumber": invoice.number,
        "invoiceSignature": SIGNATURE,
        "poNumber": invoice.po_number,
        "effectiveTimestamp": _when(invoice.effective),
        "postedTimestamp": _when(invoice.posted),
        "modifiedTimestamp": _when(invoice.modified),
        "charges": [
            _charge(invoice, position, charge, base)
            for position, charge in enumerate(invoice.charges)
            if show_zero or charge.amount
        ],
        "subtotal": invoice.subtotal,
        "invoiceAmount": invoice.invoice_amount,
        "totalPayments": invoice.total_payments,
        "outstandingBalance": invoice.outstanding,
        "terms": invoice.terms,
        "customerId": invoice.customer_id,
        "invoiceCustomer": _snapshot(customer),
        "invoiceCustomerAddressPreference": _address_preference(customer),
        "sumOfCreditNotes": invoice.sum_of_credit_notes,
        "totalWriteoffs": invoice.total_writeoffs,
        # Neither the seed nor providers.md shows a tax; this is the Tax DTO of Fusebill's .NET wrapper.
        "taxes": [
            {"name": tax.name, "registrationCode": VAT_NUMBER, "percent": tax.percent, "total": tax.total}
            for tax in invoice.taxes
        ],
        "totalDiscount": invoice.total_discount,
        "paymentSchedules": [
            {
                "dueDateTimestamp": _when(schedule.due),
                "status": schedule.status,
                "amount": schedule.amount,
                "outstandingBalance": schedule.outstanding,
                "daysDueAfterTerm": schedule.days_due_after_term,
            }
            for schedule in invoice.schedules
        ],
        "notes": invoice.notes,
        "customerReferenceValue": customer.fusebill_reference,
        "openingArBalance": invoice.opening_ar,
        "closingArBalance": invoice.closing_ar,
        "invoiceInMemoryOnly": False,
        "invoiceRevisions": [],
        "id": invoice.id,
        "uri": f"{base}Invoices/{invoice.id}",
    }


def _charge(invoice, position, charge, base):
    charge_id = invoice.id * 100 + position  # unique: no invoice has a hundred charges
    end = invoice.effective + datetime.timedelta(charge.period_days)
    discount = None
    if charge.discount_pct:
        # The shape of the discount DTO in Fusebill's own .NET API wrapper.
        discount = {
            "configuredDiscountAmount": charge.discount_pct,
            "amount": charge.discount,
            "discountType": "Percentage",
            "effectiveTimestamp": _when(invoice.effective),
            "description": f"Kampanj {charge.discount_pct} %",
        }
    product_id = invoice.customer_id * 100 + charge.product_id % 100  # one subscription product per customer
    return {
        "quantity": charge.quantity,
        "unitPrice": charge.unit_price,
        "amount": charge.amount,
        "name": charge.name,
        "description": None,
        "glCode": charge.gl_code,
        "effectiveTimestamp": _when(invoice.effective),
        "proratedUnitPrice": None,
        "startServiceDate": _when(invoice.effective),
        "endServiceDate": _when(end),
        "rangeQuantity": None,
        "isReversable": True,
        "discount": discount,
        "discounts": [discount] if discount else [],
        "subscriptionProduct": (
            {"id": product_id, "uri": f"{base}subscriptionProducts/{product_id}"} if charge.period_days else None
        ),
        "purchase": None if charge.period_days else {"id": charge_id, "uri": f"{base}Purchases/{charge_id}"},
        "chargeTiers": [
            {"label": tier.label, "quantity": tier.quantity, "unitPrice": tier.unit_price, "amount": tier.amount}
            for tier in charge.tiers
        ],
        "id": charge_id,
        "uri": None,
    }


def _address_preference(customer):
    address = {
        "companyName": customer.name if customer.is_company else None,
        "line1": customer.street,
        "line2": None,
        "countryId": 752,
        "country": "Sweden",
        "stateId": None,
        "state": None,
        "city": customer.city,
        "postalZip": customer.zip_code,
        "addressType": "Billing",
        "id": 0,
        "uri": None,
    }
    return {
        "contactName": customer.contact or customer.name,
        "shippingInstructions": None,
        "useBillingAddressAsShippingAddress": True,
        "billingAddress": address,
        "shippingAddress": None,
        "id": 0,
        "uri": None,
    }


def _when(moment):
    """UTC without a zone, whole seconds: 2017-06-12T19:48:51."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


# The documentation example ---------------------------------------------------------


class _Example:
    """One invoice of the documentation example, readable by the same filters as the world's."""

    def __init__(self, position, raw):
        self.position = position
        self.raw = raw
        self.id = raw["id"]
        self.number = raw["invoiceNumber"]
        self.posted = _timestamp(raw["postedTimestamp"])
        self.effective = _timestamp(raw["effectiveTimestamp"])
        self.created = self.posted  # the example does not show it
        self.opening_ar = Decimal(raw["openingArBalance"])
        self.closing_ar = Decimal(raw["closingArBalance"])
        self.installments = len(raw["paymentSchedules"])
        self.po_number = raw["poNumber"]
        self.invoice_amount = Decimal(raw["invoiceAmount"])
        self.outstanding = Decimal(raw["outstandingBalance"])


@functools.cache
def _example_bytes(filename):
    return (EXAMPLES_DIR / filename).read_bytes()


@functools.cache
def _examples():
    # parse_float=Decimal keeps 37.714285 exactly as written when it is served again.
    raw = json.loads(_example_bytes(EXAMPLE_INVOICES), parse_float=Decimal)
    return tuple(_Example(position, invoice) for position, invoice in enumerate(raw))


# JSON and errors -----------------------------------------------------------------


def to_json(value):
    """JSON text with Decimal written as a number, digit for digit (json.dumps only knows floats)."""
    out = []
    _write(value, out.append)
    return "".join(out)


def _write(value, emit):
    if value is None:
        emit("null")
    elif value is True or value is False:
        emit("true" if value else "false")
    elif isinstance(value, str):
        emit(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        emit(_number(value))
    elif isinstance(value, int):
        emit(str(value))
    elif isinstance(value, dict):
        emit("{")
        for index, (key, item) in enumerate(value.items()):
            emit(f"{',' if index else ''}{json.dumps(key)}:")
            _write(item, emit)
        emit("}")
    elif isinstance(value, (list, tuple)):
        emit("[")
        for index, item in enumerate(value):
            if index:
                emit(",")
            _write(item, emit)
        emit("]")
    else:
        raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def _number(value):
    if not value.is_finite():
        raise ValueError("JSON has no NaN or infinity")
    if not value:
        return "0"
    return format(value.normalize(), "f")  # 264.00 -> 264, 37.714285 stays


def _json_response(data, headers=None, status=200, body=None):
    response = HttpResponse(
        body if body is not None else to_json(data), status=status, content_type="application/json; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = str(value)
    return response


def _error(status, message):
    body = {"ErrorId": 0, "HttpStatusCode": status, "Errors": [{"Key": "Api Error", "Value": message}]}
    return _json_response(body, status=status)


# PDF -------------------------------------------------------------------------------


def _pdf_lines(number, name, posted, amount, outstanding, currency):
    amount, outstanding = Decimal(amount), Decimal(outstanding)
    return (
        ACCOUNT_NAME,
        f"Invoice {number}",
        f"Customer: {name}",
        f"Posted: {posted.date().isoformat()}",
        f"Amount: {amount:.2f} {currency}",
        f"Outstanding: {outstanding:.2f} {currency}",
    )


def pdf_document(lines):
    """A one-page PDF 1.4 with the lines in Helvetica, built by hand with exact xref offsets."""
    text = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    text += [f"({_pdf_text(line)}) Tj T*" for line in lines]
    text.append("ET")
    stream = "\n".join(text).encode("cp1252", errors="replace")
    objects = (
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    )
    # The binary comment line tells transfer tools the file is not text.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_text(line):
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
