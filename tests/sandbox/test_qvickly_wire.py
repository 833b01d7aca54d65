"""The Qvickly emulator's own JSON encoder and signer, checked against PHP, not against our client.

The expected texts were produced by PHP 8.2's json_encode with the default
flags; the signature by the provider's published test vector.
"""

import pytest

from sandbox.qvickly.wire import php_json, sign


def test_the_signature_matches_the_providers_published_test_vector():
    data = {"id": "123456", "amount": 100, "currency": "SEK"}

    assert php_json(data) == '{"id":"123456","amount":100,"currency":"SEK"}'
    assert sign(data, "1234567890123456") == (
        "8dde708fea8cfcee68d6817975f37bf9b0c5412f3edfbd1d1d2bca629bd49f06"
        "a57bddcaac465ebe8306d25d6e1ff32e8a225c6b58ebef2ea39f51a6777f037a"
    )


def test_the_encoder_writes_what_phps_json_encode_writes():
    data = {
        "name": "Åsa Öberg-Ängström",
        "url": "https://documents.example/a/b?c=d&e=<f>",
        "quote": '"q" \\ \n\t\r\b\f',
        "emoji": "😀",
        "del": "\x7f",
        "control": "\x01\x1f",
        "euro": "€",
        "numbers": [1, -2, 2.5, 1000.5, 100.0, -0.0, True, False, None],
        "empty": {},
        "list": [],
    }

    assert php_json(data) == (
        r'{"name":"\u00c5sa \u00d6berg-\u00c4ngstr\u00f6m",'
        r'"url":"https:\/\/documents.example\/a\/b?c=d&e=<f>",'
        r'"quote":"\"q\" \\ \n\t\r\b\f",'
        r'"emoji":"\ud83d\ude00",'
        '"del":"\x7f",'
        r'"control":"\u0001\u001f",'
        r'"euro":"\u20ac",'
        r'"numbers":[1,-2,2.5,1000.5,100,-0,true,false,null],'
        r'"empty":{},"list":[]}'
    )


def test_keys_keep_the_order_they_were_given_in():
    assert php_json({"b": 1, "a": 2}) == '{"b":1,"a":2}'


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e17, 1e-5, "\ud800", {1: "x"}, b"bytes"])
def test_the_encoder_refuses_what_it_cannot_write_as_php_would(value):
    with pytest.raises((ValueError, TypeError)):
        php_json(value)
