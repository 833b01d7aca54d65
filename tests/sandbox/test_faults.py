"""Faults on demand in both emulators, over real HTTP.

Faults are asked for at sandbox/faults/ and provoked with raw `requests`, as
staff-facing code would meet them. No test here uses the database. Delays are
short (a 1 s "timeout" against a 0.3 s read timeout) to keep the file fast.
"""

import json
import time

import pytest
import requests

from sandbox import faults
from sandbox.qvickly.wire import php_json, sign
from sandbox.world import FUSEBILL_KEYS, QVICKLY_MERCHANTS, world

EID, SECRET = next(iter(QVICKLY_MERCHANTS.items()))
LIVE_KEY = next(key for key, limits in FUSEBILL_KEYS.items() if limits.name == "live")
# Well-formed, but never issued: the emulator answers 401.
WRONG_KEY = "MDpub3QtYS1rZXktZnVzZWJpbGwtZXZlci1pc3N1ZWQ="
UNKNOWN_EID = "99999"
DROPPED = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


@pytest.fixture(autouse=True)
def no_faults_left(sandbox_url):
    yield
    assert requests.delete(sandbox_url + "faults/", timeout=10).status_code == 204


def inject(sandbox_url, **fields):
    response = requests.post(sandbox_url + "faults/", json=fields, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def listed(sandbox_url):
    return requests.get(sandbox_url + "faults/", timeout=10).json()


def sample(kind):
    return world().customer_by_identity(world().samples()[kind])


def qvickly(sandbox_url, eid=EID, secret=SECRET, function="getInvoicesByPno", data=None, timeout=10):
    data = data or {"pno": sample("person").identity, "status": "Sent,Paid"}
    body = {
        "credentials": {"id": eid, "hash": sign(data, secret), "version": "2.5.0", "client": "ARPortal:Tests:1.0"},
        "data": data,
        "function": function,
    }
    return requests.post(
        sandbox_url + "qvickly/", data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=timeout
    )


def fusebill(sandbox_url, path=None, key=LIVE_KEY, timeout=10, **params):
    path = path or f"customers/{sample('both').fusebill_id}"
    headers = {"Authorization": f"Basic {key}", "Accept": "application/json"}
    return requests.get(sandbox_url + "fusebill/v1/" + path, params=params, headers=headers, timeout=timeout)


CALLS = {"qvickly": qvickly, "fusebill": fusebill}


def call(sandbox_url, provider, **kwargs):
    return CALLS[provider](sandbox_url, **kwargs)


def assert_normal(provider, response):
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    if provider == "qvickly":
        assert body["credentials"]["hash"] == sign(body["data"], SECRET)
        assert isinstance(body["data"], list)
    else:
        assert body["id"] == sample("both").fusebill_id


def assert_fusebill_error(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert (body["ErrorId"], body["HttpStatusCode"]) == (0, status)
    assert [set(error) for error in body["Errors"]] == [{"Key", "Value"}] and body["Errors"][0]["Value"]


BOTH = pytest.mark.parametrize("provider", ["qvickly", "fusebill"])


# The control endpoint ------------------------------------------------------------------


def test_a_fault_is_stored_listed_and_cleared_over_http(sandbox_url):
    stored = inject(sandbox_url, provider="fusebill", fault="timeout", account=LIVE_KEY, times=2, after=1)
    assert stored == {
        "id": stored["id"],
        "provider": "fusebill",
        "fault": "timeout",
        "account": LIVE_KEY,
        "times": 2,
        "after": 1,
        "delay": 5.0,
        "status": None,
        "passed": 0,
        "used": 0,
    }
    assert listed(sandbox_url) == [stored]
    assert requests.delete(sandbox_url + "faults/", timeout=10).status_code == 204
    assert listed(sandbox_url) == []


def test_defaults_fill_in_the_delay_and_the_html_status(sandbox_url):
    assert inject(sandbox_url, provider="qvickly", fault="slow")["delay"] == 1.0
    assert inject(sandbox_url, provider="qvickly", fault="html_error")["status"] == 502
    assert inject(sandbox_url, provider="qvickly", fault="http_500", times=None)["times"] is None


@pytest.mark.parametrize(
    "fields",
    [
        {"provider": "stripe", "fault": "timeout"},
        {"provider": ["qvickly"], "fault": "timeout"},
        {"provider": "qvickly", "fault": "meltdown"},
        {"provider": "fusebill", "fault": "bad_signature"},
        {"provider": "qvickly"},
        {"fault": "timeout"},
        {"provider": "qvickly", "fault": "timeout", "times": "3"},
        {"provider": "qvickly", "fault": "timeout", "times": 0},
        {"provider": "qvickly", "fault": "timeout", "times": True},
        {"provider": "qvickly", "fault": "timeout", "after": -1},
        {"provider": "qvickly", "fault": "timeout", "after": 1.5},
        {"provider": "qvickly", "fault": "timeout", "delay": "long"},
        {"provider": "qvickly", "fault": "timeout", "delay": -1},
        {"provider": "qvickly", "fault": "http_500", "delay": 1},
        {"provider": "qvickly", "fault": "html_error", "status": 200},
        {"provider": "qvickly", "fault": "html_error", "status": "502"},
        {"provider": "qvickly", "fault": "reset", "status": 502},
        {"provider": "qvickly", "fault": "reset", "account": ""},
        {"provider": "qvickly", "fault": "reset", "account": ["17001"]},
        {"provider": "qvickly", "fault": "reset", "time": 1},
    ],
)
def test_the_control_endpoint_refuses_faults_it_cannot_produce_with_400(sandbox_url, fields):
    response = requests.post(sandbox_url + "faults/", json=fields, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]
    assert listed(sandbox_url) == []


@pytest.mark.parametrize("body", [b"not json", b"[]", b'"qvickly"'])
def test_the_control_endpoint_refuses_a_body_that_is_not_a_json_object(sandbox_url, body):
    response = requests.post(sandbox_url + "faults/", data=body, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_control_endpoint_only_knows_get_post_and_delete(sandbox_url):
    assert requests.put(sandbox_url + "faults/", json={}, timeout=10).status_code == 405


# Timeouts, resets and garbage: alike at both providers -------------------------------------


@BOTH
def test_timeout_outlasts_a_short_read_timeout_and_the_server_keeps_serving(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="timeout", delay=1.0, times=1)
    with pytest.raises(requests.Timeout):
        call(sandbox_url, provider, timeout=0.3)
    assert_normal(provider, call(sandbox_url, provider))


@BOTH
def test_slow_answers_normally_after_the_delay(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="slow", delay=0.3)
    started = time.monotonic()
    response = call(sandbox_url, provider, timeout=5)
    assert time.monotonic() - started >= 0.3
    assert_normal(provider, response)


@BOTH
def test_reset_drops_the_connection_without_a_reply_and_the_server_keeps_serving(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="reset", times=2)
    for _ in range(2):
        with pytest.raises(DROPPED):
            call(sandbox_url, provider)
    assert_normal(provider, call(sandbox_url, provider))


def test_reset_also_drops_a_connection_a_session_keeps_alive(sandbox_url):
    session = requests.Session()
    headers = {"Authorization": f"Basic {LIVE_KEY}"}
    url = sandbox_url + f"fusebill/v1/customers/{sample('both').fusebill_id}"
    assert session.get(url, headers=headers, timeout=10).status_code == 200
    inject(sandbox_url, provider="fusebill", fault="reset", times=1)
    with pytest.raises(DROPPED):
        session.get(url, headers=headers, timeout=10)
    assert session.get(url, headers=headers, timeout=10).status_code == 200


@BOTH
def test_malformed_json_is_a_200_json_reply_cut_in_half(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="malformed_json")
    response = call(sandbox_url, provider)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.content
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_malformed_json_at_fusebill_is_exactly_the_first_half_of_the_real_reply(sandbox_url):
    whole = fusebill(sandbox_url).content
    inject(sandbox_url, provider="fusebill", fault="malformed_json")
    assert fusebill(sandbox_url).content == whole[: len(whole) // 2]


def test_malformed_json_at_qvickly_is_the_first_half_of_its_php_text(sandbox_url):
    whole = qvickly(sandbox_url)
    inject(sandbox_url, provider="qvickly", fault="malformed_json")
    cut = qvickly(sandbox_url)
    assert whole.text == php_json(whole.json())
    # Each reply has a logid of its own, of the same width: the same text up to it, and half the length.
    assert cut.text.startswith(whole.text[: whole.text.index('"logid"')])
    assert len(cut.content) == len(whole.content) // 2
    assert cut.headers["Content-Type"] == "application/json"


@BOTH
@pytest.mark.parametrize("status", [None, 503, 504])
def test_html_error_is_a_proxy_error_page(sandbox_url, provider, status):
    inject(sandbox_url, provider=provider, fault="html_error", **({"status": status} if status else {}))
    response = call(sandbox_url, provider)
    assert response.status_code == (status or 502)
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.lstrip().startswith("<html>") and f"<h1>{status or 502} " in response.text


# Each provider's own errors ---------------------------------------------------------------


@pytest.mark.parametrize("fault, status", [("http_500", 500), ("http_502", 502), ("http_503", 503)])
def test_a_broken_qvickly_sends_a_bare_http_error_with_a_short_text(sandbox_url, fault, status):
    inject(sandbox_url, provider="qvickly", fault=fault)
    response = qvickly(sandbox_url)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text.startswith(str(status))


@pytest.mark.parametrize("fault, status", [("http_500", 500), ("http_502", 502), ("http_503", 503)])
def test_a_broken_fusebill_sends_its_error_body_with_the_status(sandbox_url, fault, status):
    inject(sandbox_url, provider="fusebill", fault=fault)
    assert_fusebill_error(fusebill(sandbox_url), status)


def test_qvickly_rate_limits_with_a_bare_429_and_retry_after(sandbox_url):
    inject(sandbox_url, provider="qvickly", fault="rate_limit")
    response = qvickly(sandbox_url)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"


def test_fusebill_rate_limits_with_its_error_body_and_a_spent_minute(sandbox_url):
    inject(sandbox_url, provider="fusebill", fault="rate_limit")
    response = fusebill(sandbox_url)
    assert_fusebill_error(response, 429)
    assert response.headers["X-Rate-Limit-Remaining-Minute"] == "0"
    assert response.headers["X-Rate-Limit-Reset-Minute"] == "1"
    assert response.headers["X-Rate-Limit-Limit-Minute"] == str(FUSEBILL_KEYS[LIVE_KEY].per_window)
    assert int(response.headers["X-Rate-Limit-Remaining-Day"]) > 0


def test_bad_signature_sends_the_real_data_with_a_hash_that_does_not_verify(sandbox_url):
    inject(sandbox_url, provider="qvickly", fault="bad_signature")
    response = qvickly(sandbox_url)
    body = response.json()
    assert body["data"] and isinstance(body["data"], list)
    assert len(body["credentials"]["hash"]) == 128
    assert body["credentials"]["hash"] != sign(body["data"], SECRET)
    assert response.text == php_json(body)  # spoilt, but still the server's own text


def test_qvickly_rejects_credentials_with_the_unsigned_9013_error_over_http_200(sandbox_url):
    inject(sandbox_url, provider="qvickly", fault="reject_credentials")
    response = qvickly(sandbox_url)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"code", "message", "logid"} and body["code"] == "9013"


def test_fusebill_rejects_credentials_with_401_and_its_error_body(sandbox_url):
    inject(sandbox_url, provider="fusebill", fault="reject_credentials")
    assert_fusebill_error(fusebill(sandbox_url), 401)


@BOTH
def test_redirect_answers_302_back_to_the_same_address(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="redirect")
    url = sandbox_url + ("qvickly/" if provider == "qvickly" else "fusebill/v1/customers")
    response = requests.request("POST" if provider == "qvickly" else "GET", url, allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == url


@BOTH
def test_trickle_sends_the_normal_reply_a_byte_at_a_time(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="trickle", delay=0.002)
    started = time.monotonic()
    response = call(sandbox_url, provider, timeout=30)
    assert_normal(provider, response)
    assert time.monotonic() - started >= 0.002 * len(response.content) * 0.5


@BOTH
def test_deep_json_is_valid_json_nested_beyond_any_reply(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="deep_json")
    response = call(sandbox_url, provider)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert response.text.startswith("[" * 1000) and response.text.endswith("]" * 1000)
    with pytest.raises(RecursionError):
        json.loads(response.text)


def test_control_characters_spoil_every_string_of_a_fusebill_reply(sandbox_url):
    clean = fusebill(sandbox_url).json()
    inject(sandbox_url, provider="fusebill", fault="control_characters")
    spoiled = fusebill(sandbox_url).json()
    assert spoiled["firstName"] == clean["firstName"][:1] + "\x00\x07\x1b\ud800" + clean["firstName"][1:]
    assert spoiled["id"] == clean["id"]


def test_every_fault_the_control_endpoint_accepts_is_exercised_here():
    common = {"timeout", "slow", "reset", "malformed_json", "html_error", "http_500", "http_502", "http_503"}
    common |= {"rate_limit", "reject_credentials", "redirect", "trickle", "deep_json"}
    tested = {"qvickly": common | {"bad_signature"}, "fusebill": common | {"control_characters"}}
    assert {provider: set(names) for provider, names in faults.FAULTS.items()} == tested


# Where faults apply ------------------------------------------------------------------


def fusebill_paths():
    customer = sample("both")
    invoice = world().fusebill_invoices_of(customer.fusebill_id)[0]
    return [
        "customers",
        f"customers/{customer.fusebill_id}",
        f"Customers/{customer.fusebill_id}/Invoices",
        f"Invoices/{invoice.id}",
        f"Invoices/pdf/{invoice.id}",
        "no/such/resource",
    ]


def test_a_fusebill_fault_applies_to_every_endpoint(sandbox_url):
    inject(sandbox_url, provider="fusebill", fault="http_503")
    for path in fusebill_paths():
        assert_fusebill_error(fusebill(sandbox_url, path), 503)


@pytest.mark.parametrize(
    "function, data",
    [
        ("getInvoicesByCustomer", {"customerno": "12345"}),
        ("getInvoiceByHash", {"hash": "0" * 64}),
        ("getPaymentinfo", {"number": "1"}),
        ("getAccountinfo", {"comingFromPF2": "1"}),
        ("noSuchFunction", {"x": "1"}),
    ],
)
def test_a_qvickly_fault_applies_to_every_function(sandbox_url, function, data):
    inject(sandbox_url, provider="qvickly", fault="http_503")
    assert qvickly(sandbox_url, function=function, data=data).status_code == 503


def test_a_fault_for_every_account_catches_wrong_credentials_too(sandbox_url):
    inject(sandbox_url, provider="qvickly", fault="http_502")
    inject(sandbox_url, provider="fusebill", fault="http_502")
    assert qvickly(sandbox_url, eid=UNKNOWN_EID, secret="wrong").status_code == 502
    assert fusebill(sandbox_url, key=WRONG_KEY).status_code == 502
    no_key = requests.get(sandbox_url + "fusebill/v1/customers", timeout=10)
    assert no_key.status_code == 502


def test_a_qvickly_fault_for_one_merchant_spares_the_others(sandbox_url):
    inject(sandbox_url, provider="qvickly", fault="http_503", account=int(EID))  # ids come as numbers too
    assert qvickly(sandbox_url, eid=UNKNOWN_EID, secret="wrong").json()["code"] == "9013"
    assert qvickly(sandbox_url).status_code == 503
    assert qvickly(sandbox_url, eid=int(EID)).status_code == 503


def test_a_fusebill_fault_for_one_key_spares_the_others(sandbox_url):
    inject(sandbox_url, provider="fusebill", fault="http_503", account=LIVE_KEY)
    assert_fusebill_error(fusebill(sandbox_url, key=WRONG_KEY), 401)
    assert_fusebill_error(fusebill(sandbox_url), 503)


def test_a_fault_at_one_provider_leaves_the_other_alone(sandbox_url):
    inject(sandbox_url, provider="qvickly", fault="http_503")
    assert_normal("fusebill", fusebill(sandbox_url))


# times and after ------------------------------------------------------------------------


@BOTH
def test_times_limits_how_many_requests_a_fault_catches(sandbox_url, provider):
    inject(sandbox_url, provider=provider, fault="http_503", times=2)
    assert [call(sandbox_url, provider).status_code for _ in range(2)] == [503, 503]
    assert_normal(provider, call(sandbox_url, provider))
    assert listed(sandbox_url) == []  # used up, so gone


def test_without_times_a_fault_lasts_until_cleared(sandbox_url):
    inject(sandbox_url, provider="fusebill", fault="http_500")
    assert [fusebill(sandbox_url).status_code for _ in range(3)] == [500, 500, 500]
    assert listed(sandbox_url)[0]["used"] == 3
    requests.delete(sandbox_url + "faults/", timeout=10)
    assert_normal("fusebill", fusebill(sandbox_url))


def test_after_fails_a_paged_listing_in_the_middle(sandbox_url):
    path = f"Customers/{sample('big').fusebill_id}/Invoices"
    inject(sandbox_url, provider="fusebill", fault="http_503", account=LIVE_KEY, after=1, times=1)
    first = fusebill(sandbox_url, path, pageSize=100, pageNumber=0)
    assert first.status_code == 200 and len(first.json()) == 100
    assert_fusebill_error(fusebill(sandbox_url, path, pageSize=100, pageNumber=1), 503)
    assert fusebill(sandbox_url, path, pageSize=100, pageNumber=2).status_code == 200


def test_after_lets_that_many_qvickly_calls_through_first(sandbox_url):
    inject(sandbox_url, provider="qvickly", fault="reject_credentials", after=2, times=1)
    assert_normal("qvickly", qvickly(sandbox_url))
    assert listed(sandbox_url)[0]["passed"] == 1
    assert_normal("qvickly", qvickly(sandbox_url))
    assert qvickly(sandbox_url).json()["code"] == "9013"
    assert_normal("qvickly", qvickly(sandbox_url))


# The Python interface ------------------------------------------------------------------


def test_take_counts_after_and_times_per_matching_request():
    faults.add("fusebill", "http_500", account="key-a", after=1, times=1)
    assert faults.take("fusebill", "key-b") is None  # another account: not counted
    assert faults.take("fusebill", "key-a") is None  # let through: after=1
    assert faults.take("fusebill", "key-a").fault == "http_500"
    assert faults.take("fusebill", "key-a") is None
    assert faults.active() == []


def test_the_oldest_due_fault_answers_and_the_others_keep_their_uses():
    faults.add("qvickly", "http_502", times=1)
    faults.add("qvickly", "http_503", times=1)
    assert [faults.take("qvickly", EID).fault for _ in range(2)] == ["http_502", "http_503"]
    assert faults.take("qvickly", EID) is None


def test_add_raises_invalid_fault_for_what_cannot_be_produced():
    with pytest.raises(faults.InvalidFault):
        faults.add("fusebill", "bad_signature")
    faults.add("qvickly", "timeout")
    faults.clear()
    assert faults.active() == []
