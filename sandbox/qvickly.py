"""Emulator of the Qvickly PaymentAPI, served from the generated world.

It speaks the wire protocol of docs/providers.md ("Qvickly PaymentAPI"): one
POST endpoint, `{"credentials", "data", "function"}` in, HMAC-signed replies
out, HTTP 200 even for errors. The reply shapes deliberately vary the way the
real API's documentation does (summary rows with string or int ids, full
payment objects, `fileurl` present or not), so the client meets every variant
it has to survive. Faults asked for at sandbox/faults/ (sandbox/faults.py)
replace or spoil the reply. Nothing here touches the database.
"""

import functools
import hmac
import itertools
import json
from pathlib import Path

from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from invoices.identity import InvalidIdentity, parse
from invoices.providers.qvickly import API_VERSION, sign
from sandbox import faults
from sandbox.world import QVICKLY_MERCHANTS, short_form, world

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

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
)

ACCOUNT_NAME = "Sandlådan Handel AB"
SERVICE_ID, MODULE_ID = 318004, 543210
# Links in replies point at a reserved domain: the docs warn that `fileurl`
# may be dead, and a sandbox must never send anyone to the real provider.
DOCUMENT_BASE = "https://documents.qvickly-sandbox.example"
SHOP_BASE = "https://shop.qvickly-sandbox.example"
NEVER = "0000-00-00 00:00:00"

MESSAGES = {
    "5201": ("Invoice number {number} does not exist.", "Fakturanummer {number} finns inte."),
    "6010": ("The hash does not exist.", "Hashen finns inte."),
    "7020": ("Customer number is empty.", "Kundnummer saknas."),
    "7022": ("Status is not correct.", "Status är inte korrekt."),
    "8010": ("Personal number not found.", "Personnumret hittades inte."),
    "8011": ("Organisation number not found.", "Organisationsnumret hittades inte."),
    "9001": ("The function does not exist.", "Funktionen finns inte."),
    "9003": ("Function is missing.", "Funktion saknas."),
    "9004": ("Mandatory parameter missing: {param}.", "Obligatorisk parameter saknas: {param}."),
    "9010": ("Missing id or hash.", "Id eller hash saknas."),
    "9013": ("Authentication failed.", "Autentisering misslyckades."),
    "9014": ("Personal number is required.", "Personnummer krävs."),
    "9016": ("Personal number is invalid.", "Personnumret är ogiltigt."),
}

_logids = itertools.count(7300001)  # next() on a count is atomic under the GIL


class QvicklyError(Exception):
    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@csrf_exempt
