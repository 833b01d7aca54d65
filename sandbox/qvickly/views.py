"""The Qvickly endpoint: authentication, the signed envelope, errors in both shapes, faults.

Every body it sends is PHP's json_encode text (wire.py), as the real server's are: a
client that verifies the hash over anything but that text finds out here.
"""

import hmac
import itertools
import json

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults, readings
from sandbox.qvickly.functions import QvicklyError, UnsignedQvicklyError, dispatch
from sandbox.qvickly.wire import php_json, sign
from sandbox.world import QVICKLY_MERCHANTS

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
        return _refusal(failure, language, QVICKLY_MERCHANTS.get(str(credentials.get("id"))))
    logid = next(_logids)
    try:
        data = dispatch(body.get("function"), body.get("data"), logid)
    except UnsignedQvicklyError as error:
        return _top_level_error(error.code, language)
    except QvicklyError as error:
        data = {"code": error.code, "message": _message(error.code, language, **error.params), "logid": str(logid)}
    return _reply({"credentials": {"hash": sign(data, secret), "logid": logid}, "data": data})


def _refusal(code, language, merchant_secret):
    """A request that failed authentication: the unsigned top-level error, or (one
    reading) the wrapped error signed with the merchant's real secret, which a
    client holding a wrong one cannot verify."""
    if merchant_secret is None or readings.current("qvickly_auth_error") == "unsigned":
        return _top_level_error(code, language)
    logid = next(_logids)
    data = {"code": code, "message": _message(code, language), "logid": str(logid)}
    return _reply({"credentials": {"hash": sign(data, merchant_secret), "logid": logid}, "data": data})


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
    return _reply({"code": code, "message": _message(code, language), "logid": str(next(_logids))})


def _reply(body):
    return HttpResponse(php_json(body), content_type="application/json")


def _message(code, language, **params):
    english, swedish = MESSAGES[code]
    text = (english if language == "en" else swedish).format(**params)
    if readings.current("qvickly_error_text") == "control":
        text = text[:1] + "\x00\x07" + text[1:]
    return text


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
    return _reply(reply)


def _rejected(fault, request, answer):
    """The real API's refusal of a merchant: unsigned, top level, HTTP 200."""
    body = _json_body(request)
    return _top_level_error("9013", _language(_credentials(body)) if body else "sv")


FAULT_REPLIES = {"bad_signature": _missigned, "reject_credentials": _rejected}
