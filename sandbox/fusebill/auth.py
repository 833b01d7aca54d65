"""Who may call: `Authorization: Basic {key}` with a key exactly as Fusebill issued it."""

import base64
import binascii
import hmac
import re

from django.http import HttpRequest, HttpResponse

from sandbox.fusebill.wire import error
from sandbox.world import FUSEBILL_KEYS


def authenticate(request: HttpRequest) -> tuple[str | None, HttpResponse | None]:
    """(key, None) for a key as issued, else (None, the error reply)."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None, error(401, "Authorization has been denied for this request.")
    scheme, _, key = header.partition(" ")
    key = key.strip()
    # Malformed is a 400 at Fusebill; a well-formed key it never issued is a 401.
    if scheme.lower() != "basic" or not _is_base64(key):
        return None, error(400, "The Authorization header is malformed: send 'Basic' and the API key as issued.")
    for issued in FUSEBILL_KEYS:
        if hmac.compare_digest(issued.encode(), key.encode()):
            return issued, None
    return None, error(401, "Authorization has been denied for this request.")


def presented_key(request: HttpRequest) -> str | None:
    """The key the request sends, checked or not; None without a Basic header."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    return (key.strip() or None) if scheme.lower() == "basic" else None


def _is_base64(text):
    if not text or len(text) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", text):
        return False
    try:
        base64.b64decode(text, validate=True)
    except binascii.Error:
        return False
    return True
