"""Fusebill's rate limits: a quota per minute and per day for each key, told in headers.

The reset headers are documented as a "Timestamp" with no format; the reading
`fusebill_reset_format` (sandbox/readings.py) picks the one written, epoch
seconds by default.
"""

import datetime
import math
import threading
import time

from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox import readings
from sandbox.world import FusebillKey

DAY_SECONDS = 86400


class RateLimiter:
    """Fixed windows per key, counted in memory. The lock: the test server is threaded."""

    def __init__(self, clock=time.monotonic, wall=time.time):
        self.clock = clock  # measures the windows
        self.wall = wall  # dates their resets
        self.lock = threading.Lock()
        self.windows = {}  # key -> [window start, count, day start, day count]
        # Per key name, for the usage endpoint: requests that arrived in the current
        # window (refused ones too), the most that ever arrived in one, and refusals.
        self.usage = {}  # name -> {"window": n, "peak": n, "refused": n}

    def take(self, key: str, limits: FusebillKey) -> tuple[bool, dict[str, int | str]]:
        """Counts one request if the key has any left: (allowed, the rate-limit headers)."""
        now = self.clock()
        with self.lock:
            window = self.windows.setdefault(key, [now, 0, now, 0])
            usage = self.usage.setdefault(limits.name, {"window": 0, "peak": 0, "refused": 0})
            if now - window[0] >= limits.window_seconds:
                window[0:2] = [now, 0]
                usage["window"] = 0
            if now - window[2] >= DAY_SECONDS:
                window[2:4] = [now, 0]
            allowed = window[1] < limits.per_window and window[3] < limits.per_day
            usage["window"] += 1
            usage["peak"] = max(usage["peak"], usage["window"])
            if allowed:
                window[1] += 1
                window[3] += 1
            else:
                usage["refused"] += 1
            start, used, day_start, used_today = window
        form, wall = readings.current("fusebill_reset_format"), self.wall()
        return allowed, {
            "X-Rate-Limit-Limit-Minute": limits.per_window,
            "X-Rate-Limit-Remaining-Minute": limits.per_window - used,
            "X-Rate-Limit-Reset-Minute": reset_header(start + limits.window_seconds - now, form, wall),
            "X-Rate-Limit-Limit-Day": limits.per_day,
            "X-Rate-Limit-Remaining-Day": limits.per_day - used_today,
            "X-Rate-Limit-Reset-Day": reset_header(day_start + DAY_SECONDS - now, form, wall),
        }


@csrf_exempt
def usage(request):
    """GET: per key name, the most requests that arrived in one window and how many
    were refused with 429; DELETE: start counting afresh. Neither changes the limits
    or the windows themselves."""
    if request.method == "DELETE":
        with limiter.lock:
            limiter.usage.clear()
        return JsonResponse({})
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "DELETE"])
    with limiter.lock:
        return JsonResponse({name: dict(counts) for name, counts in limiter.usage.items()})


def reset_header(seconds_left: float, form: str, wall: float) -> int | str:
    """When a window resets, written in one of the forms the docs allow.

    Every form is rounded up: waiting until the moment it says always reaches
    the new window.
    """
    if form == "seconds_until_reset":
        return math.ceil(seconds_left)
    moment = wall + seconds_left
    if form == "epoch_milliseconds":
        return math.ceil(moment * 1000)
    if form == "iso8601":
        # As Fusebill writes every time: UTC, whole seconds, no zone.
        return datetime.datetime.fromtimestamp(math.ceil(moment), datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return math.ceil(moment)


limiter = RateLimiter()
