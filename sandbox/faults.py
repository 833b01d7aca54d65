"""Faults on demand in the provider emulators: timeouts, rate limits, garbage, outages.

Staff-facing code has to survive providers that misbehave, so tests (and people
trying the demo) can ask either emulator to misbehave over HTTP:

    POST sandbox/faults/  {"provider": "fusebill", "fault": "http_503", "times": 2}
    GET sandbox/faults/   the faults still active
    DELETE sandbox/faults/  clears them all

A fault applies to every request of its provider, or only to one account's
(Qvickly merchant id, Fusebill API key), before any authentication: a fault for
every account also catches a wrong key. `after` lets that many matching requests
through first (how "fail in the middle of a paged listing" is done), `times`
limits how many it catches. Faults live in memory, in the process serving the
sandbox, behind a lock: both servers (the tests' and runserver) are threaded.

This module keeps the registry; sandbox/fault_replies.py the replies that look
alike at both providers. Each emulator supplies its own version of the rest
(its error bodies, its credentials failure).
"""

import dataclasses
import itertools
import json
import threading
from dataclasses import dataclass

from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox.fault_replies import COMMON_REPLIES, HTTP_STATUSES  # noqa: F401  (the emulators' too)

COMMON = (
    "timeout",
    "slow",
    "reset",
    "http_500",
    "http_502",
    "http_503",
    "rate_limit",
    "malformed_json",
    "html_error",
    "reject_credentials",
    "redirect",
    "trickle",
    "deep_json",
)
# Only Qvickly signs its replies, so only Qvickly can sign one wrongly; control
# characters inside Fusebill's unsigned JSON arrive as they are.
FAULTS = {"qvickly": (*COMMON, "bad_signature"), "fusebill": (*COMMON, "control_characters")}
# timeout and slow: seconds before the reply; trickle: seconds between its bytes.
DEFAULT_DELAYS = {"timeout": 5.0, "slow": 1.0, "trickle": 0.05}
DEFAULT_HTML_STATUS = 502
# A sleeping fault holds a server thread; beyond this it would only wedge the demo.
MAX_DELAY = 120.0
FIELDS = ("provider", "fault", "account", "times", "after", "delay", "status")


class InvalidFault(ValueError):
    """A fault the emulators cannot produce; the message says why, for the 400 reply."""


@dataclass
class Fault:
    id: int
    provider: str
    fault: str
    account: str | None  # None: every account of the provider
    times: int | None  # None: until cleared
    after: int
    delay: float | None  # timeout and slow only
    status: int | None  # html_error only
    passed: int = 0  # matching requests let through while `after` lasted
    used: int = 0  # requests this fault has answered

    def matches(self, provider, account):
        return self.provider == provider and (self.account is None or self.account == account)

    def as_json(self):
        return dataclasses.asdict(self)


_lock = threading.Lock()
_faults = []
_ids = itertools.count(1)


# The registry ----------------------------------------------------------------------


def add(provider, fault, account=None, times=None, after=None, delay=None, status=None):
    """Stores a fault and returns it; InvalidFault for anything the emulators cannot produce."""
    if not isinstance(provider, str) or provider not in FAULTS:
        raise InvalidFault(f"provider must be one of {', '.join(FAULTS)}.")
    if not isinstance(fault, str) or fault not in FAULTS[provider]:
        raise InvalidFault(f"fault must be one of {', '.join(FAULTS[provider])} for {provider}.")
    if delay is not None and fault not in DEFAULT_DELAYS:
        raise InvalidFault("delay applies only to timeout, slow and trickle.")
    if status is not None and fault != "html_error":
        raise InvalidFault("status applies only to html_error.")
    stored = Fault(
        id=0,
        provider=provider,
        fault=fault,
        account=_account(account),
        times=_count(times, "times", minimum=1),
        after=_count(after, "after", minimum=0) or 0,
        delay=_delay(delay, DEFAULT_DELAYS.get(fault)),
        status=_status(status) if fault == "html_error" else None,
    )
    with _lock:
        stored.id = next(_ids)
        _faults.append(stored)
    return stored


def _account(value):
    # Qvickly's docs show the merchant id as a string and as a number: either matches.
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise InvalidFault("account must be a merchant id or an API key.")
    return str(value).strip()


def _count(value, name, minimum):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidFault(f"{name} must be a whole number of at least {minimum}.")
    return value


def _delay(value, default):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_DELAY:
        raise InvalidFault(f"delay must be a number of seconds from 0 to {MAX_DELAY:g}.")
    return float(value)


def _status(value):
    if value is None:
        return DEFAULT_HTML_STATUS
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise InvalidFault("status must be an HTTP error status, 400 to 599.")
    return value


def clear():
    with _lock:
        _faults.clear()


def active():
    """Snapshots of the faults still active, oldest first."""
    with _lock:
        return [dataclasses.replace(fault) for fault in _faults]


def take(provider, account):
    """The fault that answers this request, if any, with one use consumed.

    Every matching fault still in its `after` allowance counts the request,
    whichever fault answers it: `after` counts the requests sent, not the ones
    that got through. The oldest fault past its allowance answers; a fault that
    has used up its `times` is removed.
    """
    with _lock:
        chosen = None
        for fault in _faults:
            if not fault.matches(provider, account):
                continue
            if fault.passed < fault.after:
                fault.passed += 1
            elif chosen is None:
                chosen = fault
        if chosen is not None:
            chosen.used += 1
            if chosen.times is not None and chosen.used >= chosen.times:
                _faults.remove(chosen)
        return chosen


# The control endpoint ----------------------------------------------------------------


@csrf_exempt
def control(request):
    if request.method == "GET":
        return JsonResponse([fault.as_json() for fault in active()], safe=False)
    if request.method == "DELETE":
        clear()
        return HttpResponse(status=204)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST", "DELETE"])
    try:
        fields = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _refusal("The body must be a JSON object.")
    if not isinstance(fields, dict):
        return _refusal("The body must be a JSON object.")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        # A misspelt "times" would otherwise mean "until cleared".
        return _refusal(f"Unknown field {unknown[0]!r}; known fields: {', '.join(FIELDS)}.")
    try:
        fault = add(**fields)
    except TypeError:
        return _refusal("provider and fault are required.")
    except InvalidFault as error:
        return _refusal(str(error))
    return JsonResponse(fault.as_json(), status=201)


def _refusal(message):
    return JsonResponse({"error": message}, status=400)


# Replies ------------------------------------------------------------------------------


def reply(fault, request, answer, own):
    """The reply to a request that `fault` caught.

    `answer()` gives the emulator's normal reply. `own` maps fault names to the
    provider's version of that fault, called as (fault, request, answer); the
    rest come from COMMON_REPLIES.
    """
    make = own.get(fault.fault) or COMMON_REPLIES[fault.fault]
    return make(fault, request, answer)
