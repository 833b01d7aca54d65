"""Qvickly's JSON text and its signature, as the PHP server writes them.

The PaymentAPI signs `json_encode($data)` with PHP's default flags: no
whitespace, "/" escaped as "\\/", every character outside ASCII as a \\u escape
in lowercase hex (a surrogate pair outside the Basic Multilingual Plane),
control characters as \\b \\f \\n \\r \\t or \\u00XX, everything else as it is.
The signature is the HMAC-SHA512 of that text keyed with the merchant's
secret, in lowercase hex.

The emulator is the test oracle for invoices/providers/qvickly.py, so this is
written from PHP's rules (ext/json/json_encoder.c), not from that client's
code: a mistake shared by both would pass every test.
"""

import hashlib
import hmac
import math

_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def php_json(value: object) -> str:
    """The text of PHP's `json_encode($value)` with the default flags."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_key(key)}:{php_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(php_json(item) for item in value) + "]"
    raise TypeError(f"json_encode has no form for {type(value).__name__}")


def sign(data: object, secret: str) -> str:
    """The `hash` of a request or reply: HMAC-SHA512 over the PHP text of `data`."""
    return hmac.new(secret.encode(), php_json(data).encode("ascii"), hashlib.sha512).hexdigest()


def _key(key):
    if not isinstance(key, str):
        raise TypeError(f"object keys are text, not {type(key).__name__}")
    return _string(key)


def _string(text):
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif code < 0x80:
            out.append(char)  # DEL (0x7f) included: PHP leaves it alone
        elif 0xD800 <= code <= 0xDFFF:
            # A lone surrogate has no UTF-8 form; json_encode fails on the bytes it would be.
            raise ValueError("text with a lone surrogate cannot be encoded")
        elif code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def _number(value):
    # PHP writes the shortest text that reads back as the same double, as
    # repr() does, less a zero fraction (100.0 is "100": JSON_PRESERVE_ZERO_FRACTION
    # is off). Exponents start at other magnitudes and read "1.0e+17"; the
    # emulator never sends such numbers, so refuse rather than guess.
    if not math.isfinite(value):
        raise ValueError("json_encode cannot write INF or NAN")
    text = repr(value)
    if "e" in text:
        raise ValueError(f"{text} would need PHP's exponent form")
    return text.removesuffix(".0")
