"""The replies of faults that look alike at both providers (sandbox/faults.py picks them).

Each takes (fault, request, answer), where answer() gives the emulator's
normal reply, and returns what a misbehaving provider or gateway would send.
"""

import http
import json
import socket
import struct
import time

from django.http import HttpResponse, StreamingHttpResponse

HTTP_STATUSES = {"http_500": 500, "http_502": 502, "http_503": 503}


def delayed(fault, request, answer):
    """timeout and slow: the normal reply, late. Only the length of the wait differs."""
    time.sleep(fault.delay)
    return answer()


def truncated(fault, request, answer):
    """HTTP 200 and the first half of the normal reply, labelled as it was: a proxy that gave up midway."""
    normal = answer()
    response = HttpResponse(normal.content[: len(normal.content) // 2], content_type=normal["Content-Type"])
    for name, value in normal.items():
        if name.lower().startswith("x-"):  # paging and rate-limit facts came with the reply
            response[name] = value
    return response


HTML_PAGE = """<html>
<head><title>{status} {phrase}</title></head>
<body>
<center><h1>{status} {phrase}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


def html_error(fault, request, answer):
    """The error page of a proxy in front of the provider, not the provider's own error."""
    phrase = _phrase(fault.status)
    return HttpResponse(
        HTML_PAGE.format(status=fault.status, phrase=phrase), status=fault.status, content_type="text/html"
    )


def plain(status):
    """What a broken upstream or a load balancer sends: a short text, no JSON."""
    return HttpResponse(f"{status} {_phrase(status)}\n", status=status, content_type="text/plain; charset=utf-8")


def upstream_error(fault, request, answer):
    return plain(HTTP_STATUSES[fault.fault])


def throttled(fault, request, answer):
    """An undocumented 429, as a gateway sends it: Retry-After is all the client gets to go by."""
    response = plain(429)
    response["Retry-After"] = "1"
    return response


def _phrase(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def dropped(fault, request, answer):
    """reset: the connection goes down before a complete reply.

    Where the client's socket can be reached (the tests' wsgiref server and
    runserver both hand it over behind wsgi.input) it is shut down with
    SO_LINGER 0: the client sees the connection close with no reply at all, and
    the server's own close afterwards is a RST. Elsewhere (Django's test client,
    servers we do not know) the reply promises more bytes than it sends. Either
    way the body then raises ConnectionResetError, which wsgiref, and so
    runserver, take for a client that went away: no traceback, nothing more
    written, the next request served as usual.
    """
    sock = _socket_of(request.environ)
    if sock is not None:
        _abort(sock)
    promised = b'{"truncated": "the connection was reset before the reply was complete"}'
    response = StreamingHttpResponse(_cut_off(promised[:2] if sock is None else b""), content_type="application/json")
    response["Content-Length"] = str(len(promised))
    return response


def _cut_off(part):
    if part:
        yield part
    raise ConnectionResetError("sandbox fault: connection reset")


def _socket_of(environ):
    """The client's socket, dug out of wsgi.input; None where the server hides it."""
    stream = environ.get("wsgi.input")
    # runserver wraps the socket's reader in Django's LimitedStream, which keeps its bound read().
    stream = getattr(getattr(stream, "_read", None), "__self__", stream)
    sock = getattr(getattr(stream, "raw", None), "_sock", None)  # BufferedReader -> SocketIO -> socket
    return sock if isinstance(sock, socket.socket) else None


def _abort(sock):
    # shutdown() rather than close(): the server's reader and writer still hold the
    # socket, and a closed descriptor would make them fail loudly. A shut-down one
    # reads as end of input, which ends runserver's keep-alive loop quietly.
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client is already gone


def redirected(fault, request, answer):
    """A 302 back to the same address: a client that follows it sends its credentials
    wherever a spoofed upstream points (here harmlessly home; the fault answers again)."""
    response = HttpResponse(status=302)
    response["Location"] = request.build_absolute_uri()
    return response


def trickled(fault, request, answer):
    """The normal reply, one byte every `delay` seconds: each read finishes well within
    any read timeout, so only a deadline on the whole call ends it."""
    normal = answer()
    body = normal.content

    def drip():
        for index in range(len(body)):
            time.sleep(fault.delay)
            yield body[index : index + 1]

    response = StreamingHttpResponse(drip(), status=normal.status_code, content_type=normal["Content-Type"])
    return response


def deep_json(fault, request, answer):
    """Valid JSON nested far beyond any reply's shape: a parser that recurses falls over."""
    depth = 100_000
    return HttpResponse("[" * depth + "]" * depth, content_type="application/json")


CONTROL_CHARACTERS = "\x00\x07\x1b\ud800"


def with_control_characters(fault, request, answer):
    """The normal JSON with NUL, BEL, ESC and a lone surrogate in every string:
    PostgreSQL refuses NUL in text and jsonb, no database stores a lone surrogate,
    and none of them belongs in what staff read."""
    normal = answer()
    try:
        data = json.loads(normal.content)
    except ValueError:
        return normal

    def spoil(value):
        if isinstance(value, str):
            return value[:1] + CONTROL_CHARACTERS + value[1:]
        if isinstance(value, dict):
            return {key: spoil(item) for key, item in value.items()}
        if isinstance(value, list):
            return [spoil(item) for item in value]
        return value

    response = HttpResponse(json.dumps(spoil(data)), status=normal.status_code, content_type=normal["Content-Type"])
    for name, value in normal.items():
        if name.lower().startswith("x-"):
            response[name] = value
    return response


COMMON_REPLIES = {
    "timeout": delayed,
    "slow": delayed,
    "reset": dropped,
    "http_500": upstream_error,
    "http_502": upstream_error,
    "http_503": upstream_error,
    "rate_limit": throttled,
    "malformed_json": truncated,
    "html_error": html_error,
    "redirect": redirected,
    "trickle": trickled,
    "deep_json": deep_json,
    "control_characters": with_control_characters,
}
