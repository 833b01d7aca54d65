"""Fusebill's rate limits: a quota per minute and per day for each key, told in headers."""

import math
import threading
import time

from sandbox.world import FusebillKey

DAY_SECONDS = 86400


class RateLimiter:
    """Fixed windows per key, counted in memory. The lock: the test server is threaded."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.windows = {}  # key -> [window start, count, day start, day count]

    def take(self, key: str, limits: FusebillKey) -> tuple[bool, dict[str, int]]:
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
