"""The readings of the Qvickly docs the emulator can play (sandbox/readings.py), over real HTTP.

No test here uses the database.
"""

import pytest

from sandbox.qvickly.wire import sign
from tests.sandbox.test_qvickly import SECRET, post, valid_number, verified_data, wrapped_error_code


@pytest.fixture
def url(sandbox_url):
    return sandbox_url + "qvickly/"


def test_an_unknown_number_is_a_signed_code_an_empty_list_or_an_unsigned_error(url, reading):
    unknown = {"pno": valid_number("121212121"), "status": "Sent"}
    assert wrapped_error_code(post(url, "getInvoicesByPno", unknown)) == "8010"

    reading(qvickly_unknown_pno="empty")
    assert verified_data(post(url, "getInvoicesByPno", unknown)) == []

    reading(qvickly_unknown_pno="unsigned")
    body = post(url, "getInvoicesByPno", unknown).json()
    assert set(body) == {"code", "message", "logid"} and body["code"] == "8010"


def test_a_wrong_secret_can_be_refused_signed_with_the_merchants_real_secret(url, reading):
    reading(qvickly_auth_error="signed")
    body = post(url, "getAccountinfo", {"comingfromPHP": "0"}, secret="not-the-secret").json()
    assert body["data"]["code"] == "9013"
    assert body["credentials"]["hash"] == sign(body["data"], SECRET)
    assert body["credentials"]["hash"] != sign(body["data"], "not-the-secret")


def test_an_unknown_merchant_is_refused_unsigned_in_every_reading(url, reading):
    reading(qvickly_auth_error="signed")
    body = post(url, "getAccountinfo", {"comingfromPHP": "0"}, eid="99999", secret="x").json()
    assert set(body) == {"code", "message", "logid"} and body["code"] == "9013"
