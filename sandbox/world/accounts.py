"""The credentials the emulators accept: Qvickly merchants and Fusebill API keys."""

from typing import NamedTuple

# EID -> secret. The single source of truth for the emulator and for the demo
# setup that configures an account talking to it.
QVICKLY_MERCHANTS = {"17001": "sandbox-qvickly-5ecret-17001"}


class FusebillKey(NamedTuple):
    name: str
    per_window: int  # requests allowed in one rate-limit window (the "-Minute" headers)
    window_seconds: int
    per_day: int


# Fusebill API key (base64, as Fusebill issues them) -> its rate limits. The
# single source of truth for the emulator, the demo setup and the tests. The
# live key has a real account's limits; the throttled one runs out after two
# requests and recovers two seconds later, so tests of 429 handling are quick.
FUSEBILL_KEYS = {
    "MDpkYjg4OGZhY2E1ODQ2ZjY4NmFmNmU2ZDA0YjkzZmM1MmVmYWVkY2Q5": FusebillKey("live", 1000, 60, 180_000),
    "MDozOGI4NzIyMTRiODljYmU2OWQ2MzUzMTNjYmM0YzU0Zjg3ZTliMzZk": FusebillKey("throttled", 2, 2, 5_000),
}
