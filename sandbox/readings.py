"""Which reading of the providers' documentation the emulators play.

Where the documentation is silent or contradicts itself, the client takes the
safe reading, and tests prove it against each one the emulators can play:

    POST sandbox/readings/   {"qvickly_pno_match": "strict"}   sets one or more
    GET sandbox/readings/    every reading, its value and the values it takes
    DELETE sandbox/readings/ back to the defaults

Readings live in memory in the process serving the sandbox, like faults. The
demo runs on the defaults.
"""

import json
import threading

from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

# name -> (the default, then the other values the emulators can play), each a
# reading the documentation allows, named in docs/providers.md.
READINGS: dict[str, tuple[str, ...]] = {
    # Fusebill documents X-Rate-Limit-Reset-Minute and -Day as a "Timestamp" and no
    # more: epoch seconds, epoch milliseconds, ISO 8601 (UTC without a zone, as
    # Fusebill writes its times) or the seconds left until the reset.
    "fusebill_reset_format": ("epoch_seconds", "epoch_milliseconds", "iso8601", "seconds_until_reset"),
    # X-Count: documented as the total that match the search; read by some as the
    # length of the page at hand.
    "fusebill_count": ("matching", "page"),
    # X-MaxPageIndex: documented as the total number of pages; clients use it as
    # the last 0-based page index.
    "fusebill_max_page_index": ("page_count", "last_index"),
    # The largest page Fusebill serves: documented as never below 1,000, but a
    # deployment may cut pageSize further (X-PageSize tells).
    "fusebill_max_page_size": ("1000", "50"),
    # Qvickly, which written form of a number getInvoicesByPno matches: any, only
    # the stored 10-digit form (YYMMDDNNNN, + kept from the 100th birthday), or
    # only that form with its separator as the replies write it (YYMMDD-NNNN); or
    # any, while every other written form is refused as invalid (9016).
    "qvickly_pno_match": ("any", "strict", "dashed", "ten_digits"),
    # Qvickly, what getInvoicesByPno's "Sent,Paid" returns: every invoice, open ones
    # too, or only the settled ones (paid, cancelled, credited), as its docs read.
    "qvickly_sent_paid": ("all", "paid_or_cancelled"),
    # Qvickly, the topay of a summary row once the invoice is settled: the invoiced
    # total (cancelled rows say 0.00, as in the docs' example), or 0.00 for paid ones too.
    "qvickly_settled_topay": ("total", "zero"),
    # Qvickly, the links in its data (fileurl, PaymentData.url): https, or script and
    # data: links a compromised or spoofed upstream could send, signed all the same.
    "qvickly_links": ("https", "script"),
    # Qvickly, what getDuePayments' dueDate means: the day the list of what is past due
    # is as of, or the earliest due date listed (the docs' example asks 2020-01-01 and
    # lists invoices due 2020-01-18 and 2020-02-04), at most about three months back.
    "qvickly_due_date": ("as_of", "since"),
    # Qvickly, what getInvoicesByPno answers for a number it does not hold: the
    # signed 8010/8011, a signed empty list, or the unsigned top-level 8010.
    "qvickly_unknown_pno": ("code", "empty", "unsigned"),
    # Qvickly, how a request signed with a wrong secret is refused: unsigned at the
    # top level, or wrapped and signed with the merchant's real secret.
    "qvickly_auth_error": ("unsigned", "signed"),
    # Qvickly, its error messages: plain text, or with NUL and BEL in them (signed
    # all the same), which no page, log or database may get.
    "qvickly_error_text": ("plain", "control"),
}

_lock = threading.Lock()
_values: dict[str, str] = {}


def current(name: str) -> str:
    """The value a reading has now; KeyError for a reading nobody declared."""
    default = READINGS[name][0]
    with _lock:
        return _values.get(name, default)


def set_values(values: dict) -> None:
    """Sets every given reading, or none: ValueError names the first that is unknown or off."""
    for name, value in values.items():
        if name not in READINGS:
            raise ValueError(f"Unknown reading {name!r}; known: {', '.join(sorted(READINGS))}.")
        if value not in READINGS[name]:
            raise ValueError(f"{name} takes one of {', '.join(READINGS[name])}.")
    with _lock:
        _values.update(values)


def reset() -> None:
    with _lock:
        _values.clear()


@csrf_exempt
def control(request):
    if request.method == "GET":
        return JsonResponse({name: {"value": current(name), "values": values} for name, values in READINGS.items()})
    if request.method == "DELETE":
        reset()
        return HttpResponse(status=204)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST", "DELETE"])
    try:
        values = json.loads(request.body)
        if not isinstance(values, dict):
            raise ValueError("The body must be a JSON object.")
        set_values(values)
    except (ValueError, UnicodeDecodeError) as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({name: current(name) for name in READINGS})
