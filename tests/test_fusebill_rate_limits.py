"""The Fusebill client waiting out a rate limit, over real HTTP against the emulator.

Fusebill documents its reset headers as a "Timestamp" and no more
(providers.md, "Rate limits"); the emulator plays each form it may take
(sandbox/readings.py, fusebill_reset_format). The throttled key allows two
requests a window of two seconds, so these tests really wait.
"""

import time

import pytest
import requests

from invoices.providers import ProviderError
from sandbox.world import FUSEBILL_KEYS
from tests.conftest import fusebill_key

THROTTLED = fusebill_key("throttled")
LIMITS = FUSEBILL_KEYS[THROTTLED]
FORMS = ["epoch_seconds", "epoch_milliseconds", "iso8601", "seconds_until_reset"]
# Every form but milliseconds names a whole second, rounded up: the wait may end
# up to a second after the window really resets, plus the time the calls take.
ROUNDING_AND_LATENCY = 1.5


def call_with_the_throttled_key(sandbox_url):
    headers = {"Authorization": f"Basic {THROTTLED}", "Accept": "application/json"}
    return requests.get(sandbox_url + "fusebill/v1/customers", params={"pageSize": 1}, headers=headers, timeout=5)


def spend_a_fresh_window(sandbox_url):
    """Opens a new window of the throttled key and uses it up; returns when it opened
    (time.monotonic()), so the test knows when it resets."""
    deadline = time.monotonic() + 2 * LIMITS.window_seconds + 2
    while time.monotonic() < deadline:
        sent = time.monotonic()
        response = call_with_the_throttled_key(sandbox_url)
        if response.status_code == 200 and response.headers["X-Rate-Limit-Remaining-Minute"] == str(
            LIMITS.per_window - 1
        ):
            for _ in range(LIMITS.per_window - 1):
                assert call_with_the_throttled_key(sandbox_url).status_code == 200
            return sent
        time.sleep(0.05)
    pytest.fail("the throttled key's window never reset")


@pytest.fixture
def throttled_client(fusebill_account):
    fusebill_account.secret = THROTTLED
    return fusebill_account.client()


@pytest.mark.slow
def test_a_rate_limited_call_waits_once_until_just_after_the_reset_whatever_form_it_is_told_in(
    sandbox_url, reading, throttled_client, settings
):
    settings.PROVIDER_RETRIES = 1  # one wait, so it has to be the right one
    opened = spend_a_fresh_window(sandbox_url)
    for form in FORMS:
        reading(fusebill_reset_format=form)
        reset = opened + LIMITS.window_seconds

        # Refused with a 429 first, then answered: the emulator answers only once the
        # window has reset, and with one retry the first wait had to reach it.
        assert throttled_client.account_info()["customers"], form
        finished = time.monotonic()

        assert finished <= reset + ROUNDING_AND_LATENCY, form  # and not much later
        # That answer opened the next window, at the latest when it arrived: use up the rest.
        opened = finished
        for _ in range(LIMITS.per_window - 1):
            assert call_with_the_throttled_key(sandbox_url).status_code == 200


@pytest.mark.slow
def test_a_reset_further_off_than_the_cap_is_waited_only_as_long_as_the_cap(sandbox_url, throttled_client, settings):
    # A cap below the two seconds to the reset: any reset past it is absurd to this client.
    settings.PROVIDER_RATE_LIMIT_MAX_WAIT = 0.3
    settings.PROVIDER_RETRIES = 1
    spend_a_fresh_window(sandbox_url)

    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        throttled_client.account_info()
    waited = time.monotonic() - started

    assert caught.value.code == "429" and not caught.value.permanent
    assert 0.3 <= waited < 1.0  # one capped wait and one retry, not the sleep to the reset
