"""The Fusebill API's one view: authentication, rate limit, routing, and the endpoints."""

import re

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults
from sandbox.fusebill.auth import authenticate, presented_key
from sandbox.fusebill.examples import BAD_QUERY, EXAMPLE_CUSTOMER_ID, EXAMPLE_INVOICES, example_bytes, examples
from sandbox.fusebill.listing import CUSTOMER_FIELDS, CUSTOMER_SORTS, INVOICE_FIELDS, INVOICE_SORTS, boolean, listing
from sandbox.fusebill.pdf import pdf_document, pdf_lines
from sandbox.fusebill.ratelimit import DAY_SECONDS, limiter
from sandbox.fusebill.shapes import customer_json, example_customer, invoice_json
from sandbox.fusebill.wire import BadQuery, FusebillError, error, json_response
from sandbox.world import FUSEBILL_KEYS, world


@csrf_exempt
def api(request, path):
    # Faults come before authentication: one for every account catches a wrong key too.
    fault = faults.take("fusebill", presented_key(request))
    if fault is not None:
        return faults.reply(fault, request, lambda: _answer(request, path), FAULT_REPLIES)
    return _answer(request, path)


def _answer(request, path):
    key, refusal = authenticate(request)
    if refusal is not None:
        return refusal
    allowed, rate_headers = limiter.take(key, FUSEBILL_KEYS[key])
    if not allowed:
        response = error(429, "API calls quota exceeded; wait for the rate limit to reset.")
    elif request.method != "GET":
        response = error(405, f"The requested resource does not support http method '{request.method}'.")
        response["Allow"] = "GET"
    else:
        response = _dispatch(request, path)
    for name, value in rate_headers.items():
        response[name] = str(value)
    return response


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
        return HttpResponse(example_bytes(BAD_QUERY), status=400, content_type="application/json; charset=utf-8")
    except FusebillError as problem:
        return error(problem.status, problem.message)


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
    return error(status, FAULT_MESSAGES[status])


def _rate_limited(fault, request, answer):
    """429 with the minute's quota spent and back in a second; the day's quota untouched.

    The reset is always written as seconds until it, whatever the reading: this
    fault stands for "one second", where the rate limiter's own 429s play every
    form of the reset header.
    """
    # A key Fusebill never issued gets the first key's limits: there is no better guess.
    limits = FUSEBILL_KEYS.get(presented_key(request)) or next(iter(FUSEBILL_KEYS.values()))
    response = error(429, "API calls quota exceeded; wait for the rate limit to reset.")
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
    return error(401, "Authorization has been denied for this request.")


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
    customers.append(example_customer(base))
    page, headers = listing(request, customers, CUSTOMER_FIELDS, CUSTOMER_SORTS, ("id", "Ascending"))
    return json_response(page, headers)


def get_customer(request, base, customer_id):
    if customer_id == EXAMPLE_CUSTOMER_ID:
        return json_response(example_customer(base))
    customer = world().customer_by_fusebill_id(customer_id)
    if customer is None:
        raise FusebillError(404, f"Customer {customer_id} was not found.")
    return json_response(customer_json(customer, base))


def list_invoices(request, base, customer_id):
    show_zero = boolean(request, "showZeroDollarCharges") or boolean(request, "showTrackedItems")
    if customer_id == EXAMPLE_CUSTOMER_ID:
        invoices = list(examples())
        page, headers = listing(request, invoices, INVOICE_FIELDS, INVOICE_SORTS, ("postedTimestamp", "Descending"))
        if [e.position for e in page] == list(range(len(invoices))):
            return json_response(None, headers, body=example_bytes(EXAMPLE_INVOICES))
        return json_response([e.raw for e in page], headers)
    customer = world().customer_by_fusebill_id(customer_id)
    if customer is None:
        raise FusebillError(404, f"Customer {customer_id} was not found.")
    invoices = list(world().fusebill_invoices_of(customer_id))
    page, headers = listing(request, invoices, INVOICE_FIELDS, INVOICE_SORTS, ("postedTimestamp", "Descending"))
    return json_response([invoice_json(i, customer, base, show_zero) for i in page], headers)


def get_invoice(request, base, invoice_id):
    example = next((e for e in examples() if e.id == invoice_id), None)
    if example is not None:
        return json_response(example.raw)
    invoice, customer = _invoice(invoice_id)
    return json_response(invoice_json(invoice, customer, base, show_zero=True))


def invoice_pdf(request, base, invoice_id):
    example = next((e for e in examples() if e.id == invoice_id), None)
    if example is not None:
        raw = example.raw
        name = " ".join(raw["invoiceCustomer"][k] for k in ("firstName", "lastName"))
        facts = (raw["invoiceNumber"], name, example.posted, raw["invoiceAmount"], raw["outstandingBalance"])
        number, body = raw["invoiceNumber"], pdf_document(pdf_lines(*facts, raw["invoiceCustomer"]["currency"]))
    else:
        invoice, customer = _invoice(invoice_id)
        facts = (invoice.number, customer.name, invoice.posted, invoice.invoice_amount, invoice.outstanding)
        number, body = invoice.number, pdf_document(pdf_lines(*facts, invoice.currency))
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