def api(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = _json_body(request)
    # Faults come before authentication: one for every account catches a wrong secret too.
    fault = faults.take("qvickly", _merchant_id(body))
    if fault is not None:
        return faults.reply(fault, request, lambda: _answer(body), FAULT_REPLIES)
    return _answer(body)


def _answer(body):
    """The reply to a request body (None: not a JSON object)."""
    if body is None:
        # Nothing to authenticate, so the unsigned top-level shape; 9003
        # ("function missing") because no function can be read from it.
        return _top_level_error("9003", "sv")
    credentials = _credentials(body)
    language = _language(credentials)
    secret, failure = _authenticate(credentials, body.get("data"))
    if failure:
        return _top_level_error(failure, language)
    logid = next(_logids)
    try:
        data = _dispatch(body.get("function"), body.get("data"), logid)
    except QvicklyError as error:
        data = {"code": error.code, "message": _message(error.code, language, **error.params), "logid": str(logid)}
    return JsonResponse({"credentials": {"hash": sign(data, secret), "logid": logid}, "data": data})


def _json_body(request):
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _credentials(body):
    return body["credentials"] if isinstance(body.get("credentials"), dict) else {}


def _language(credentials):
    return "en" if credentials.get("language") == "en" else "sv"


def _merchant_id(body):
    """The merchant id the request claims, as text; None when it claims none."""
    merchant_id = _credentials(body).get("id") if body else None
    return None if merchant_id in (None, "") else str(merchant_id)


def _authenticate(credentials, data):
    """(secret, None) for a known merchant and a good signature, else (None, code)."""
    merchant_id, given = credentials.get("id"), credentials.get("hash")
    if merchant_id in (None, "") or given in (None, ""):
        return None, "9010"
    secret = QVICKLY_MERCHANTS.get(str(merchant_id))
    if secret is None:
        return None, "9013"
    if not hmac.compare_digest(str(given).encode(), sign(data, secret).encode()):
        return None, "9013"
    return secret, None


def _top_level_error(code, language):
    return JsonResponse({"code": code, "message": _message(code, language), "logid": str(next(_logids))})


def _message(code, language, **params):
    english, swedish = MESSAGES[code]
    return (english if language == "en" else swedish).format(**params)


def _dispatch(function, data, logid):
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


# Faults ----------------------------------------------------------------------
# Timeouts, resets, truncated JSON, proxy pages, 5xx and 429 look the same as
# at any provider behind a gateway (sandbox/faults.py); only these are Qvickly's.

# Any key but the merchant's: a hash of the right length and form that does not verify.
WRONG_SECRET = "sandbox-not-the-merchant-secret"


def _missigned(fault, request, answer):
    """The normal reply with a hash that does not match its data.

    An unsigned top-level error (a wrong secret, say) has no hash to spoil and is sent as it is.
    """
    reply = json.loads(answer().content)
    if isinstance(reply.get("credentials"), dict):
        reply["credentials"]["hash"] = sign(reply["data"], WRONG_SECRET)
    return JsonResponse(reply)


def _rejected(fault, request, answer):
    """The real API's refusal of a merchant: unsigned, top level, HTTP 200."""
    body = _json_body(request)
    return _top_level_error("9013", _language(_credentials(body)) if body else "sv")


FAULT_REPLIES = {"bad_signature": _missigned, "reject_credentials": _rejected}


# Functions -------------------------------------------------------------------


def get_invoices_by_pno(data, logid):
    pno, status = _required(data, "pno"), _required(data, "status")
    if status not in ("Sent", "Sent,Paid"):
        raise QvicklyError("7022")
    if not pno:
        raise QvicklyError("9014")
    try:
        identity = parse(pno)
    except InvalidIdentity:
        raise QvicklyError("9016") from None
    customer = world().customer_by_identity(identity.number)
    if customer is None or customer.qvickly_number is None:
        raise QvicklyError("8011" if identity.is_company else "8010")
    invoices = world().qvickly_invoices_of(customer.identity)
    if status == "Sent":
        invoices = [invoice for invoice in invoices if invoice.is_open]
    return [summary_row(invoice, customer) for invoice in invoices]


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
        identity = parse(number)
    except InvalidIdentity:
        return None
    customer = world().customer_by_identity(identity.number) if identity.is_company else None
    return customer if customer is not None and customer.qvickly_number else None


def get_invoice_by_hash(data, logid):
    invoice = world().qvickly_invoice_by_hash(_required(data, "hash"))
    if invoice is None:
        raise QvicklyError("6010")
    return _single(invoice, logid)


def get_payment_info(data, logid):
    number = _required(data, "number")
    invoice = world().qvickly_invoice_by_number(number)
    if invoice is None:
        raise QvicklyError("5201", number=number)
    return _single(invoice, logid)


def _single(invoice, logid):
    """One full object with the extra top-level fields of the getInvoiceByHash page."""
    customer = world().customer_by_identity(invoice.identity)
    addresses = _all_addresses(customer)
    return {
        "apiLogsid": str(logid),
        **full_object(invoice, customer),
        "apiClient": "Sandbox:Webshop:1.0",
        "alladdresses": str(len(addresses) if addresses else 1),
        "apiVersion": API_VERSION,
    }


def get_account_info(data, logid):
    eid = next(iter(QVICKLY_MERCHANTS))
    return {"name": ACCOUNT_NAME, "eid": eid, "country": "SE", "currency": "SEK", "language": "sv", "test": "1"}


FUNCTIONS = {
    "getinvoicesbypno": get_invoices_by_pno,
    "getinvoicesbycustomer": get_invoices_by_customer,
    "getinvoicebyhash": get_invoice_by_hash,
    "getpaymentinfo": get_payment_info,
    "getaccountinfo": get_account_info,
}


# Reply shapes ------------------------------------------------------------------


def summary_row(invoice, customer):
    """A summary row; amounts in kronor.

    Even invoice numbers get the getInvoicesByPno page's types (string ids,
    "1000.00" amounts), odd ones the getInvoicesByCustomer page's (int ids,
    bare-number balance), so both show up in every listing.
    """
    number = int(invoice.number)
    as_text = number % 2 == 0
    topay = 0 if invoice.status == "Cancelled" else invoice.total_ore  # as in the docs' cancelled row
    ident = str if as_text else int
    row = {
        "status": _row_status(invoice),
        "name": customer.name,
        "invoicedate": invoice.invoice_date.isoformat(),
        "duedate": invoice.due_date.isoformat(),
        "topay": _kronor_text(topay),
        "invoiceid_real": ident(invoice.number),
        "fileurl": f"{DOCUMENT_BASE}/mexc/customerinvoices/{invoice.hash}.pdf",
        "balancedue": _kronor_text(invoice.balance_ore) if as_text else _kronor_number(invoice.balance_ore),
        "invoicetype": invoice.invoice_type,
        "distributor_status": invoice.distributor_status,
        "creditinvoiceid": ident(invoice.credits_number or ("" if as_text else 0)),
        "hash": invoice.hash,
        "mm3servicesid": ident(SERVICE_ID),
        "mexcModulesid": ident(MODULE_ID),
        "mexcCustomerinvoicesid": ident(_internal_id(invoice)),
    }
    if number % 3 == 0:
        del row["fileurl"]  # "The fileurl is not always present."
    return row


def _row_status(invoice):
    # The getInvoicesByCustomer page shows "Sent" for an unpaid invoice.
    if invoice.status in ("Created", "Handling") and int(invoice.number) % 4 == 1:
        return "Sent"
    return invoice.status


def full_object(invoice, customer):
    """A full payment object; amounts are öre in strings."""
    return {
        "Cart": {
            "Handling": {"withouttax": "0", "taxrate": "25"},
            "Shipping": {"withouttax": "0", "taxrate": "25"},
            "Total": {
                "rounding": "0",
                "withouttax": str(invoice.net_ore),
                "tax": str(invoice.vat_ore),
                "withtax": str(invoice.total_ore),
            },
        },
        "PaymentData": _payment_data(invoice, customer),
        "Customer": _customer(customer),
        "Articles": [_article(article) for article in invoice.articles],
        "PaymentInfo": {
            "paymentdate": invoice.invoice_date.isoformat(),
            "paymentterms": str((invoice.due_date - invoice.invoice_date).days),
            "yourreference": customer.contact,
            "ourreference": "",
            "projectname": "",
            "deliverymethod": "",
            "deliveryterms": "",
            "invoiceStatus": invoice.distributor_status,
            "balancedue": str(invoice.balance_ore),
        },
    }


def _payment_data(invoice, customer):
    return {
        "method": invoice.payment_method,
        "currency": invoice.currency,
        "country": "SE",
        "language": "sv",
        "autoactivate": "0",
        "orderid": str(int(invoice.number) + 300000),
        "status": invoice.status,
        "paymentid_related": invoice.credits_number,
        "accepturl": f"{SHOP_BASE}/accept",
        "cancelurl": f"{SHOP_BASE}/cancel",
        "returnmethod": "",
        "callbackurl": f"{SHOP_BASE}/callback",
        "alladdresses": _all_addresses(customer) or "",
        "url": f"{DOCUMENT_BASE}/invoice/{next(iter(QVICKLY_MERCHANTS))}/{invoice.hash}",
        "mexcCustomerinvoicesid": str(_internal_id(invoice)),
        "number": invoice.number,
        "duedate": invoice.due_date.isoformat(),
        "paiddate": _paid_at(invoice),
    }


def _customer(customer):
    first, _, last = (customer.contact or customer.name).partition(" ")
    billing = {
        "firstname": first,
        "lastname": last,
        "type": "company" if customer.is_company else "person",
        "street": customer.street,
        "street2": "",
        "zip": customer.zip_code,
        "city": customer.city,
        "country": "SE",
        "phone": customer.phone,
        "email": customer.email,
    }
    if customer.is_company:
        billing["company"] = customer.name
    shipping = {key: "" for key in ("firstname", "lastname", "street", "street2", "zip", "city", "country", "phone")}
    shipping["type"] = billing["type"]
    signer = customer.signer_identity[2:] if customer.signer_identity else ""
    return {
        "nr": customer.qvickly_number or "",
        "pno": short_form(customer.identity),
        "Billing": billing,
        "Shipping": shipping,
        "companySigner": {"pno": signer},
    }


def _all_addresses(customer):
    """Companies get the address list, persons the empty string: the docs show both."""
    if not customer.is_company:
        return []
    return [
        {
            "street": customer.street,
            "city": customer.city,
            "country": "SE",
            "phone": "",
            "company": customer.name,
            "zip": customer.zip_code,
            "email": customer.email,
            "type": "company",
        }
    ]


def _article(article):
    return {
        "artnr": article.artnr,
        "title": article.title,
        "quantity": article.quantity,
        "aprice": str(article.aprice_ore),
        "discount": str(article.discount_pct),
        "withouttax": str(article.net_ore),
        "taxrate": str(article.vat_rate),
    }


def _paid_at(invoice):
    if invoice.paid_date is None:
        return NEVER
    n = int(invoice.number)  # a stable time of day, so replies never change
    return f"{invoice.paid_date.isoformat()} {8 + n % 10:02d}:{n % 60:02d}:{n * 7 % 60:02d}"


def _internal_id(invoice):
    return 1000000 + int(invoice.number)


def _kronor_text(ore):
    minus = "-" if ore < 0 else ""
    return f"{minus}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def _kronor_number(ore):
    """A bare JSON number: 1000 for whole kronor, 1000.5 otherwise."""
    return ore // 100 if ore % 100 == 0 else round(ore / 100, 2)
